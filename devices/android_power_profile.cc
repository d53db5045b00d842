#include "devices/android_power_profile.h"

#include <tinyxml2.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <vector>

#include "base/parse.h"

namespace coinfer {
namespace {

// One <item> (one value) or <array> (its <value>s) of the profile.
struct Entry {
  std::vector<double> values;
  int line = 0;
  int count = 0;  // how many times the name appears
};

class ProfileItems {
 public:
  explicit ProfileItems(std::string path) : path_(std::move(path)) {}

  Status Parse() {
    if (!std::filesystem::is_regular_file(path_))
      return Status::InvalidInput(path_, "", "cannot read the power profile");
    tinyxml2::XMLDocument doc;
    if (doc.LoadFile(path_.c_str()) != tinyxml2::XML_SUCCESS)
      return Status::InvalidInput(At(doc.ErrorLineNum()), "",
                                  std::string("not well-formed XML (") + doc.ErrorName() + ")");
    const tinyxml2::XMLElement* root = doc.RootElement();
    if (root == nullptr || std::string(root->Name()) != "device")
      return Status::InvalidInput(At(root ? root->GetLineNum() : 0), "",
                                  "a power profile's root element is <device>");
    for (const tinyxml2::XMLElement* e = root->FirstChildElement(); e;
         e = e->NextSiblingElement()) {
      const std::string tag = e->Name();
      if (tag != "item" && tag != "array") continue;
      const char* name = e->Attribute("name");
      if (name == nullptr) return Status::InvalidInput(At(e->GetLineNum()), tag, "has no name");
      Entry& entry = items_[name];
      if (++entry.count > 1) continue;  // an error only if a state needs it (Get)
      entry.line = e->GetLineNum();
      if (tag == "item") {
        COINFER_RETURN_IF_ERROR(AddValue(name, e, &entry));
        continue;
      }
      for (const tinyxml2::XMLElement* v = e->FirstChildElement("value"); v;
           v = v->NextSiblingElement("value"))
        COINFER_RETURN_IF_ERROR(AddValue(name, v, &entry));
    }
    return Status::Ok();
  }

  // The values of `name`; a missing name is an error unless `optional`, in
  // which case *out is null.
  Status Get(const std::string& name, const Entry** out, bool optional = false) const {
    auto it = items_.find(name);
    *out = nullptr;
    if (it == items_.end())
      return optional ? Status::Ok() : Status::InvalidInput(path_, name, "missing");
    if (it->second.count > 1)
      return Status::InvalidInput(At(it->second.line), name,
                                  "given " + std::to_string(it->second.count) + " times");
    *out = &it->second;
    return Status::Ok();
  }

  // A one-value item; 0 when optional and absent.
  Status Scalar(const std::string& name, double* value, bool optional = false) const {
    const Entry* e;
    COINFER_RETURN_IF_ERROR(Get(name, &e, optional));
    if (e == nullptr) {
      *value = 0;
      return Status::Ok();
    }
    if (e->values.size() != 1) return Status::InvalidInput(At(e->line), name, "expected one value");
    *value = e->values[0];
    return Status::Ok();
  }

  bool Has(const std::string& name) const { return items_.count(name) > 0; }
  std::string At(int line) const { return line > 0 ? path_ + ":" + std::to_string(line) : path_; }

 private:
  Status AddValue(const std::string& name, const tinyxml2::XMLElement* e, Entry* entry) {
    const std::string text = Trim(e->GetText() ? e->GetText() : "");
    double value;
    if (!ParseNumber(text, &value) || value < 0)
      return Status::InvalidInput(At(e->GetLineNum()), name,
                                  "'" + text + "' is not a non-negative number");
    entry->values.push_back(value);
    return Status::Ok();
  }

