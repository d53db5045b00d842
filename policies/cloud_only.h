// cloud-only: the end device sends its raw input tensor (fp32, as captured)
// and the whole model runs in the cloud.
#pragma once

#include "policies/policy_type.h"

namespace coinfer {

class CloudOnlyPolicy : public Policy {
 public:
  std::string name() const override { return "cloud-only"; }
  Plan Decide(const Observation& observation) override { return MakeSplitPlan(observation, 0); }
};

inline PolicyType CloudOnlyType() {
  return {"cloud-only",
          "the raw input is sent; the whole model runs in the cloud",
          {},
          [](const PolicyArgs&, std::unique_ptr<Policy>* out) {
            *out = std::make_unique<CloudOnlyPolicy>();
            return Status::Ok();
          }};
}

}  // namespace coinfer
