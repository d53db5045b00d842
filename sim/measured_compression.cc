#include "sim/measured_compression.h"

#include <algorithm>
#include <cmath>

#include "compress/codec.h"

namespace coinfer {

const CatalogEntry* MeasuredCompression::Find(int codec, int split_index) const {
  const auto& entries = at_split.at(codec);
  auto it = entries.find(split_index);
  return it == entries.end() ? nullptr : &it->second;
}

int MeasuredCompression::CodecIndex(const std::string& codec) const {
  for (size_t i = 0; i < codecs.size(); ++i)
    if (codecs[i] == codec) return static_cast<int>(i);
  return -1;
}

double MeasuredCompression::PlainValidationAccuracy() const {
  if (plain_validation_correct.empty()) return 0;
  int64_t correct = 0;
  for (uint8_t c : plain_validation_correct) correct += c;
  return static_cast<double>(correct) / plain_validation_correct.size();
}

Status LoadMeasuredCompression(CompressionCatalog& catalog, const std::string& weights_sha256,
                               const std::string& dataset, const std::vector<std::string>& codecs,
                               const Graph& graph, int64_t samples, MeasuredCompression* out) {
  MeasuredCompression m;
  m.codecs = codecs;
  const std::vector<SplitPoint> points = graph.SplitPoints();
  for (const std::string& codec : codecs) {
    std::map<int, CatalogEntry>& entries = m.at_split.emplace_back();
    for (size_t i = 0; i + 1 < points.size(); ++i) {
      const CatalogKey key{graph.model, weights_sha256, dataset, points[i].index, codec};
      bool found = false;
      CatalogEntry entry;
      COINFER_RETURN_IF_ERROR(catalog.Find(key, 1, &found, &entry));
      if (!found)
        return Status::InvalidInput("", "compression.codec",
                                    "the catalog has no '" + codec + "' at split " +
                                        std::to_string(points[i].index) + " of these " +
                                        graph.model + " weights (coinfer capture --model " +
                                        graph.model + " --codec " + codec + ")");
      if (m.samples == 0 || entry.samples() < m.samples) m.samples = entry.samples();
      entries.emplace(points[i].index, std::move(entry));
    }
  }
  bool found = false;
  CatalogEntry plain;
  COINFER_RETURN_IF_ERROR(
      catalog.Find({graph.model, weights_sha256, dataset, 0, "none"}, m.samples, &found, &plain));
  if (!found)
    return Status::InvalidInput("", "compression.codec",
                                "the catalog has no 'none' at split 0 of these " + graph.model +
                                    " weights (coinfer capture --model " + graph.model +
                                    " --codec none --split 0)");
  // The same samples for every entry, whatever earlier runs stored.
  if (samples > 0) m.samples = std::min(m.samples, samples);
  m.validation_samples = static_cast<int64_t>(plain.validation_correct.size());
  for (const auto& entries : m.at_split)
    for (const auto& [index, e] : entries)
      m.validation_samples =
          std::min(m.validation_samples, static_cast<int64_t>(e.validation_correct.size()));
  // As many as a capture on m.samples test samples measures: at most that many.
  m.validation_samples = std::min(m.validation_samples, m.samples);
  for (auto& entries : m.at_split)
    for (auto& [index, e] : entries) CutEntry(m.samples, m.validation_samples, &e);
  CutEntry(m.samples, m.validation_samples, &plain);
  m.plain_correct = std::move(plain.correct);
  m.plain_validation_correct = std::move(plain.validation_correct);
  *out = std::move(m);
  return Status::Ok();
}

void CutEntry(int64_t samples, int64_t validation_samples, CatalogEntry* e) {
  const size_t n = static_cast<size_t>(samples);
  for (auto* v : {&e->sample_bytes, &e->then_bytes}) v->resize(std::min(v->size(), n));
  for (auto* v : {&e->correct, &e->agrees}) v->resize(std::min(v->size(), n));
  e->validation_correct.resize(
      std::min(e->validation_correct.size(), static_cast<size_t>(validation_samples)));
}

Status ShapeDeterminedCompression(const Graph& graph, const std::vector<std::string>& codecs,
                                  MeasuredCompression* out) {
  MeasuredCompression m;
  m.codecs = codecs;
  m.samples = 1;
  const std::vector<SplitPoint> points = graph.SplitPoints();
  for (const std::string& codec : codecs) {
    CodecSpec spec;
    COINFER_RETURN_IF_ERROR(ParseCodecSpec(codec, &spec));
    std::map<int, CatalogEntry>& entries = m.at_split.emplace_back();
    for (size_t i = 0; i + 1 < points.size(); ++i) {
      const int source = points[i].source;
      const Shape& shape =
          source == Layer::kModelInput ? graph.input_shape : graph.layers[source].output_shape;
      CatalogEntry entry;
      entry.key = {graph.model, "", "", points[i].index, codec};
      entry.raw_bytes = points[i].bytes;
      int64_t bytes = 0;
      if (!ShapeDeterminedBytes(spec, Shape(shape.begin() + 1, shape.end()), &bytes))
        return Status::InvalidInput(
            "", "",
            "'" + codec + "' sends data-dependent sizes, and " + graph.model +
                " has no trained weights to measure them on (shape-determined codecs: channels, "
                "fp16, quant)");
      entry.sample_bytes = {bytes};
      entries.emplace(points[i].index, std::move(entry));
    }
  }
  *out = std::move(m);
  return Status::Ok();
}

void ApplyMeanSentBytes(const MeasuredCompression& compression, Graph* graph) {
  std::vector<int64_t> sent(graph->size() + 1);
  sent[0] = graph->input_bytes;
  for (int i = 0; i < graph->size(); ++i) sent[i + 1] = graph->layers[i].output_bytes;
  for (const SplitPoint& p : graph->SplitPoints())
    if (const CatalogEntry* e = compression.Find(0, p.index))
      sent[p.source + 1] = std::llround(e->MeanBytes());
  graph->sent_bytes = std::move(sent);
}

}  // namespace coinfer
