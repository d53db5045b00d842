// MeasuredCompression: one codec's measured effect at every split point of a
// trained model, taken from the CompressionCatalog, in the form the engine
// uses: a request draws a test sample, sends that sample's encoded bytes, and
// is correct when that sample's prediction after decoding is. Policies that
// choose by accuracy choose on the validation samples (CatalogEntry::
// ValidationAccuracy), never on the test samples requests are scored on.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "compress/catalog.h"
#include "dnn/graph.h"

namespace coinfer {

// A pruned variant of the model (JMDC's model compression, `coinfer
// prune`): fewer channels before its split, fine-tuned; it runs only with
// that split, and each codec's measurements at that split are its own.
struct ModelVariant {
  std::string name;  // e.g. small_vgg-s5-k50
  double keep_fraction = 1;
  int split_index = 0;                 // SplitPoint::index
  Graph graph;                         // recorded from the variant
  std::vector<CatalogEntry> by_codec;  // index: MeasuredCompression::codecs
};

// Measures plans that compress two cuts (CNNPC): the catalog measures one
// cut per entry, so a pair is probed on demand (run/ does it for real with
// LibTorch and keeps it in the catalog). Split points by SplitPoint::index,
// codecs by index into MeasuredCompression::codecs.
class CutPairProber {
 public:
  virtual ~CutPairProber() = default;
  // The entry of sending split_index's tensor with `codec` and then
  // then_split's with then_codec (per-sample bytes of each, correctness);
  // null with *status set when it cannot be measured.
  virtual const CatalogEntry* Probe(int split_index, int codec, int then_split, int then_codec,
                                    Status* status) = 0;
};

struct MeasuredCompression {
  // CodecSpecText of each codec a plan may choose (Plan::codec indexes it);
  // [0] is the scenario's compression.codec, the rest compression.menu.
  std::vector<std::string> codecs;
  // codecs[0, menu_size) are the scenario's codec and menu, the rest those
  // policies asked for (Policy::RequiredCodecs); -1: all are the menu.
  int menu_size = -1;
  int MenuSize() const { return menu_size < 0 ? static_cast<int>(codecs.size()) : menu_size; }
  // at_split[c]: codec c's entries by SplitPoint::index, every split but the last.
  std::vector<std::map<int, CatalogEntry>> at_split;
  int64_t samples = 0;                            // test samples, those requests draw from
  int64_t validation_samples = 0;                 // each entry's validation_correct has this many
  std::vector<uint8_t> plain_correct;             // the uncompressed model, per test sample
  std::vector<uint8_t> plain_validation_correct;  // and per validation sample
  std::vector<ModelVariant> variants;             // for policies that choose one (jmdc)
  CutPairProber* pairs = nullptr;                 // two-cut probes; null: none can be measured

  // False for sizes from shapes alone: one "sample", no correctness.
  bool measured() const { return !plain_correct.empty(); }
  // Codec c at the split point of layer index `split_index`; null if none.
  const CatalogEntry* Find(int codec, int split_index) const;
  // The index of a codec (canonical text) in `codecs`; -1 if absent.
  int CodecIndex(const std::string& codec) const;
  // The uncompressed model's accuracy over the validation samples (0 when
  // not measured): what a search compares configurations with.
  double PlainValidationAccuracy() const;
};

// Reads the entries of every codec at every split point of `graph` but the
// last, and of "none" (plain correctness), all of the weights
// `weights_sha256` on `dataset`, each cut to the first `samples` test samples
// (0: the fewest any entry has) and to the validation samples all have, so
// that what earlier runs stored beyond that changes nothing. Missing entries
// are an error that names the capture command.
Status LoadMeasuredCompression(CompressionCatalog& catalog, const std::string& weights_sha256,
                               const std::string& dataset, const std::vector<std::string>& codecs,
                               const Graph& graph, int64_t samples, MeasuredCompression* out);

// Cuts an entry's per-sample data to its first `samples` test samples and
// `validation_samples` validation samples.
void CutEntry(int64_t samples, int64_t validation_samples, CatalogEntry* entry);

// For a model without trained weights: the exact encoded size of each
// crossing tensor when a codec's size depends on shapes only; an error for
// data-dependent codecs (regions, zstd), whose sizes and accuracy cannot be
// known without real inputs.
Status ShapeDeterminedCompression(const Graph& graph, const std::vector<std::string>& codecs,
                                  MeasuredCompression* out);

// Sets graph->sent_bytes so that policies price a crossing tensor at its
// mean measured bytes (tensors with no split point stay raw).
void ApplyMeanSentBytes(const MeasuredCompression& compression, Graph* graph);

}  // namespace coinfer
