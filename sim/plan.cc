#include "sim/plan.h"

#include "sim/policy.h"

namespace coinfer {

std::string LayersText(const std::vector<int>& layers) {
  std::string text;
  for (size_t i = 0; i < layers.size();) {
    size_t j = i;
    while (j + 1 < layers.size() && layers[j + 1] == layers[j] + 1) ++j;
    text += (text.empty() ? "" : ",") + std::to_string(layers[i]);
    if (j > i) text += "-" + std::to_string(layers[j]);
    i = j + 1;
  }
  return text;
}

const char* SiteName(Site site) { return site == Site::kEndDevice ? "end" : "cloud"; }

Plan MakeSplitPlan(const Observation& obs, int split) {
  const Graph& g = *obs.graph;
  const SplitPoint point = g.SplitPoints().at(split);
  Plan plan;
  plan.split = split;
  auto add = [&plan](Stage s) {
    if (!plan.stages.empty()) s.deps = {static_cast<int>(plan.stages.size()) - 1};
    plan.predicted_ms += s.predicted_ms;
    plan.stages.push_back(std::move(s));
  };
  if (point.index > 0) {
    Stage s;
    s.site = Site::kEndDevice;
    for (int i = 0; i < point.index; ++i) s.layers.push_back(i);
    s.predicted_ms = obs.end_device->SegmentLatencyMs(g, 0, point.index);
    add(s);
  }
  if (point.index < g.size()) {
    Stage t;
    t.kind = Stage::Kind::kTransfer;
    t.site = Site::kEndDevice;
    t.to = Site::kCloud;
    t.bytes = point.bytes;
    t.predicted_ms = point.bytes * 8.0 / (obs.uplink_estimate_mbps * 1e3);
    add(t);
    Stage s;
    s.site = Site::kCloud;
    for (int i = point.index; i < g.size(); ++i) s.layers.push_back(i);
    s.predicted_ms = obs.cloud->SegmentLatencyMs(g, point.index, g.size());
    add(s);
  }
  return plan;
}

}  // namespace coinfer
