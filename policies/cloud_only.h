// cloud-only: the end device sends its raw input tensor (fp32, as captured)
// and the whole model runs in the cloud.
#pragma once

#include "sim/policy.h"

namespace coinfer {

class CloudOnlyPolicy : public Policy {
 public:
  std::string name() const override { return "cloud-only"; }
  Plan Decide(const Observation& observation) override { return MakeSplitPlan(observation, 0); }
};

}  // namespace coinfer
