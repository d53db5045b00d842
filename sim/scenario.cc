#include "sim/scenario.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "dnn/zoo.h"

namespace coinfer {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

// The single declaration of the scenario keys: type, default, help.
po::options_description Declaration() {
  po::options_description d;
  d.add_options()(
      "model", po::value<std::string>()->default_value("vgg16"),
      "zoo model: vgg16, resnet18, resnet50, mobilenet_v2, alexnet, small_vgg, small_resnet")(
      "policies", po::value<std::string>()->default_value("device-only,cloud-only,neurosurgeon"),
      "comma-separated policies, each run on the same arrivals")(
      "seed", po::value<uint64_t>()->default_value(1), "seed of the arrivals and of ns-3")(
      "duration_s", po::value<double>()->default_value(0),
      "requests arrive during this many seconds; 0: the uplink trace's length (60 s if constant)")(
      "drain_s", po::value<double>()->default_value(60),
      "extra simulated time for the last requests to finish; unfinished ones are recorded as such")(
      "arrival.process", po::value<std::string>()->default_value("poisson"), "poisson or periodic")(
      "arrival.rate_per_s", po::value<double>()->default_value(2), "mean requests per second")(
      "device.end", po::value<std::string>()->default_value("pi4b"),
      "end device: a name in devices/data/ or a path to a .device file")(
      "device.cloud", po::value<std::string>()->default_value("cloud"),
      "cloud server: a name in devices/data/ or a path to a .device file")(
      "uplink.trace", po::value<std::string>()->default_value(""),
      "Mahimahi trace of the end->cloud direction; empty: constant uplink.mbps")(
      "uplink.mbps", po::value<double>()->default_value(10), "uplink rate when no trace is given")(
      "downlink.trace", po::value<std::string>()->default_value(""),
      "Mahimahi trace of the cloud->end direction; empty: constant downlink.mbps")(
      "downlink.mbps", po::value<double>()->default_value(10),
      "downlink rate when no trace is given")(
      "link.delay_ms", po::value<double>()->default_value(20), "one-way propagation delay")(
      "link.queue_packets", po::value<int>()->default_value(100),
      "bottleneck drop-tail queue limit in packets, each direction")(
      "estimator.prior_mbps", po::value<double>()->default_value(5),
      "uplink estimate before the first transfer completes")(
      "estimator.alpha", po::value<double>()->default_value(0.3, "0.3"),
      "EWMA weight of the newest transfer's throughput, in (0, 1]")(
      "output.db", po::value<std::string>()->default_value("results/coinfer.sqlite"),
      "SQLite results file (relative to the working directory)");
  return d;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// key -> "file:line" of its last assignment, for messages.
std::map<std::string, std::string> KeyLocations(const std::string& path, const std::string& text) {
  std::map<std::string, std::string> where;
  std::istringstream in(text);
  std::string line, section;
  for (int n = 1; std::getline(in, line); ++n) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = Trim(line.substr(1, line.size() - 2));
      continue;
    }
    const size_t eq = line.find('=');
    const std::string key = Trim(line.substr(0, eq));
    where[section.empty() ? key : section + "." + key] = path + ":" + std::to_string(n);
  }
  return where;
}

std::string ResolveFile(const fs::path& base, const std::string& value) {
  if (value.empty()) return value;
  const fs::path p(value);
  return p.is_absolute() ? value : (base / p).lexically_normal().string();
}

std::string ResolveDevice(const fs::path& base, const std::string& value) {
  if (value.find('/') != std::string::npos || value.find(".device") != std::string::npos)
    return ResolveFile(base, value);
  return DataDir() + "/devices/data/" + value + ".device";
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> items;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = Trim(item);
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

std::string Render(const boost::any& value) {
  if (auto* s = boost::any_cast<std::string>(&value)) return *s;
  if (auto* d = boost::any_cast<double>(&value)) {
    std::ostringstream os;
    os << *d;
    return os.str();
  }
  if (auto* i = boost::any_cast<int>(&value)) return std::to_string(*i);
  if (auto* u = boost::any_cast<uint64_t>(&value)) return std::to_string(*u);
  return "?";
}

}  // namespace

Status Scenario::KeyError(const std::string& key, const std::string& reason) const {
  auto it = key_locations.find(key);
  return Status::InvalidInput(it == key_locations.end() ? "(default)" : it->second, key, reason);
}

std::string DataDir() {
  if (const char* env = std::getenv("COINFER_DATA_DIR")) return env;
  return COINFER_DEFAULT_DATA_DIR;
}

std::string ScenarioHelp() {
  std::ostringstream os;
  os << "Scenario keys (INI: 'key = value'; a [section] line prefixes the keys after it\n"
        "with 'section.'; --set key=value overrides a key):\n";
  const po::options_description decl = Declaration();
  for (const auto& opt : decl.options()) {
    std::string def = opt->format_parameter();  // "arg (=default)" or "arg"
    const size_t open = def.find("(=");
    def = open == std::string::npos ? "" : def.substr(open + 2, def.size() - open - 3);
    os << "  " << opt->long_name() << " = " << (def.empty() ? "(empty)" : def) << "\n      "
       << opt->description() << "\n";
  }
  return os.str();
}

