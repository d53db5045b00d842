#include "run/compression_inputs.h"

#include <filesystem>

#include "learn/capture.h"
#include "learn/model_card.h"
#include "learn/model_compression.h"

namespace coinfer {
namespace {

// A pruned variant (built once into variants/ beside the catalog, reused
// while its base weights are the same) and its codecs measured at its split.
Status AddVariant(const Scenario& sc, const ModelCard& base, int split, double keep,
                  CompressionCatalog& catalog, MeasuredCompression* m, std::ostream* progress) {
  ModelCard card = base;
  card.pruned = true;
  card.pruning.split = split;
  card.pruning.keep_fraction = keep;
  const std::string dir =
      (std::filesystem::path(sc.catalog_path).parent_path() / "variants").string();
  const std::string card_path = dir + "/" + card.Name() + ".json";
  ModelCard existing;
  if (!ReadModelCard(card_path, &existing).ok() || existing.base_sha256 != base.sha256) {
    if (progress) *progress << "coinfer: building " << card.Name() << " (coinfer prune)\n";
    PruneOptions prune;
    prune.card = sc.weights_card;
    prune.split = split;
    prune.keep_fraction = keep;
    prune.fine_tune.epochs = 1;
    prune.fine_tune.learning_rate = 1e-4;
    prune.fine_tune.train_samples = sc.prune_train_samples;
    PruneReport report;
    COINFER_RETURN_IF_ERROR(PruneModel(
        prune, dir, [](const EpochReport&) {}, &report));
    existing = report.card;
  }
  CaptureOptions capture;
  capture.card = card_path;
  capture.codecs = sc.codecs;
  capture.splits = {split};
  capture.samples = sc.compression_samples;
  COINFER_RETURN_IF_ERROR(CaptureToCatalog(capture, &catalog, [](const CatalogEntry&) {}));
  ModelVariant v;
  v.name = existing.Name();
  v.keep_fraction = keep;
  v.split_index = split;
  COINFER_RETURN_IF_ERROR(RecordTrainedGraph(card_path, &v.graph));
  for (const std::string& codec : sc.codecs) {
    bool found = false;
    CatalogEntry e;
    COINFER_RETURN_IF_ERROR(catalog.Find({v.name, existing.sha256, existing.dataset, split, codec},
                                         m->samples, &found, &e));
    if (!found) return Status::IoError(v.name + ": catalog entry missing after capture");
    CutEntry(m->samples, m->validation_samples, &e);  // as the base model's entries
    v.by_codec.push_back(std::move(e));
  }
  m->variants.push_back(std::move(v));
  return Status::Ok();
}

// Measures what the catalog lacks for the scenario's codecs (and the plain
// model at split 0), then loads it.
Status MeasureCompression(const Scenario& sc, const Graph& graph, MeasuredCompression* m,
                          std::ostream* progress) {
  ModelCard card;
  COINFER_RETURN_IF_ERROR(ReadModelCard(sc.weights_card, &card));
  if (card.model != sc.model)
    return sc.KeyError("compression.weights",
                       sc.weights_card + " holds " + card.model + " weights, not " + sc.model);
  std::unique_ptr<CompressionCatalog> catalog;
  COINFER_RETURN_IF_ERROR(CompressionCatalog::Open(sc.catalog_path, &catalog));
  auto report = [progress](const CatalogEntry& e) {
    if (progress)
      *progress << "coinfer: measured " << e.key.codec << " at split " << e.key.split_index << ": "
                << e.MeanBytes() << " B, top-1 " << 100 * e.Accuracy() << "% (validation "
                << 100 * e.ValidationAccuracy() << "%)\n";
  };
  CaptureOptions capture;
  capture.card = sc.weights_card;
  capture.samples = sc.compression_samples;
  capture.codecs = sc.AllCodecs();
  COINFER_RETURN_IF_ERROR(CaptureToCatalog(capture, catalog.get(), report));
  capture.codecs = {"none"};
  capture.splits = {0};
  COINFER_RETURN_IF_ERROR(CaptureToCatalog(capture, catalog.get(), report));
  COINFER_RETURN_IF_ERROR(LoadMeasuredCompression(
      *catalog, card.sha256, card.dataset, sc.AllCodecs(), graph, sc.compression_samples, m));
  for (const auto& [split, keep] : sc.prune)
    COINFER_RETURN_IF_ERROR(AddVariant(sc, card, split, keep, *catalog, m, progress));
  return Status::Ok();
}

}  // namespace

Status PrepareCompression(const Scenario& sc, Graph* graph, MeasuredCompression* compression,
                          std::ostream* progress) {
  if (sc.weights_card.empty()) {
    const Status st = ShapeDeterminedCompression(*graph, sc.AllCodecs(), compression);
    if (!st.ok()) return sc.KeyError("compression.codec", st.message());
  } else {
    COINFER_RETURN_IF_ERROR(MeasureCompression(sc, *graph, compression, progress));
  }
  compression->menu_size = static_cast<int>(sc.codecs.size());
  ApplyMeanSentBytes(*compression, graph);
  return Status::Ok();
}

}  // namespace coinfer
