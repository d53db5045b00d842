#include "policies/dads.h"

namespace coinfer {

double PartitionCostMs(const Observation& obs, const std::vector<bool>& on_device) {
  return MakePartition(*obs.graph, LayerTimes::Of(obs), on_device)
      .TotalMs(MsPerByte(obs.uplink_estimate_mbps), OffloadFixedMs(obs));
}

void DadsPolicy::Prepare(const Observation& obs) {
  prepared_ = PreparedFor::Of(obs);
  times_ = LayerTimes::Of(obs);
}

std::vector<int> DadsPolicy::DeviceLayers(const Observation& obs) {
  if (!prepared_.Matches(obs)) Prepare(obs);
  const Partition p =
      MinCutPartition(*obs.graph, times_, MsPerByte(obs.uplink_estimate_mbps), OffloadFixedMs(obs));
  std::vector<int> device;
  for (int v = 0; v < obs.graph->size(); ++v)
    if (p.on_device[v]) device.push_back(v);
  return device;
}

Plan DadsPolicy::Decide(const Observation& obs) {
  if (!prepared_.Matches(obs)) Prepare(obs);
  const Partition p =
      MinCutPartition(*obs.graph, times_, MsPerByte(obs.uplink_estimate_mbps), OffloadFixedMs(obs));
  return MakePartitionPlan(obs, p);
}

PolicyType DadsType() {
  return {"dads",
          "the minimum cut of the layer DAG at the uplink estimate (DADS)",
          {},
          [](const PolicyArgs&, std::unique_ptr<Policy>* out) {
            *out = std::make_unique<DadsPolicy>();
            return Status::Ok();
          }};
}

}  // namespace coinfer