Status LoadScenario(const std::string& path, const std::vector<std::string>& overrides,
                    Scenario* out) {
  std::ifstream file(path);
  if (!file) return Status::InvalidInput(path, "", "cannot open scenario file");
  std::stringstream buffer;
  buffer << file.rdbuf();
  Scenario sc;
  sc.path = path;
  sc.text = buffer.str();
  sc.key_locations = KeyLocations(path, sc.text);
  const Scenario& v = sc;

  const po::options_description decl = Declaration();
  po::variables_map vm;
  std::string current_key;
  try {
    // --set values take precedence: program_options keeps the first value stored.
    for (const std::string& o : overrides) {
      const size_t eq = o.find('=');
      if (eq == std::string::npos) return Status::InvalidInput("--set", o, "expected key=value");
      current_key = Trim(o.substr(0, eq));
      if (!decl.find_nothrow(current_key, false))
        return Status::InvalidInput("--set", current_key, "unknown key (see coinfer run --help)");
      sc.key_locations[current_key] = "--set";
      std::istringstream one(current_key + "=" + Trim(o.substr(eq + 1)));
      po::store(po::parse_config_file(one, decl, false), vm);
    }
    std::istringstream in(sc.text);
    po::store(po::parse_config_file(in, decl, false), vm);
    po::notify(vm);
  } catch (const po::unknown_option& e) {
    const std::string key = e.get_option_name();
    return v.KeyError(key, "unknown key (see coinfer run --help)");
  } catch (const po::error_with_option_name& e) {
    const std::string key = e.get_option_name();
    return v.KeyError(key, std::string("bad value: ") + e.what());
  } catch (const po::error& e) {
    return Status::InvalidInput(path, "", e.what());
  }

  for (const auto& opt : decl.options()) {
    const std::string& key = opt->long_name();
    sc.settings.push_back(key + " = " + Render(vm[key].value()));
  }

  const fs::path base = fs::path(path).parent_path();
  auto str = [&](const char* k) { return vm[k].as<std::string>(); };
  auto num = [&](const char* k) { return vm[k].as<double>(); };

  sc.model = str("model");
  const std::vector<std::string> zoo = ZooModelNames();
  if (std::find(zoo.begin(), zoo.end(), sc.model) == zoo.end())
    return v.KeyError("model",
                      "unknown model '" + sc.model + "' (coinfer graph --list shows the zoo)");
  sc.policies = SplitList(str("policies"));
  if (sc.policies.empty()) return v.KeyError("policies", "at least one policy is needed");
  sc.end_device_file = ResolveDevice(base, str("device.end"));
  sc.cloud_file = ResolveDevice(base, str("device.cloud"));
  sc.uplink_trace_file = ResolveFile(base, str("uplink.trace"));
  sc.downlink_trace_file = ResolveFile(base, str("downlink.trace"));
  sc.uplink_mbps = num("uplink.mbps");
  sc.downlink_mbps = num("downlink.mbps");
  sc.output_db = str("output.db");

  EngineConfig& e = sc.engine;
  e.seed = vm["seed"].as<uint64_t>();
  e.duration_s = num("duration_s");
  e.drain_s = num("drain_s");
  const std::string process = str("arrival.process");
  if (process == "poisson") {
    e.arrivals.process = ArrivalConfig::Process::kPoisson;
  } else if (process == "periodic") {
    e.arrivals.process = ArrivalConfig::Process::kPeriodic;
  } else {
    return v.KeyError("arrival.process", "expected 'poisson' or 'periodic', got '" + process + "'");
  }
  e.arrivals.rate_per_s = num("arrival.rate_per_s");
  e.network.one_way_delay_ms = num("link.delay_ms");
  e.network.queue_packets = vm["link.queue_packets"].as<int>();
  e.estimator_prior_mbps = num("estimator.prior_mbps");
  e.estimator_alpha = num("estimator.alpha");

  struct Positive {
    const char* key;
    double value;
    bool allow_zero;
  };
  for (const Positive& p :
       {Positive{"duration_s", e.duration_s, true}, Positive{"drain_s", e.drain_s, true},
        Positive{"arrival.rate_per_s", e.arrivals.rate_per_s, false},
        Positive{"uplink.mbps", sc.uplink_mbps, false},
        Positive{"downlink.mbps", sc.downlink_mbps, false},
        Positive{"link.delay_ms", e.network.one_way_delay_ms, true},
        Positive{"link.queue_packets", double(e.network.queue_packets), false},
        Positive{"estimator.prior_mbps", e.estimator_prior_mbps, false}}) {
    if (p.value < 0 || (!p.allow_zero && p.value == 0))
      return v.KeyError(p.key, std::string("must be ") + (p.allow_zero ? ">= 0" : "> 0"));
  }
  if (e.estimator_alpha <= 0 || e.estimator_alpha > 1)
    return v.KeyError("estimator.alpha", "must be in (0, 1]");
  *out = std::move(sc);
  return Status::Ok();
}

}  // namespace coinfer
