#include "policies/registry.h"

#include <functional>
#include <map>

#include "policies/cic.h"
#include "policies/cloud_only.h"
#include "policies/dads.h"
#include "policies/device_only.h"
#include "policies/jmdc.h"
#include "policies/neurosurgeon.h"

namespace coinfer {
namespace {

using Factory = std::function<std::unique_ptr<Policy>()>;

template <class P>
Factory Make() {
  return [] { return std::make_unique<P>(); };
}

const std::map<std::string, Factory>& Registry() {
  static const std::map<std::string, Factory> registry = {
      {"device-only", Make<DeviceOnlyPolicy>()},
      {"cic", Make<CicPolicy>()},
      {"cloud-only", Make<CloudOnlyPolicy>()},
      {"dads", Make<DadsPolicy>()},
      {"neurosurgeon", Make<NeurosurgeonPolicy>()},
      {"neurosurgeon@energy",
       [] { return std::make_unique<NeurosurgeonPolicy>(NeurosurgeonPolicy::Objective::kEnergy); }},
  };
  return registry;
}

}  // namespace

std::vector<std::string> PolicyNames() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : Registry()) names.push_back(name);
  names.push_back("cic@throughput");
  names.push_back("jmdc@accuracy:A");
  names.push_back("jmdc@latency:T");
  return names;
}

std::unique_ptr<Policy> CreatePolicy(const std::string& name) {
  // Policies with a requirement carry it after '@': jmdc@accuracy:0.9.
  const size_t at = name.find('@');
  if (name.substr(0, at) == "jmdc") {
    JmdcRequirement requirement;
    if (at == std::string::npos || !ParseJmdcRequirement(name.substr(at + 1), &requirement).ok())
      return nullptr;
    return std::make_unique<JmdcPolicy>(requirement, name);
  }
  if (name == "cic@throughput") return std::make_unique<CicPolicy>(true);
  auto it = Registry().find(name);
  return it == Registry().end() ? nullptr : it->second();
}

}  // namespace coinfer
