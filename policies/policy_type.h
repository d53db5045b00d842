// PolicyType: what the registry knows of a policy, in the manner of ns-3
// attributes: its name, what it does, and each parameter with the values it
// takes, its default and its help, so `coinfer run --help` lists them and a
// bad value gets the policy's own message. A policy is written
// name[@param=value,...] (jmdc@accuracy=0.9, cic@mode=throughput).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "sim/policy.h"

namespace coinfer {

struct PolicyParam {
  std::string name;
  std::string values;         // what it takes: "latency|energy", "a number in [0, 1]"
  std::string default_value;  // empty: none (the policy says whether it is needed)
  std::string help;
};

// The parameters of one policy spec, defaults applied.
class PolicyArgs {
 public:
  PolicyArgs(std::string spec, std::map<std::string, std::string> values)
      : spec_(std::move(spec)), values_(std::move(values)) {}
  const std::string& spec() const { return spec_; }
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The value of `name`; "" when neither given nor defaulted.
  std::string Get(const std::string& name) const;
  // `name` as a number in [lo, hi]; otherwise an error naming the spec, the
  // parameter and `expected`.
  Status Number(const std::string& name, double lo, double hi, const std::string& expected,
                double* out) const;
  // `name` as one of `choices`; otherwise an error that lists them.
  Status Choice(const std::string& name, const std::vector<std::string>& choices,
                std::string* out) const;
  // An input error about this spec.
  Status Error(const std::string& reason) const;

 private:
  std::string spec_;
  std::map<std::string, std::string> values_;
};

struct PolicyType {
  std::string name;
  std::string help;
  std::vector<PolicyParam> params;
  std::function<Status(const PolicyArgs&, std::unique_ptr<Policy>*)> create;
};

}  // namespace coinfer
