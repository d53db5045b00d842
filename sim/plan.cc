#include "sim/plan.h"

#include "sim/policy.h"

namespace coinfer {

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
    s.layer_begin = 0;
    s.layer_end = point.index;
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
    s.layer_begin = point.index;
    s.layer_end = g.size();
    s.predicted_ms = obs.cloud->SegmentLatencyMs(g, point.index, g.size());
    add(s);
  }
  return plan;
}

}  // namespace coinfer
