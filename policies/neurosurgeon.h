// Neurosurgeon (Kang et al., ASPLOS 2017): the single split point, in
// topological order, that minimises the predicted cost of a request. For
// latency (the default):
//   end-device time of [0, k) + bytes(k) / estimated uplink + cloud time of [k, n).
// For the end device's energy (neurosurgeon@energy, the paper's other mode):
//   compute power · end-device time + transmit power at the estimated rate
//   · transfer time + idle power · cloud time,
// the same states the engine charges (sim/energy.h).
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
  void Prepare(const Observation& observation) override;
  Plan Decide(const Observation& observation) override;

  // The split index (into graph.SplitPoints()) the policy would choose.
  int BestSplit(const Observation& observation);

 private:
  // The predicted cost of split k: milliseconds, or millijoules for energy.
  double Cost(const Observation& observation, size_t k) const;

  Objective objective_;
  PreparedFor prepared_;
  std::vector<double> end_ms_, cloud_ms_;  // compute per split
  std::vector<int64_t> bytes_;             // crossing bytes per split
};

PolicyType NeurosurgeonType();

}  // namespace coinfer
