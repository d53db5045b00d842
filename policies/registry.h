// The policies by name. sim/ never names a policy; the command line and
// scenarios do, through this registry.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/policy.h"

namespace coinfer {

std::vector<std::string> PolicyNames();

// A new policy of that name, or null if there is none.
std::unique_ptr<Policy> CreatePolicy(const std::string& name);

}  // namespace coinfer
