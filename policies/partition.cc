#include "policies/partition.h"

#include <algorithm>
#include <set>

#include "policies/max_flow.h"

namespace coinfer {

LayerTimes LayerTimes::Of(const Observation& obs) {
  LayerTimes t;
  const Graph& g = *obs.graph;
  for (int v = 0; v < g.size(); ++v) {
    t.end_ms.push_back(obs.ComputeMs(obs.end, obs.end_device().SegmentLatencyMs(g, v, v + 1)));
    t.cloud_ms.push_back(
        obs.ComputeMs(obs.cloud, obs.cloud_device().SegmentLatencyMs(g, v, v + 1)));
  }
  t.end_task_ms = obs.ComputeMs(obs.end, obs.end_device().task_overhead_ms());
  t.cloud_task_ms = obs.ComputeMs(obs.cloud, obs.cloud_device().task_overhead_ms());
  return t;
}

Partition MakePartition(const Graph& g, const LayerTimes& times, std::vector<bool> on_device) {
  Partition p;
  std::set<int> crossing;
  for (int v = 0; v < g.size(); ++v) {
    (on_device[v] ? p.device_ms : p.cloud_ms) += on_device[v] ? times.end_ms[v] : times.cloud_ms[v];
    if (on_device[v]) continue;
    for (int u : g.layers[v].inputs)
      if (u == Layer::kModelInput || on_device[u]) crossing.insert(u);
  }
  for (int u : crossing) p.bytes += g.TransferBytes(u);
  // A side that runs anything pays its device's per-task overhead once.
  if (std::find(on_device.begin(), on_device.end(), true) != on_device.end())
    p.device_ms += times.end_task_ms;
  p.offloads = std::find(on_device.begin(), on_device.end(), false) != on_device.end();
  if (p.offloads) p.cloud_ms += times.cloud_task_ms;
  p.compute_ms = p.device_ms + p.cloud_ms;
  p.on_device = std::move(on_device);
  return p;
}

Partition MinCutPartition(const Graph& g, const LayerTimes& times, double ms_per_byte,
                          double fixed_ms) {
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
    flow.AddEdge(source, layer(v), times.cloud_ms[v]);
    flow.AddEdge(layer(v), sink, times.end_ms[v]);
    for (int u : g.layers[v].inputs) {
      const int producer = u == Layer::kModelInput ? input : layer(u);
      if (!has_aux[u + 1]) {
        has_aux[u + 1] = true;
        const int64_t bytes = g.TransferBytes(u);
        flow.AddEdge(producer, aux(u), ms_per_byte * bytes);
      }
      flow.AddEdge(aux(u), layer(v), MaxFlow::kInfinity);
      flow.AddEdge(layer(v), producer, MaxFlow::kInfinity);  // no device layer after a cloud one
    }
  }
  flow.Run(source, sink);
  const std::vector<bool> device_side = flow.SourceSide(source);
  std::vector<bool> on_device(n);
  for (int v = 0; v < n; ++v) on_device[v] = device_side[layer(v)];
  Partition best = MakePartition(g, times, std::move(on_device));
  // Per-task overheads and the result's way back are not edges of the cut: a
  // split pays both overheads and the way back, running everything on the
  // device one overhead, in the cloud one overhead and the way back. If the
  // cut is a split it is the cheapest split, and no split beats a one-sided
  // cut, so comparing it with the two one-sided partitions is exact (and
  // needless without these, when the one-sided partitions are cuts like any
  // other).
  if (times.end_task_ms == 0 && times.cloud_task_ms == 0 && fixed_ms == 0) return best;
  for (bool side : {true, false}) {
    Partition one_sided = MakePartition(g, times, std::vector<bool>(n, side));
    if (one_sided.TotalMs(ms_per_byte, fixed_ms) < best.TotalMs(ms_per_byte, fixed_ms))
      best = std::move(one_sided);
  }
  return best;
}

double BottleneckMs(const Partition& p, double ms_per_byte, int end_cores, int cloud_cores) {
  return std::max({p.device_ms / end_cores, ms_per_byte * p.bytes, p.cloud_ms / cloud_cores});
}

