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
  const int end_cores = obs.end_device().cores(), cloud_cores = obs.cloud_device().cores();
  if (mode_ == Mode::kHeavy)
    return HeavyLoadPartition(*obs.graph, times_, price, end_cores, cloud_cores);
  const Partition cut = MinCutPartition(*obs.graph, times_, price, fixed_ms);
  const bool keeps_up =
      obs.arrival_rate_per_s <= 0 ||
      BottleneckMs(cut, price, end_cores, cloud_cores) < 1e3 / obs.arrival_rate_per_s;
  if (mode_ == Mode::kAuto && !keeps_up)
    return HeavyLoadPartition(*obs.graph, times_, price, end_cores, cloud_cores);
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
          "the minimum cut of the layer DAG at the uplink estimate (DADS); under heavy load, "
          "the partition of the shortest bottleneck stage",
          {{"mode", "auto|light|heavy", "auto",
            "auto: the light-load cut while its bottleneck stage is shorter than the mean time "
            "between arrivals, else the heavy-load partition (DADS's Algorithm 3)"}},
          [](const PolicyArgs& args, std::unique_ptr<Policy>* out) {
            std::string mode;
            COINFER_RETURN_IF_ERROR(args.Choice("mode", {"auto", "light", "heavy"}, &mode));
            *out = std::make_unique<DadsPolicy>(mode == "light"   ? DadsPolicy::Mode::kLight
                                                : mode == "heavy" ? DadsPolicy::Mode::kHeavy
                                                                  : DadsPolicy::Mode::kAuto);
            return Status::Ok();
          }};
}

}  // namespace coinfer
