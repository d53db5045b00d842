// device-only: the whole model runs on the end device; nothing is sent.
#pragma once

#include "sim/policy.h"

namespace coinfer {

class DeviceOnlyPolicy : public Policy {
 public:
  std::string name() const override { return "device-only"; }
  bool NeedsCloud() const override { return false; }
  Plan Decide(const Observation& observation) override {
    return MakeSplitPlan(observation,
                         static_cast<int>(observation.graph->SplitPoints().size()) - 1);
  }
};

}  // namespace coinfer
