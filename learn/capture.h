// Capture: runs a trained model on the test split (and, for correctness
// alone, on the validation split that searches select on), takes the tensor that
// crosses each split point, runs each codec on it sample by sample (encode,
// then decode) and resumes the forward pass from the decoded tensor, so
// every byte count and every prediction is measured. Channel selection ranks
// channels by mean |activation| over calibration images from the train split;
// prune:R is fitted on 256 of them (learn/cut_pruning.h). A two-cut probe
// sends the first tensor, resumes to the second cut, sends that tensor, and
// resumes to the end.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "compress/catalog.h"

namespace coinfer {

// A probe of two cuts (CNNPC): `split`'s tensor sent with `codec`, then
// `then_split`'s (a later split point) with `then_codec`.
struct CutPair {
  int split = 0;
  std::string codec;
  int then_split = 0;
  std::string then_codec;
};

struct CaptureOptions {
  std::string card;                 // model card (models/NAME.json)
  std::vector<std::string> codecs;  // pipelines (CodecSpec text)
  std::vector<int> splits;  // split indices; empty (and no pairs): every split point but the last
  std::vector<CutPair> pairs;  // two-cut probes, measured besides splits x codecs
  int64_t samples = 0;         // first N test images; 0: all
  int64_t calibration_samples = 1000;
  int threads = 2;
};

// What one measurement sends: (split index, codec text), one or two cuts.
using CaptureCuts = std::vector<std::pair<int, std::string>>;

struct ModelCard;

// A trained model and its test split, loaded once, with the codecs fitted
// so far (channel scores, prune:R's LASSO and least squares): what repeated
// measurements (CNNPC's probes, one at a time) reuse.
class CaptureSession {
 public:
  static Status Open(const CaptureOptions& options, std::unique_ptr<CaptureSession>* out);
  ~CaptureSession();
  CaptureSession(const CaptureSession&) = delete;
  CaptureSession& operator=(const CaptureSession&) = delete;

  const ModelCard& card() const;
  std::vector<int> SplitIndices() const;  // every split point but the last
  // The test samples a measurement of `wanted` runs on (0: all).
  int64_t Samples(int64_t wanted) const;
  // The validation samples a measurement on `test_samples` also runs on:
  // as many, at most the whole validation split.
  int64_t ValidationSamples(int64_t test_samples) const;
  // Measures each entry on the first Samples(samples) test images and the
  // first ValidationSamples(samples) validation images, in one pass over
  // each; errors name a bad split or codec.
  Status Measure(const std::vector<CaptureCuts>& measurements, int64_t samples,
                 std::vector<CatalogEntry>* out);

  // One request's cut as an emulated site computes it (emulate/): the tensor
  // of test sample `sample` that crosses split `split_index`, encoded with
  // `codec` fitted as a measurement fits it, so the bytes are those of the
  // measurement on `measured` samples. (LibTorch's results depend on the
  // batch a sample is computed in, and a measurement computes batches of
  // 250: the sample's batch is computed, once per batch and split.) *shape
  // is the tensor's, without the batch dimension.
  Status EncodeSample(int64_t sample, int64_t measured, int split_index, const std::string& codec,
                      std::string* bytes, std::vector<int64_t>* shape);
  // The receiver's part, on one sample as a deployed receiver runs it:
  // `bytes` decoded with `codec` and the forward pass resumed at split
  // `split_index`: the predicted class.
  Status ResumeSample(int split_index, const std::string& codec, const std::string& bytes,
                      int64_t* predicted);
  int64_t TestCount() const;
  int64_t TestLabel(int64_t sample) const;

 private:
  CaptureSession();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Measures every (split, codec) the catalog lacks (or has on fewer samples)
// and stores them in one transaction; when it lacks nothing, only the test
// split is read. `progress` gets each new entry.
Status CaptureToCatalog(const CaptureOptions& options, CompressionCatalog* catalog,
                        const std::function<void(const CatalogEntry&)>& progress);

}  // namespace coinfer
