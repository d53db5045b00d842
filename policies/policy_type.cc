#include "policies/policy_type.h"

#include "base/parse.h"

namespace coinfer {

std::string PolicyArgs::Get(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? "" : it->second;
}

Status PolicyArgs::Number(const std::string& name, double lo, double hi,
                          const std::string& expected, double* out) const {
  if (ParseNumber(Get(name), out) && *out >= lo && *out <= hi) return Status::Ok();
  return Error(name + " must be " + expected + ", got '" + Get(name) + "'");
}

Status PolicyArgs::Choice(const std::string& name, const std::vector<std::string>& choices,
                          std::string* out) const {
  for (const std::string& c : choices)
    if (Get(name) == c) {
      *out = c;
      return Status::Ok();
    }
  return Error(name + " must be one of " + Join(choices, ", ") + ", got '" + Get(name) + "'");
}

Status PolicyArgs::Error(const std::string& reason) const {
  return Status::InvalidInput("", "", spec_ + ": " + reason);
}

}  // namespace coinfer
