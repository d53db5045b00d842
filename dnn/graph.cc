#include "dnn/graph.h"

#include <set>

namespace coinfer {

const char* LayerKindName(LayerKind kind) {
  switch (kind) {
    case LayerKind::kConv:
      return "conv";
    case LayerKind::kDepthwiseConv:
      return "dwconv";
    case LayerKind::kLinear:
      return "linear";
    case LayerKind::kBatchNorm:
      return "batchnorm";
    case LayerKind::kActivation:
      return "activation";
    case LayerKind::kMaxPool:
      return "maxpool";
    case LayerKind::kAvgPool:
      return "avgpool";
    case LayerKind::kAdd:
      return "add";
    case LayerKind::kConcat:
      return "concat";
    case LayerKind::kFlatten:
      return "flatten";
    case LayerKind::kAttention:
      return "attention";
  }
  return "unknown";
}

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeText(const Shape& shape) {
  std::string t;
  for (int64_t d : shape) t += (t.empty() ? "" : "x") + std::to_string(d);
  return t;
}

std::string InputShapesText(const Layer& layer) {
  std::string t;
  for (const Shape& s : layer.input_shapes) t += (t.empty() ? "" : ";") + ShapeText(s);
  return t;
}

int64_t Graph::TotalMacs() const {
  int64_t total = 0;
  for (const Layer& l : layers) total += l.macs;
  return total;
}

bool Graph::IsChain() const {
  for (int i = 0; i < size(); ++i) {
    const int expected = i == 0 ? Layer::kModelInput : i - 1;
    if (layers[i].inputs.size() != 1 || layers[i].inputs[0] != expected) return false;
  }
  return true;
}

std::vector<SplitPoint> Graph::SplitPoints() const {
  // last_use[u]: the last layer reading u's output (model input is u = -1).
  std::vector<int> last_use(layers.size() + 1, -2);
  for (int v = 0; v < size(); ++v)
    for (int u : layers[v].inputs) last_use[u + 1] = std::max(last_use[u + 1], v);

  std::vector<SplitPoint> points;
  std::set<int> live;  // producers (< k) whose output is read at or after k
  for (int k = 0; k <= size(); ++k) {
    if (k == 0) {
      live.insert(Layer::kModelInput);
    } else {
      live.insert(k - 1);
      for (auto it = live.begin(); it != live.end();)
        it = last_use[*it + 1] < k ? live.erase(it) : std::next(it);
    }
    if (k == size()) {
      points.push_back({k, k - 1, 0});
    } else if (live.size() == 1) {
      const int src = *live.begin();
      points.push_back({k, src, TransferBytes(src)});
    }
  }
  return points;
}

int64_t Graph::TransferBytes(int source) const {
  if (!sent_bytes.empty()) return sent_bytes.at(source + 1);
  return source == Layer::kModelInput ? input_bytes : layers[source].output_bytes;
}

std::vector<std::vector<int>> LayerConsumers(const Graph& g) {
  std::vector<std::vector<int>> consumers(g.size());
  for (int v = 0; v < g.size(); ++v)
    for (int u : g.layers[v].inputs)
      if (u != Layer::kModelInput) consumers[u].push_back(v);
  return consumers;
}

}  // namespace coinfer
