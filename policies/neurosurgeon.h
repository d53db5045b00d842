// Neurosurgeon (Kang et al., ASPLOS 2017): the single split point, in
// topological order, that minimises predicted
//   end-device time of [0, k) + bytes(k) / estimated uplink + cloud time of [k, n).
// Layer times come from the device models (per-kind regressions, as in the
// paper). The per-split compute times do not depend on the network, so they
// are tabulated once per (graph, devices); a decision is then one pass over
// the split points. Ties go to the earliest split (the less device work).
#pragma once

#include <vector>

#include "sim/policy.h"

namespace coinfer {

class NeurosurgeonPolicy : public Policy {
 public:
  std::string name() const override { return "neurosurgeon"; }
  void Prepare(const Observation& observation) override;
  Plan Decide(const Observation& observation) override;

  // The split index (into graph.SplitPoints()) the policy would choose.
  int BestSplit(const Observation& observation);

 private:
  PreparedFor prepared_;
  std::vector<double> compute_ms_;  // end + cloud compute per split
  std::vector<int64_t> bytes_;      // crossing bytes per split
};

}  // namespace coinfer
