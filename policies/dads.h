// DADS (Hu et al., INFOCOM 2019): the layer DAG cut in two by an s-t minimum
// cut, device on the source side, cloud on the sink side. Graph: source -> v
// with v's cloud time, v -> sink with v's device time; each producer p (the
// model input or a layer) gets an auxiliary node p' with p -> p' of p's
// transfer time (bytes / estimated uplink) and p' -> consumer of infinite
// capacity, so a tensor that several cloud layers read is paid once; every
// data edge u -> v also gets v -> u of infinite capacity, so a device layer
// never waits for a cloud one; the input is pinned to the device. Per-layer
// times are the device models' (measured rows where they have them). The
// crossing tensors travel as one message. Choices: the device part runs as one
// stage even when it is not a prefix of the topological order; what every
// partition that offloads pays whatever its bytes (the result's way back, the
// uplink's fixed latency: OffloadFixedMs) is weighed by comparing the cut
// with running everything on the device (policies/partition.h), and the end
// device's forecast wait, paid by every partition that computes there, by
// comparing the result with cloud-only (WithEndDeviceWait).
//
// Load (the paper's Algorithm 3): that light-load cut stands while its
// pipeline keeps up with the arrivals, its bottleneck stage (BottleneckMs)
// shorter than 1 / Q at the arrival rate Q; otherwise DADS is heavily loaded
// and takes the heavy-load partition (HeavyLoadPartition), which maximises
// throughput instead. `mode` fixes either.
#pragma once

#include <vector>

#include "policies/partition.h"
#include "policies/policy_type.h"

namespace coinfer {

class DadsPolicy : public Policy {
 public:
  enum class Mode { kAuto, kLight, kHeavy };
  explicit DadsPolicy(Mode mode = Mode::kAuto) : mode_(mode) {}
  std::string name() const override {
    return mode_ == Mode::kAuto ? "dads" : mode_ == Mode::kLight ? "dads@light" : "dads@heavy";
  }
  DeviceKnowledge PaperKnowledge() const override { return DeviceKnowledge::kRegression; }
  void Prepare(const Observation& observation) override;
  Plan Decide(const Observation& observation) override;

  // The cut's device layers (ascending) for this observation.
  std::vector<int> DeviceLayers(const Observation& observation);

 private:
  // The minimum cut, or cloud-only when the end device's wait makes it
  // faster; under heavy load, the heavy-load partition.
  Partition Choose(const Observation& observation);

  Mode mode_;
  PreparedFor prepared_;
  LayerTimes times_;
  Partition cloud_only_;
};

// The predicted cost of running `device_layers` on the end device and the
// rest in the cloud, with the tensors that cross sent at `uplink_mbps`: the
// objective DADS minimises. For tests and for comparing partitions.
double PartitionCostMs(const Observation& observation, const std::vector<bool>& on_device);

PolicyType DadsType();

}  // namespace coinfer
