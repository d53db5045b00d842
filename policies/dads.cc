#include "policies/dads.h"

#include <set>

#include "policies/max_flow.h"

namespace coinfer {
namespace {

// Bytes of the tensors a cloud layer reads from the device side (the model
// input counts as the device's), each once.
int64_t CrossingBytes(const Graph& g, const std::vector<bool>& on_device) {
  std::set<int> crossing;
  for (int v = 0; v < g.size(); ++v) {
    if (on_device[v]) continue;
    for (int u : g.layers[v].inputs)
      if (u == Layer::kModelInput || on_device[u]) crossing.insert(u);
  }
  int64_t bytes = 0;
  for (int u : crossing)
    bytes += u == Layer::kModelInput ? g.input_bytes : g.layers[u].output_bytes;
  return bytes;
}

double TransferMs(int64_t bytes, double mbps) { return bytes * 8.0 / (mbps * 1e3); }

}  // namespace

double PartitionCostMs(const Observation& obs, const std::vector<bool>& on_device) {
  const Graph& g = *obs.graph;
  double ms = TransferMs(CrossingBytes(g, on_device), obs.uplink_estimate_mbps);
  for (int v = 0; v < g.size(); ++v) {
    const DeviceModel* site = on_device[v] ? obs.end_device : obs.cloud;
    ms += site->SegmentLatencyMs(g, v, v + 1);
  }
  return ms;
}

void DadsPolicy::Tabulate(const Observation& obs) {
  graph_ = obs.graph;
  end_ = obs.end_device;
  cloud_ = obs.cloud;
  end_ms_.clear();
  cloud_ms_.clear();
  for (int v = 0; v < graph_->size(); ++v) {
    end_ms_.push_back(end_->SegmentLatencyMs(*graph_, v, v + 1));
    cloud_ms_.push_back(cloud_->SegmentLatencyMs(*graph_, v, v + 1));
  }
}

std::vector<int> DadsPolicy::DeviceLayers(const Observation& obs) {
  if (obs.graph != graph_ || obs.end_device != end_ || obs.cloud != cloud_) Tabulate(obs);
  const Graph& g = *graph_;
  const int n = g.size();
  // Nodes: source, sink, the model input, n layers, then one auxiliary node
  // per producer (input first, then layers).
  const int source = 0, sink = 1, input = 2;
  auto layer = [](int v) { return 3 + v; };
  auto aux = [n](int producer) { return 3 + n + 1 + producer; };  // producer -1 is the input
  MaxFlow flow(3 + n + 1 + n);
  flow.AddEdge(source, input, MaxFlow::kInfinity);
  std::vector<bool> has_aux(n + 1, false);
  for (int v = 0; v < n; ++v) {
    flow.AddEdge(source, layer(v), cloud_ms_[v]);
    flow.AddEdge(layer(v), sink, end_ms_[v]);
    for (int u : g.layers[v].inputs) {
      const int producer = u == Layer::kModelInput ? input : layer(u);
      if (!has_aux[u + 1]) {
        has_aux[u + 1] = true;
        const int64_t bytes = u == Layer::kModelInput ? g.input_bytes : g.layers[u].output_bytes;
        flow.AddEdge(producer, aux(u), TransferMs(bytes, obs.uplink_estimate_mbps));
      }
      flow.AddEdge(aux(u), layer(v), MaxFlow::kInfinity);
      flow.AddEdge(layer(v), producer, MaxFlow::kInfinity);  // no device layer after a cloud one
    }
  }
  flow.Run(source, sink);
  const std::vector<bool> device_side = flow.SourceSide(source);
  std::vector<int> device;
  for (int v = 0; v < n; ++v)
    if (device_side[layer(v)]) device.push_back(v);
  return device;
}

Plan DadsPolicy::Decide(const Observation& obs) {
  const std::vector<int> device = DeviceLayers(obs);
  const Graph& g = *obs.graph;
  std::vector<bool> on_device(g.size(), false);
  for (int v : device) on_device[v] = true;
  Plan plan;
  auto add = [&plan](Stage s) {
    if (!plan.stages.empty()) s.deps = {static_cast<int>(plan.stages.size()) - 1};
    plan.predicted_ms += s.predicted_ms;
    plan.stages.push_back(std::move(s));
  };
  Stage local, send, remote;
  local.site = Site::kEndDevice;
  remote.site = Site::kCloud;
  for (int v = 0; v < g.size(); ++v) {
    (on_device[v] ? local : remote).layers.push_back(v);
    (on_device[v] ? local : remote).predicted_ms += on_device[v] ? end_ms_[v] : cloud_ms_[v];
  }
  send.kind = Stage::Kind::kTransfer;
  send.site = Site::kEndDevice;
  send.to = Site::kCloud;
  send.bytes = CrossingBytes(g, on_device);
  send.predicted_ms = TransferMs(send.bytes, obs.uplink_estimate_mbps);
  if (!local.layers.empty()) add(local);
  if (!remote.layers.empty()) {
    add(send);
    add(remote);
  }
  // A cut that is a prefix at a split point is also reported as that split.
  const int k = static_cast<int>(device.size());
  const bool prefix = device.empty() || device.back() == k - 1;
  const auto points = g.SplitPoints();
  for (size_t i = 0; i < points.size() && prefix; ++i)
    if (points[i].index == k) plan.split = static_cast<int>(i);
  return plan;
}

}  // namespace coinfer