  std::string path_;
  std::map<std::string, Entry> items_;
};

// A cluster's busiest state: its top speed and what one core draws there.
struct ClusterTop {
  int cores = 0;
  double khz = 0;
  double core_ma = 0;
};

Status ReadClusters(const ProfileItems& items, std::vector<ClusterTop>* out) {
  const Entry* cores;
  COINFER_RETURN_IF_ERROR(items.Get("cpu.clusters.cores", &cores));
  for (size_t c = 0; c < cores->values.size(); ++c) {
    const std::string suffix = ".cluster" + std::to_string(c);
    const Entry *speeds, *power;
    COINFER_RETURN_IF_ERROR(items.Get("cpu.core_speeds" + suffix, &speeds));
    COINFER_RETURN_IF_ERROR(items.Get("cpu.core_power" + suffix, &power));
    if (speeds->values.empty() || speeds->values.size() != power->values.size())
      return Status::InvalidInput(items.At(power->line), "cpu.core_power" + suffix,
                                  "needs one current per speed of cpu.core_speeds" + suffix);
    ClusterTop top;
    top.cores = static_cast<int>(cores->values[c]);
    if (top.cores < 1 || top.cores != cores->values[c])
      return Status::InvalidInput(items.At(cores->line), "cpu.clusters.cores",
                                  "a cluster has a whole number of cores, at least one");
    for (size_t i = 0; i < speeds->values.size(); ++i)
      if (speeds->values[i] > top.khz) {
        top.khz = speeds->values[i];
        top.core_ma = power->values[i];
      }
    out->push_back(top);
  }
  if (out->empty())
    return Status::InvalidInput(items.At(cores->line), "cpu.clusters.cores", "no cluster");
  return Status::Ok();
}

}  // namespace

Status ReadAndroidPowerProfile(const std::string& path, const AndroidPowerOptions& options,
                               DevicePower* power, std::string* derivation) {
  if (!(options.battery_volts > 0))
    return Status::InvalidInput("", "battery volts", "must be positive");
  if (options.compute_cluster < -1 || options.compute_cores < 0)
    return Status::InvalidInput("", "compute cluster and cores",
                                "-1 or a cluster's number, and 0 (all) or a count of cores");
  ProfileItems items(path);
  COINFER_RETURN_IF_ERROR(items.Parse());
  // Android renamed the CPU states in 2017 (b/67752294): the old cpu.idle
  // (suspended) and cpu.awake (idle loop) became cpu.suspend and cpu.idle.
  const bool renamed = items.Has("cpu.suspend");
  double suspend_ma, idle_loop_ma, active_ma, radio_active_ma;
  COINFER_RETURN_IF_ERROR(items.Scalar(renamed ? "cpu.suspend" : "cpu.idle", &suspend_ma));
  COINFER_RETURN_IF_ERROR(items.Scalar(renamed ? "cpu.idle" : "cpu.awake", &idle_loop_ma));
  COINFER_RETURN_IF_ERROR(items.Scalar("cpu.active", &active_ma, /*optional=*/true));
  COINFER_RETURN_IF_ERROR(items.Scalar("radio.active", &radio_active_ma));
  const Entry* radio_on;
  COINFER_RETURN_IF_ERROR(items.Get("radio.on", &radio_on));
  double radio_on_ma = 0;  // the mean over signal strengths
  for (double v : radio_on->values) radio_on_ma += v / radio_on->values.size();

  std::vector<ClusterTop> clusters;
  COINFER_RETURN_IF_ERROR(ReadClusters(items, &clusters));
  int c = options.compute_cluster;
  if (c < 0) {
    c = 0;
    for (size_t i = 1; i < clusters.size(); ++i)
      if (clusters[i].core_ma > clusters[c].core_ma) c = static_cast<int>(i);
  }
  if (c >= static_cast<int>(clusters.size()))
    return Status::InvalidInput(
        path, "compute cluster",
        "the profile has " + std::to_string(clusters.size()) + " clusters, numbered from 0");
  const int cores = options.compute_cores > 0 ? options.compute_cores : clusters[c].cores;
  if (cores > clusters[c].cores)
    return Status::InvalidInput(
        path, "compute cores",
        "cluster " + std::to_string(c) + " has " + std::to_string(clusters[c].cores) + " cores");
  double cluster_ma;
  COINFER_RETURN_IF_ERROR(items.Scalar("cpu.cluster_power.cluster" + std::to_string(c), &cluster_ma,
                                       /*optional=*/true));

  const double awake_ma = suspend_ma + idle_loop_ma;
  const double idle_ma = awake_ma + radio_on_ma;
  const double compute_ma = idle_ma + active_ma + cluster_ma + cores * clusters[c].core_ma;
  const double transmit_ma = awake_ma + radio_active_ma;
  const double volts = options.battery_volts;
  power->idle_w = idle_ma * volts / 1e3;
  power->compute_w = compute_ma * volts / 1e3;
  power->transmit_w = transmit_ma * volts / 1e3;
  power->transmit_w_per_mbps = 0;

  std::ostringstream d;
  d << "Android power profile " << path << " at " << volts << " V: idle " << idle_ma
    << " mA (CPU suspended " << suspend_ma << " + idle loop " << idle_loop_ma << ", radio on "
    << radio_on_ma << "); compute " << compute_ma << " mA (idle + CPU active " << active_ma
    << " + cluster " << c << " itself " << cluster_ma << " + " << cores << " cores at "
    << clusters[c].khz / 1e3 << " MHz x " << clusters[c].core_ma << "); transmit " << transmit_ma
    << " mA (CPU suspended + idle loop, radio active " << radio_active_ma << ")";
  *derivation = d.str();
  return Status::Ok();
}

}  // namespace coinfer
