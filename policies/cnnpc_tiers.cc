#include "policies/cnnpc_tiers.h"

#include <algorithm>

namespace coinfer {

namespace {

// The split points strictly inside the model that `cuts` names (all when empty).
Status ChosenCuts(const Graph& graph, const std::vector<int>& cuts,
                  std::vector<SplitPoint>* chosen) {
  for (const SplitPoint& p : graph.SplitPoints())
    if (p.index > 0 && p.index < graph.size() &&
        (cuts.empty() || std::count(cuts.begin(), cuts.end(), p.index)))
      chosen->push_back(p);
  for (size_t k = 0; k < cuts.size(); ++k) {
    if (k > 0 && cuts[k] <= cuts[k - 1])
      return Status::InvalidInput("", "cuts", "must be ascending");
    if (std::none_of(chosen->begin(), chosen->end(),
                     [&](const SplitPoint& p) { return p.index == cuts[k]; }))
      return Status::InvalidInput("", "cuts",
                                  std::to_string(cuts[k]) + " is not a split point inside " +
                                      graph.model + " (coinfer graph --model " + graph.model + ")");
  }
  return Status::Ok();
}

}  // namespace

Status CheckCnnpcCuts(const Graph& graph, const std::vector<int>& cuts) {
  std::vector<SplitPoint> chosen;
  return ChosenCuts(graph, cuts, &chosen);
}

Status MakeCnnpcTiers(const Graph& graph, const std::vector<int>& cuts, const DeviceModel& end,
                      const DeviceModel& edge, const DeviceModel& cloud, double overhead_ms,
                      CnnpcTiers* out) {
  std::vector<SplitPoint> chosen;
  COINFER_RETURN_IF_ERROR(ChosenCuts(graph, cuts, &chosen));
  CnnpcTiers t;
  t.overhead_ms = overhead_ms;
  t.boundaries.push_back(0);
  t.bytes.push_back(static_cast<double>(graph.TransferBytes(Layer::kModelInput)));
  for (const SplitPoint& p : chosen) {
    t.boundaries.push_back(p.index);
    t.bytes.push_back(static_cast<double>(p.bytes));
  }
  t.boundaries.push_back(graph.size());
  for (size_t k = 0; k + 1 < t.boundaries.size(); ++k) {
    const int begin = t.boundaries[k], finish = t.boundaries[k + 1];
    t.end_ms.push_back(end.SegmentLatencyMs(graph, begin, finish));
    t.edge_ms.push_back(edge.SegmentLatencyMs(graph, begin, finish));
    t.cloud_ms.push_back(cloud.SegmentLatencyMs(graph, begin, finish));
  }
  t.task_ms = {end.task_overhead_ms(), edge.task_overhead_ms(), cloud.task_overhead_ms()};
  *out = std::move(t);
  return Status::Ok();
}

std::string CnnpcPlacement(const CnnpcPoint& p, int segments) {
  if (p.i == segments) return "end";
  std::string s = p.i > 0 ? "end-" : "";
  if (p.i == p.j) return s + "cloud";
  s += "edge";
  return p.j < segments ? s + "-cloud" : s;
}

}  // namespace coinfer
