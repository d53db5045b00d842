// Neurosurgeon (Kang et al., ASPLOS 2017): the single split point, in
// topological order, that minimises the predicted cost of a request. For
// latency (the default):
//   end-device time of [0, k) + the predicted transfer of bytes(k) over the
//   uplink (Observation::TransferMs) + cloud time of [k, n) + the result's way
//   back (Observation::ResultReturnMs) when k < n, + the waits for the
//   sites' cores (Observation::WaitMs: the end device's now, the cloud's when
//   the tensor arrives), so that a busy end device offloads sooner.
// For the end device's energy (neurosurgeon@objective=energy, the paper's
// other mode):
//   compute power · end-device time + transmit power at the estimated rate
//   · transfer time + idle power · (cloud time + the result's way back),
// the same states the engine charges (sim/energy.h). The paper leaves the
// result's way back out (a class index is small); it is counted here because
// the testbed measures a request until its result is on the end device.
// Layer times come from the device models (per-kind regressions, as in the
// paper). The per-split compute times do not depend on the network, so they
// are tabulated once per (graph, devices); a decision is then one pass over
// the split points. Ties go to the earliest split (the less device work).
#pragma once

#include <vector>

#include "policies/policy_type.h"

namespace coinfer {

class NeurosurgeonPolicy : public Policy {
 public:
  enum class Objective { kLatency, kEnergy };
  explicit NeurosurgeonPolicy(Objective objective = Objective::kLatency) : objective_(objective) {}

  std::string name() const override {
    return objective_ == Objective::kEnergy ? "neurosurgeon@energy" : "neurosurgeon";
  }
  bool NeedsEndDevicePower() const override { return objective_ == Objective::kEnergy; }
  DeviceKnowledge PaperKnowledge() const override { return DeviceKnowledge::kRegression; }
  void Prepare(const Observation& observation) override;
  Plan Decide(const Observation& observation) override;

  // The split index (into graph.SplitPoints()) the policy would choose.
  int BestSplit(const Observation& observation);

 private:
  // The predicted cost of split k, the result's way back (result_ms) included
  // when it offloads: milliseconds, or millijoules for energy.
  double Cost(const Observation& observation, size_t k, double result_ms) const;

  Objective objective_;
  PreparedFor prepared_;
  std::vector<double> end_ms_, cloud_ms_;  // compute per split
  std::vector<int64_t> bytes_;             // crossing bytes per split
  std::vector<bool> offloads_;             // per split: the cloud computes, the result comes back
};

PolicyType NeurosurgeonType();

}  // namespace coinfer
