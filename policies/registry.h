// The policies by name. sim/ never names a policy; the command line and
// scenarios do, through this registry. A policy is written
// name[@param=value,...] (policies/policy_type.h); the older spellings
// name@param:value and name@value (the first parameter) still work.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policies/policy_type.h"

namespace coinfer {

// Every policy type, in the order the help lists them.
const std::vector<PolicyType>& PolicyTypes();

// A new policy for `spec`; otherwise an InvalidInput whose message names the
// spec and what is wrong (an unknown policy or parameter, a bad value).
Status CreatePolicy(const std::string& spec, std::unique_ptr<Policy>* out);

// The `policies` key's list: commas separate policies, except that an item
// param=value (or param:value) after a policy with parameters is one more of
// them ("jmdc@accuracy=0.9,neurosurgeon" is two policies).
std::vector<std::string> SplitPolicyList(const std::string& text);

// Each policy type with its parameters, for --help.
std::string PolicyHelp();

}  // namespace coinfer
