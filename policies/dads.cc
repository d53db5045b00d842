#include "policies/dads.h"

namespace coinfer {

double PartitionCostMs(const Observation& obs, const std::vector<bool>& on_device) {
  return MakePartition(*obs.graph, LayerTimes::Of(obs), on_device)
      .TotalMs(MsPerByte(obs.uplink_estimate_mbps), OffloadFixedMs(obs));
}

void DadsPolicy::Prepare(const Observation& obs) {
  prepared_ = PreparedFor::Of(obs);
  times_ = LayerTimes::Of(obs);
  cloud_only_ = MakePartition(*obs.graph, times_, std::vector<bool>(obs.graph->size(), false));
}

Partition DadsPolicy::Choose(const Observation& obs) {
  if (!prepared_.Matches(obs)) Prepare(obs);
  const double price = MsPerByte(obs.uplink_estimate_mbps);
  const double fixed_ms = OffloadFixedMs(obs);
  const Partition cut = MinCutPartition(*obs.graph, times_, price, fixed_ms);
  return WithEndDeviceWait(cut, cloud_only_, price, fixed_ms, obs.WaitMs(obs.end));
}

std::vector<int> DadsPolicy::DeviceLayers(const Observation& obs) {
  const Partition p = Choose(obs);
  std::vector<int> device;
  for (int v = 0; v < obs.graph->size(); ++v)
    if (p.on_device[v]) device.push_back(v);
  return device;
}

Plan DadsPolicy::Decide(const Observation& obs) { return MakePartitionPlan(obs, Choose(obs)); }

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
