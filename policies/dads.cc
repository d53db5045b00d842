#include "policies/dads.h"

namespace coinfer {

double PartitionCostMs(const Observation& obs, const std::vector<bool>& on_device) {
  return MakePartition(*obs.graph, LayerTimes::Of(obs), on_device)
      .CostMs(MsPerByte(obs.uplink_estimate_mbps));
}

void DadsPolicy::Prepare(const Observation& obs) {
  graph_ = obs.graph;
  end_ = obs.end_device;
  cloud_ = obs.cloud;
  times_ = LayerTimes::Of(obs);
}

std::vector<int> DadsPolicy::DeviceLayers(const Observation& obs) {
  if (obs.graph != graph_ || obs.end_device != end_ || obs.cloud != cloud_) Prepare(obs);
  const Partition p = MinCutPartition(*graph_, times_, MsPerByte(obs.uplink_estimate_mbps));
  std::vector<int> device;
  for (int v = 0; v < graph_->size(); ++v)
    if (p.on_device[v]) device.push_back(v);
  return device;
}

Plan DadsPolicy::Decide(const Observation& obs) {
  if (obs.graph != graph_ || obs.end_device != end_ || obs.cloud != cloud_) Prepare(obs);
  const Partition p = MinCutPartition(*graph_, times_, MsPerByte(obs.uplink_estimate_mbps));
  return MakePartitionPlan(*graph_, times_, p, obs.uplink_estimate_mbps);
}

}  // namespace coinfer
