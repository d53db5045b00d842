// The policies by name. sim/ never names a policy; the command line and
// scenarios do, through this registry.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/policy.h"

namespace coinfer {

std::vector<std::string> PolicyNames();

// A new policy of that name, or null if there is none. A policy with a
// requirement takes it after '@' (jmdc@accuracy:0.9, jmdc@latency:40).
std::unique_ptr<Policy> CreatePolicy(const std::string& name);

}  // namespace coinfer
