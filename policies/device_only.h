// device-only: the whole model runs on the end device; nothing is sent.
#pragma once

#include "policies/policy_type.h"

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

inline PolicyType DeviceOnlyType() {
  return {"device-only",
          "the whole model on the end device; nothing is sent",
          {},
          [](const PolicyArgs&, std::unique_ptr<Policy>* out) {
            *out = std::make_unique<DeviceOnlyPolicy>();
            return Status::Ok();
          }};
}

}  // namespace coinfer
