#include "policies/registry.h"

#include <algorithm>
#include <sstream>

#include "base/parse.h"
#include "policies/cic.h"
#include "policies/cloud_only.h"
#include "policies/cnnpc.h"
#include "policies/dads.h"
#include "policies/device_only.h"
#include "policies/edgedi.h"
#include "policies/jmdc.h"
#include "policies/neurosurgeon.h"

namespace coinfer {
namespace {

std::vector<std::string> TypeNames() {
  std::vector<std::string> names;
  for (const PolicyType& t : PolicyTypes()) names.push_back(t.name);
  return names;
}

// The parameters a spec gives, by name, checked against the type's.
Status ReadParams(const PolicyType& type, const std::string& spec, const std::string& text,
                  std::map<std::string, std::string>* values) {
  auto error = [&spec](const std::string& reason) {
    return Status::InvalidInput("", "", spec + ": " + reason);
  };
  std::vector<std::string> names;
  for (const PolicyParam& p : type.params) names.push_back(p.name);
  for (const std::string& item : SplitFields(text, ',')) {
    if (Trim(item).empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string::npos) eq = item.find(':');  // the older name@param:value
    std::string name = eq == std::string::npos ? "" : Trim(item.substr(0, eq));
    const std::string value = Trim(eq == std::string::npos ? item : item.substr(eq + 1));
    if (names.empty()) return error(type.name + " takes no parameters");
    if (eq == std::string::npos) name = names[0];  // the older name@value
    if (std::find(names.begin(), names.end(), name) == names.end())
      return error(type.name + " has no parameter '" + name +
                   "' (its parameters: " + Join(names, ", ") + ")");
    if (!values->emplace(name, value).second) return error(name + " is given twice");
  }
  for (const PolicyParam& p : type.params)
    if (!p.default_value.empty()) values->emplace(p.name, p.default_value);
  return Status::Ok();
}

}  // namespace

const std::vector<PolicyType>& PolicyTypes() {
  static const std::vector<PolicyType> types = {
      DeviceOnlyType(), CloudOnlyType(), NeurosurgeonType(), DadsType(),
      CicType(),        JmdcType(),      CnnpcType(),        EdgediType(),
  };
  return types;
}

Status CreatePolicy(const std::string& spec, std::unique_ptr<Policy>* out) {
  const size_t at = spec.find('@');
  const std::string name = Trim(spec.substr(0, at));
  for (const PolicyType& type : PolicyTypes()) {
    if (type.name != name) continue;
    std::map<std::string, std::string> values;
    COINFER_RETURN_IF_ERROR(
        ReadParams(type, spec, at == std::string::npos ? "" : spec.substr(at + 1), &values));
    return type.create(PolicyArgs(spec, std::move(values)), out);
  }
  return Status::InvalidInput(
      "", "", "unknown policy '" + name + "' (known: " + Join(TypeNames(), ", ") + ")");
}

std::vector<std::string> SplitPolicyList(const std::string& text) {
  std::vector<std::string> specs;
  for (std::string item : SplitFields(text, ',')) {
    item = Trim(item);
    if (item.empty()) continue;
    // "param=value" (or the older "param:value") after a policy with parameters.
    const bool continues = !specs.empty() && specs.back().find('@') != std::string::npos &&
                           item.find('@') == std::string::npos &&
                           item.find_first_of("=:") != std::string::npos;
    if (continues)
      specs.back() += "," + item;
    else
      specs.push_back(item);
  }
  return specs;
}

std::string PolicyHelp() {
  std::ostringstream os;
  os << "Policies (policies = name[@param=value,...], comma-separated):\n";
  for (const PolicyType& t : PolicyTypes()) {
    os << "  " << t.name << "\n      " << t.help << "\n";
    for (const PolicyParam& p : t.params)
      os << "      @" << p.name << "=" << p.values
         << (p.default_value.empty() ? "" : " (default " + p.default_value + ")") << ": " << p.help
         << "\n";
  }
  return os.str();
}

}  // namespace coinfer