Partition HeavyLoadPartition(const Graph& g, const LayerTimes& times, double ms_per_byte,
                             int end_cores, int cloud_cores, int rounds) {
  const int n = g.size();
  auto better = [&](const Partition& a, const Partition& b) {
    const double ba = BottleneckMs(a, ms_per_byte, end_cores, cloud_cores);
    const double bb = BottleneckMs(b, ms_per_byte, end_cores, cloud_cores);
    return ba < bb || (ba == bb && a.CostMs(ms_per_byte) < b.CostMs(ms_per_byte));
  };
  // Every prefix of the layer order (device-only and cloud-only among them)
  // is closed under predecessors.
  Partition best = MakePartition(g, times, std::vector<bool>(n, true));
  for (int k = 0; k < n; ++k) {
    std::vector<bool> on_device(n, false);
    std::fill(on_device.begin(), on_device.begin() + k, true);
    Partition prefix = MakePartition(g, times, std::move(on_device));
    if (better(prefix, best)) best = std::move(prefix);
  }
  double device_weight = 1, link_weight = 1, cloud_weight = 1;
  for (int round = 0; round < rounds; ++round) {
    LayerTimes weighted = times;
    for (double& ms : weighted.end_ms) ms *= device_weight / end_cores;
    for (double& ms : weighted.cloud_ms) ms *= cloud_weight / cloud_cores;
    weighted.end_task_ms *= device_weight / end_cores;
    weighted.cloud_task_ms *= cloud_weight / cloud_cores;
    const Partition cut = MakePartition(
        g, times, MinCutPartition(g, weighted, link_weight * ms_per_byte, 0).on_device);
    if (better(cut, best)) best = cut;
    const double device = cut.device_ms / end_cores, link = ms_per_byte * cut.bytes,
                 cloud = cut.cloud_ms / cloud_cores;
    if (device >= link && device >= cloud) {
      device_weight *= 1.5;
    } else if (link >= cloud) {
      link_weight *= 1.5;
    } else {
      cloud_weight *= 1.5;
    }
  }
  return best;
}

double OffloadFixedMs(const Observation& obs) {
  return obs.TransferMs(obs.end, obs.cloud, 0) + obs.ResultReturnMs(obs.cloud);
}

bool ComputesOnDevice(const Partition& p) {
  return std::find(p.on_device.begin(), p.on_device.end(), true) != p.on_device.end();
}

const Partition& WithEndDeviceWait(const Partition& best, const Partition& cloud_only,
                                   double ms_per_byte, double fixed_ms, double end_wait_ms) {
  if (!ComputesOnDevice(best)) return best;
  return cloud_only.TotalMs(ms_per_byte, fixed_ms) <
                 best.TotalMs(ms_per_byte, fixed_ms) + end_wait_ms
             ? cloud_only
             : best;
}

Plan MakePartitionPlan(const Observation& obs, const Partition& p) {
  const Graph& g = *obs.graph;
  Plan plan;
  auto add = [&plan](Stage s) {
    if (!plan.stages.empty()) s.deps = {static_cast<int>(plan.stages.size()) - 1};
    plan.stages.push_back(std::move(s));
  };
  Stage local, send, remote;
  local.site = obs.end;
  remote.site = obs.cloud;
  for (int v = 0; v < g.size(); ++v) (p.on_device[v] ? local : remote).layers.push_back(v);
  local.predicted_ms = p.device_ms;
  remote.predicted_ms = p.cloud_ms;
  send.kind = Stage::Kind::kTransfer;
  send.site = obs.end;
  send.to = obs.cloud;
  send.bytes = p.bytes;
  send.predicted_ms = obs.TransferMs(obs.end, obs.cloud, p.bytes);
  if (!local.layers.empty()) add(local);
  if (!remote.layers.empty()) {
    add(send);
    add(remote);
  }
  // A device side that is a prefix at a split point is also reported as that
  // split (before FinishPlan: the crossing tensor is then that split's, encoded).
  const int k = static_cast<int>(local.layers.size());
  const bool prefix = local.layers.empty() || local.layers.back() == k - 1;
  const auto points = g.SplitPoints();
  for (size_t i = 0; i < points.size() && prefix; ++i)
    if (points[i].index == k) plan.split = static_cast<int>(i);
  FinishPlan(obs, &plan);
  return plan;
}

}  // namespace coinfer
