#include "run/scenario.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "base/parse.h"
#include "compress/codec_spec.h"
#include "dnn/torchscript_import.h"
#include "dnn/zoo.h"
#include "policies/registry.h"
#include "run/run_key.h"
#include "traces/generators.h"
#include "traces/trace_loader.h"

namespace coinfer {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

// Arrival time when neither duration_s nor a trace file sets it.
constexpr double kDefaultDurationS = 60;

// A constant link's rate: at 1 kbit/s a packet takes 12 s, and no link is
// faster than 1 Tbit/s (ns-3 divides by the rate and counts bits per second
// in 64 bits: both ends crash it).
bool InLinkRange(double mbps) { return mbps >= 1e-3 && mbps <= 1e6; }
constexpr char kLinkRangeText[] = "must be from 0.001 to 1e6 Mbit/s";

// What a scenario may ask for, so that a typo cannot exhaust memory: each
// request is kept until the run is stored (an hour at 10 requests/s is 36,000),
// and a cluster device is a node with its own link and queue.
constexpr double kMaxArrivals = 1e7;
constexpr int kMaxClusterDevices = 256;

// The single declaration of the scenario keys: type, default, help.
// The links' directions: each has the same keys under its own prefix.
struct DirectionKeys {
  const char* prefix;
  const char* what;
  double mbps, delay_ms;
};
const DirectionKeys kDirections[] = {
    {"uplink", "access link, end device (cluster: leader) -> next hop", 10, 20},
    {"downlink", "access link, back to the end device", 10, 20},
    {"wan.up", "WAN towards the cloud (two-tier: router -> cloud; three-tier: edge -> cloud)", 1000,
     0},
    {"wan.down", "WAN from the cloud", 1000, 0},
};

void DeclareDirection(po::options_description& d, const DirectionKeys& k) {
  const std::string p = k.prefix;
  const std::string what = std::string(" (") + k.what + ")";
  d.add_options()((p + ".trace").c_str(), po::value<std::string>()->default_value(""),
                  ("capacity" + what +
                   ": a trace file (Mahimahi, cooked or CSV) or a generator (constant:10Mbps, "
                   "step:10Mbps@0s,2Mbps@30s, walk:1Mbps,5Mbps,10Mbps@2s); empty: constant " +
                   p + ".mbps")
                      .c_str())(
      (p + ".format").c_str(), po::value<std::string>()->default_value("auto"),
      "trace file format: auto (detected from the content), mahimahi, cooked or csv")(
      (p + ".mbps").c_str(), po::value<double>()->default_value(k.mbps),
      "rate when no trace is given")((p + ".delay_ms").c_str(),
                                     po::value<double>()->default_value(k.delay_ms),
                                     "one-way propagation delay")(
      (p + ".queue").c_str(), po::value<std::string>()->default_value("100p"),
      "bottleneck queue limit: packets (100p) or bytes (150000B)")(
      (p + ".aqm").c_str(), po::value<std::string>()->default_value("droptail"),
      "queue discipline: droptail, codel or fq_codel (ns-3 traffic-control)")(
      (p + ".loss").c_str(), po::value<double>()->default_value(0),
      "probability that a packet is lost, in [0, 1)");
}

// The single declaration of the scenario keys: type, default, help.
po::options_description Declaration() {
  po::options_description d;
  d.add_options()(
      "model", po::value<std::string>()->default_value("vgg16"),
      "zoo model: vgg16, vgg13, resnet18, resnet50, mobilenet_v2, alexnet, small_vgg, "
      "small_resnet, small_mobilenet, each also as NAME-compact (EdgeDI's compact blocks); or a "
      "TorchScript file: torchscript:PATH@NxCxHxW (every tensor at most 2^26 elements)")(
      "policies", po::value<std::string>()->default_value("device-only,cloud-only,neurosurgeon"),
      "comma-separated policies, each run on the same arrivals: name[@param=value,...] (listed "
      "below)")("seed", po::value<std::string>()->default_value("1"),
                "seed of the arrivals and of ns-3")(
      "policy.knowledge", po::value<std::string>()->default_value("paper"),
      "what policies know of the devices' compute times: paper (each its paper's: "
      "Neurosurgeon, DADS and CIC the device's per-layer regression, the others its "
      "profiled times), regression, or oracle (the times the engine charges)")(
      "compute.spread", po::value<std::string>()->default_value("profile"),
      "each compute stage's time: profile (drawn around the device's median with the spread its "
      "whole-model profile rows measured, seeded; none where they recorded none) or none (the "
      "median every time)")(
      "duration_s", po::value<double>()->default_value(0),
      "requests arrive during this many seconds; 0: the uplink trace's length (60 s if constant)")(
      "drain_s", po::value<double>()->default_value(60),
      "extra simulated time for the last requests to finish; unfinished ones are recorded as such")(
      "arrival.process", po::value<std::string>()->default_value("poisson"), "poisson or periodic")(
      "arrival.rate_per_s", po::value<double>()->default_value(2),
      "mean requests per second (duration_s x rate_per_s at most 10^7)")(
      "device.end", po::value<std::string>()->default_value("pi4b"),
      "end device: a name in devices/data/ or a path to a .device file")(
      "device.cloud", po::value<std::string>()->default_value("cloud"),
      "cloud server: a name in devices/data/ or a path to a .device file")(
      "device.host", po::value<std::string>()->default_value("host"),
      "this machine's device model (a name in devices/data/ or a .device file): decision times "
      "are scaled by the end device's slowdown to it on the scenario's model, codec times by "
      "each site's")(
      "device.edge", po::value<std::string>()->default_value("edge"),
      "three-tier: the edge server (a name in devices/data/ or a path to a .device file)")(
      "device.end_load", po::value<double>()->default_value(0),
      "fraction of the end device's capacity taken by other work, in [0, 1)")(
      "device.edge_load", po::value<double>()->default_value(0),
      "fraction of the edge server's capacity taken by other work, in [0, 1)")(
      "device.cloud_load", po::value<double>()->default_value(0),
      "fraction of the cloud's capacity taken by other work, in [0, 1)")(
      "topology", po::value<std::string>()->default_value("two-tier"),
      "two-tier (end -access- router -WAN- cloud), three-tier (end -access- edge -WAN- cloud) "
      "or cluster (leader and devices on a LAN; the leader's access link to the cloud is "
      "uplink/downlink)");
  for (const DirectionKeys& k : kDirections) DeclareDirection(d, k);
  d.add_options()(
      "link.replay", po::value<std::string>()->default_value("exact"),
      "trace replay: exact (packets leave at the trace's delivery opportunities) or binned "
      "(the link rate is set to each bin's mean)")(
      "link.bin_ms", po::value<double>()->default_value(100), "bin length of binned replay")(
      "link.device", po::value<std::string>()->default_value("direct"),
      "the devices of links: direct (coinfer's, on links whose two directions replay a trace "
      "exactly into a drop-tail queue, losslessly: each packet moves in two events, the queue "
      "and lines computed as it is sent, a two-tier router that only forwards left out; "
      "point-to-point's results in less than half the events) or point-to-point (ns-3's "
      "devices everywhere, the reference)")(
      "tcp.min_rto_ms", po::value<double>()->default_value(1000),
      "TCP's floor on the retransmission timeout: ns-3's default is RFC 6298's 1000; Linux "
      "(Pis, phones, servers) uses 200. Above tcp.delayed_ack_ms")(
      "tcp.delayed_ack_ms", po::value<double>()->default_value(200),
      "TCP's delayed-ACK timeout: ns-3's default 200; Linux 40")(
      "cluster.devices", po::value<int>()->default_value(4),
      "cluster: devices besides the leader (at most 256)")(
      "cluster.device_models", po::value<std::string>()->default_value("pi4b"),
      "cluster: the devices' models (names in devices/data/ or .device paths), one for all or "
      "comma-separated, one per device: device0, device1, ...; the leader is device.end")(
      "cluster.device_load", po::value<double>()->default_value(0),
      "cluster: fraction of each device's capacity taken by other work, in [0, 1)")(
      "cluster.lan_mbps", po::value<double>()->default_value(100),
      "cluster: LAN port rate (100 or 1000 Mbit/s Ethernet)")(
      "cluster.lan_delay_ms", po::value<double>()->default_value(0.05),
      "cluster: LAN one-way delay")(
      "cluster.lan_queue", po::value<std::string>()->default_value("1000p"),
      "cluster: each switch port's queue, packets (1000p) or bytes (1500000B): the leader's "
      "port takes the strips gathered from every device at once")(
      "cluster.upstream", po::value<bool>()->default_value(true),
      "cluster: the leader reaches the cloud over the access link")(
      "cross", po::value<std::string>()->default_value(""),
      "cross traffic, comma-separated flows FROM>TO:bulk@START-STOP (TCP, as fast as it can) or "
      "FROM>TO:constant:RATE@START-STOP (UDP) between sites (end, edge, cloud; leader, "
      "device0..), e.g. end>cloud:bulk@10s-60s,cloud>end:constant:2Mbps@0s-30s")(
      "estimator.kind", po::value<std::string>()->default_value("delivery"),
      "each link's estimator: delivery (the sender's own TCP: BBR's delivery rate, minimum RTT, "
      "congestion window and queued bytes), or over completed transfers' goodput last, ewma or "
      "harmonic")("estimator.prior_mbps", po::value<double>()->default_value(5),
                  "a link's estimate before its first sample")(
      "estimator.alpha", po::value<double>()->default_value(0.3, "0.3"),
      "ewma: weight of the newest transfer's throughput, in (0, 1]")(
      "estimator.window", po::value<int>()->default_value(5),
      "harmonic: number of recent transfers averaged")(
      "estimator.rate_rounds", po::value<int>()->default_value(3),
      "delivery: the rate is the largest sample of this many recent round trips (BBR: 10)")(
      "estimator.min_rtt_window_s", po::value<double>()->default_value(300),
      "delivery: the round trip is the smallest sample of this many recent seconds (Linux: 300)")(
      "probe.interval_s", po::value<double>()->default_value(0),
      "once nothing the end device sends over its access uplink has been in flight for this "
      "long, it probes the link with a message to the nearest site beyond it so that its "
      "estimate stays current (radio energy charged, results' probe figures); 0: never, else at "
      "least 0.001")("probe.bytes", po::value<int64_t>()->default_value(64 << 10),
                     "each probe's payload: a rate sample needs about a bandwidth-delay product")(
      "compression.codec", po::value<std::string>()->default_value(""),
      "codec pipeline for the tensor a single-cut plan sends, e.g. quant:8,zstd:3 "
      "(docs/formats.md; "
      "empty: raw fp32). On trained weights each request carries a test sample and sends its "
      "measured bytes, and its correctness is recorded; without weights only shape-determined "
      "codecs (channels, fp16, quant) are allowed, with exact sizes and no accuracy")(
      "compression.menu", po::value<std::string>()->default_value(""),
      "further codecs, separated by '|', that policies choosing a codec per request (jmdc) pick "
      "from, e.g. regions:0.5,quant:6|quant:4 (compression.codec, or none, is always one)")(
      "compression.prune", po::value<std::string>()->default_value(""),
      "pruned model variants JMDC may choose, SPLIT:KEEP comma-separated (e.g. 5:0.5,10:0.25): "
      "the device-side convolutions before layer SPLIT keep that fraction of their channels "
      "(attention-selected) and are fine-tuned one epoch; built once (coinfer prune) into "
      "variants/ beside the catalog")("compression.prune_train_samples",
                                      po::value<int64_t>()->default_value(10000),
                                      "train images a variant is fine-tuned on (0: all)")(
      "compression.weights", po::value<std::string>()->default_value(""),
      "model card of the trained weights (default: models/<model>.json when it exists)")(
      "compression.catalog", po::value<std::string>()->default_value("results/catalog.sqlite"),
      "compression catalog (SQLite); missing entries are measured first (coinfer capture)")(
      "compression.samples", po::value<int64_t>()->default_value(0),
      "test samples to measure missing entries on (0: the whole test split)")(
      "output.db", po::value<std::string>()->default_value("results/coinfer.sqlite"),
      "SQLite results file (relative to the working directory)");
  return d;
}

// key -> "file:line" of its last assignment, for messages.
// Where each key is written (file:line), checking the syntax on the way, so
// that a malformed line is named here rather than by program_options, which
// does not know lines.
Status ReadKeyLocations(const std::string& path, const std::string& text,
                        std::map<std::string, std::string>* where) {
  std::istringstream in(text);
  std::string line, section;
  for (int n = 1; std::getline(in, line); ++n) {
    const std::string at = path + ":" + std::to_string(n);
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    // As program_options does: '#' starts a comment anywhere on a line.
    line = Trim(line.substr(0, line.find('#')));
    if (line.front() == '[') {
      if (line.back() != ']')
        return Status::InvalidInput(at, "section", "'" + line + "' is not closed by ']'");
      section = Trim(line.substr(1, line.size() - 2));
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos)
      return Status::InvalidInput(at, "", "expected 'key = value', got '" + line + "'");
    const std::string key = Trim(line.substr(0, eq));
    if (key.empty()) return Status::InvalidInput(at, "", "no key before '='");
    (*where)[section.empty() ? key : section + "." + key] = at;
  }
  return Status::Ok();
}

std::string ResolveFile(const fs::path& base, const std::string& value) {
  if (value.empty()) return value;
  const fs::path p(value);
  return p.is_absolute() ? value : (base / p).lexically_normal().string();
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
    // The shortest text that reads back as the same double: settings that
    // differ print differently (they are part of the run key).
    char text[32];
    return std::string(text, std::to_chars(text, text + sizeof text, *d).ptr);
  }
  if (auto* i = boost::any_cast<int>(&value)) return std::to_string(*i);
  if (auto* l = boost::any_cast<int64_t>(&value)) return std::to_string(*l);
  if (auto* b = boost::any_cast<bool>(&value)) return *b ? "true" : "false";
  std::abort();  // a key of a type added to the declaration but not here
}

// Maps a key's value to one of its choices; anything else is an error that
// lists them.
template <class T>
Status Choose(const Scenario& v, const std::string& key, const std::string& value,
              std::initializer_list<std::pair<const char*, T>> choices, T* out) {
  std::string names;
  for (const auto& [name, choice] : choices) {
    if (value == name) {
      *out = choice;
      return Status::Ok();
    }
    names += (names.empty() ? "" : ", ") + std::string(name);
  }
  return v.KeyError(key, "expected one of " + names + "; got '" + value + "'");
}

// ns-3 QueueSize syntax: a positive integer then 'p' (packets) or 'B' (bytes),
// at least one full packet (a smaller queue drops every one) and within the
// 32 bits ns-3 keeps it in.
bool IsQueueSize(const std::string& text) {
  if (text.size() < 2 || (text.back() != 'p' && text.back() != 'B')) return false;
  int64_t count = 0;
  const int64_t least = text.back() == 'B' ? 1500 : 1;
  return ParseCount(text.substr(0, text.size() - 1), &count) && count >= least &&
         count <= std::numeric_limits<int32_t>::max();
}

// "end>cloud:bulk@10s-60s,cloud>end:constant:2Mbps@0s-30s"
Status ParseCrossTraffic(const Scenario& v, const std::string& spec, NetworkConfig* net) {
  const std::vector<Site> sites = TopologySites(*net);
  auto site = [&sites](const std::string& name) { return FindSite(sites, name); };
  for (const std::string& item : SplitList(spec)) {
    CrossTraffic flow;
    const size_t arrow = item.find('>');
    const size_t colon = item.find(':');
    const size_t at = item.find('@');
    const size_t dash = item.find('-', at);
    bool ok = arrow != std::string::npos && colon != std::string::npos && arrow < colon &&
              at != std::string::npos && dash != std::string::npos;
    if (ok) {
      flow.from = site(item.substr(0, arrow));
      flow.to = site(item.substr(arrow + 1, colon - arrow - 1));
      if (flow.from < 0 || flow.to < 0 || flow.from == flow.to)
        return v.KeyError("cross", "flow '" + item + "': unknown or identical sites in topology");
    }
    const std::string kind = ok ? item.substr(colon + 1, at - colon - 1) : "";
    if (ok && kind == "bulk") {
      flow.kind = CrossTraffic::Kind::kBulk;
    } else if (ok && kind.rfind("constant:", 0) == 0) {
      flow.kind = CrossTraffic::Kind::kConstant;
      ok = ParseWithUnit(kind.substr(9), "Mbps", &flow.rate_mbps) && flow.rate_mbps > 0;
    } else {
      ok = false;
    }
    auto seconds = [](const std::string& t, double* value) {
      return ParseWithUnit(t, "s", value) && *value >= 0;
    };
    ok = ok && seconds(item.substr(at + 1, dash - at - 1), &flow.start_s) &&
         seconds(item.substr(dash + 1), &flow.stop_s) && flow.stop_s > flow.start_s;
    if (!ok)
      return v.KeyError("cross", "bad flow '" + item +
                                     "': expected FROM>TO:bulk@START-STOP or "
                                     "FROM>TO:constant:RATE@START-STOP");
    net->cross_traffic.push_back(flow);
  }
  return Status::Ok();
}

// One direction's keys under `prefix`: capacity (a trace file or generator
// spec, else a constant rate), delay, queue, discipline and loss.
Status ReadDirection(const Scenario& v, const po::variables_map& vm, const std::string& prefix,
                     const fs::path& base, double horizon_s, uint64_t seed, DirectionConfig* out) {
  auto str = [&](const char* k) { return vm[prefix + k].as<std::string>(); };
  auto num = [&](const char* k) { return vm[prefix + k].as<double>(); };
  auto bad = [&](const char* k, const std::string& reason) {
    return v.KeyError(prefix + k, reason);
  };
  DirectionConfig d;
  d.capacity.constant_mbps = num(".mbps");
  d.delay_ms = num(".delay_ms");
  d.queue = str(".queue");
  d.loss = num(".loss");
  if (!InLinkRange(d.capacity.constant_mbps)) return bad(".mbps", kLinkRangeText);
  if (d.delay_ms < 0) return bad(".delay_ms", "must be >= 0");
  if (d.loss < 0 || d.loss >= 1) return bad(".loss", "must be in [0, 1)");
  if (!IsQueueSize(d.queue))
    return bad(".queue",
               "expected packets (100p) or bytes (150000B), at least one packet "
               "(1500B) and at most 2^31 - 1, got '" +
                   d.queue + "'");
  COINFER_RETURN_IF_ERROR(Choose(v, prefix + ".aqm", str(".aqm"),
                                 {{"droptail", QueueDiscipline::kDropTail},
                                  {"codel", QueueDiscipline::kCoDel},
                                  {"fq_codel", QueueDiscipline::kFqCoDel}},
                                 &d.discipline));
  TraceRequest r;
  if (!ParseTraceFormat(str(".format"), &r.format))
    return bad(".format", "expected auto, mahimahi, cooked or csv, got '" + str(".format") + "'");
  const std::string spec = str(".trace");
  if (!spec.empty()) {
    r.spec = IsGeneratorSpec(spec) ? spec : ResolveFile(base, spec);
    r.uplink = prefix != "downlink" && prefix != "wan.down";
    r.horizon_s = horizon_s;
    r.seed = seed;
    auto where = v.key_locations.find(prefix + ".trace");
    r.where = where == v.key_locations.end() ? "(default)" : where->second;
    auto trace = std::make_shared<DeliveryTrace>();
    const Status st = LoadTrace(r, trace.get());
    // A generator's errors name where it was written; a file's, the file.
    if (!st.ok()) return IsGeneratorSpec(spec) ? st : bad(".trace", st.message());
    d.capacity.trace = std::move(trace);
  }
  *out = std::move(d);
  return Status::Ok();
}

// Every policy is known and has what it needs but device files (checked
// when the run loads them); the codecs policies plan with are listed.
Status CheckPolicies(Scenario* out) {
  Scenario& sc = *out;
  const bool has_cloud = FirstSiteOf(sc.engine.sites, SiteRole::kCloud) != kNoSite;
  const bool has_edge = FirstSiteOf(sc.engine.sites, SiteRole::kEdge) != kNoSite;
  const bool has_cluster = FirstSiteOf(sc.engine.sites, SiteRole::kClusterDevice) != kNoSite;
  for (const std::string& p : sc.policies) {
    std::unique_ptr<Policy> policy;
    if (const Status st = CreatePolicy(p, &policy); !st.ok())
      return sc.KeyError("policies", st.message());
    if (policy->NeedsMeasuredCompression() && (sc.codecs.empty() || sc.weights_card.empty()))
      return sc.KeyError("policies", p + " needs measured compression: compression.codec or "
                                         "compression.menu on a model with trained weights");
    if (policy->NeedsCloud() && !has_cloud)
      return sc.KeyError("policies", p + " offloads to the cloud, and this topology has none "
                                         "(cluster.upstream = false)");
    if (policy->NeedsEdge() && !has_edge)
      return sc.KeyError("policies", p + " computes on an edge server, and this topology has none "
                                         "(topology = three-tier)");
    if (policy->NeedsCluster() && !has_cluster)
      return sc.KeyError("policies", p + " spreads work over a cluster's devices, and this "
                                         "topology has none (topology = cluster)");
    const std::vector<std::string> required = policy->RequiredCodecs();
    if (!required.empty() && sc.codecs.empty())
      return sc.KeyError("policies", p + " plans with its own codecs: it needs "
                                         "compression.codec (what the other policies send, "
                                         "e.g. quant:8 or none)");
    for (const std::string& codec : required) {
      const std::vector<std::string> all = sc.AllCodecs();
      if (std::find(all.begin(), all.end(), codec) == all.end()) sc.policy_codecs.push_back(codec);
    }
  }
  return Status::Ok();
}

// The topology's sites, each with its device file and background load.
Status ReadSites(const Scenario& v, const po::variables_map& vm, const fs::path& base,
                 Scenario* sc) {
  auto str = [&](const char* k) { return vm[k].as<std::string>(); };
  auto num = [&](const char* k) { return vm[k].as<double>(); };
  const NetworkConfig& net = sc->engine.network;
  std::vector<std::string> cluster_models = SplitList(str("cluster.device_models"));
  if (net.topology == NetworkConfig::Topology::kCluster) {
    if (cluster_models.size() == 1) cluster_models.assign(net.cluster_devices, cluster_models[0]);
    if (static_cast<int>(cluster_models.size()) != net.cluster_devices)
      return v.KeyError("cluster.device_models",
                        "expected one model or " + std::to_string(net.cluster_devices) +
                            " (cluster.devices), got " + std::to_string(cluster_models.size()));
  }
  sc->engine.sites = TopologySites(net);
  sc->site_device_files.clear();
  sc->site_device_keys.clear();
  int device = 0;
  for (Site& site : sc->engine.sites) {
    std::string name, key;
    switch (site.role) {
      case SiteRole::kEndDevice:
        key = "device.end";
        name = str("device.end");
        site.load = num("device.end_load");
        break;
      case SiteRole::kEdge:
        key = "device.edge";
        name = str("device.edge");
        site.load = num("device.edge_load");
        break;
      case SiteRole::kCloud:
        key = "device.cloud";
        name = str("device.cloud");
        site.load = num("device.cloud_load");
        break;
      case SiteRole::kClusterDevice:
        key = "cluster.device_models";
        name = cluster_models[device++];
        site.load = num("cluster.device_load");
        break;
    }
    sc->site_device_files.push_back(ResolveDevice(base, name));
    sc->site_device_keys.push_back(key);
  }
  return Status::Ok();
}

}  // namespace

std::string ResolveDevice(const std::filesystem::path& base, const std::string& value) {
  if (value.find('/') != std::string::npos || value.find(".device") != std::string::npos)
    return ResolveFile(base, value);
  return DataDir() + "/devices/data/" + value + ".device";
}

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
  std::error_code ec;
  if (fs::is_directory(path, ec))
    return Status::InvalidInput(path, "", "is a directory, not a scenario");
  std::ifstream file(path);
  if (!file) return Status::InvalidInput(path, "", "cannot open scenario file");
  std::stringstream buffer;
  buffer << file.rdbuf();
  Scenario sc;
  sc.path = path;
  sc.text = buffer.str();
  // A UTF-8 byte order mark, as some editors write, is not part of the text.
  if (sc.text.rfind("\xEF\xBB\xBF", 0) == 0) sc.text.erase(0, 3);
  COINFER_RETURN_IF_ERROR(ReadKeyLocations(path, sc.text, &sc.key_locations));
  const Scenario& v = sc;

  const po::options_description decl = Declaration();
  po::variables_map vm;
  std::string current_key;
  try {
    // --set values take precedence: program_options keeps the first value stored.
    std::set<std::string> overridden;
    for (const std::string& o : overrides) {
      const size_t eq = o.find('=');
      if (eq == std::string::npos) return Status::InvalidInput("--set", o, "expected key=value");
      current_key = Trim(o.substr(0, eq));
      if (!decl.find_nothrow(current_key, false))
        return Status::InvalidInput("--set", current_key, "unknown key (see coinfer run --help)");
      if (!overridden.insert(current_key).second)
        return Status::InvalidInput("--set", current_key, "set twice");
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
    // Every range check below is false for NaN: no key takes NaN or infinity.
    if (const auto* d = boost::any_cast<double>(&vm[key].value()); d && !std::isfinite(*d))
      return v.KeyError(key, "must be a finite number");
    sc.settings.push_back(key + " = " + Render(vm[key].value()));
  }

  const fs::path base = fs::path(path).parent_path();
  auto str = [&](const char* k) { return vm[k].as<std::string>(); };
  auto num = [&](const char* k) { return vm[k].as<double>(); };

  sc.model = str("model");
  if (IsTorchScriptSpec(sc.model)) {
    // torchscript:PATH@shape, PATH relative to the scenario's folder.
    const std::string rest = sc.model.substr(std::string("torchscript:").size());
    if (fs::path(rest).is_relative()) sc.model = "torchscript:" + (base / rest).string();
  } else if (!IsZooModel(sc.model))
    return v.KeyError("model",
                      "unknown model '" + sc.model + "' (coinfer graph --list shows the zoo)");
  using Knowledge = std::optional<DeviceKnowledge>;  // none: each policy's paper's
  COINFER_RETURN_IF_ERROR(Choose<Knowledge>(v, "policy.knowledge", str("policy.knowledge"),
                                            {{"paper", std::nullopt},
                                             {"oracle", DeviceKnowledge::kOracle},
                                             {"regression", DeviceKnowledge::kRegression}},
                                            &sc.engine.knowledge));
  COINFER_RETURN_IF_ERROR(Choose(v, "compute.spread", str("compute.spread"),
                                 {{"profile", true}, {"none", false}}, &sc.engine.compute_spread));
  sc.policies = SplitPolicyList(str("policies"));
  if (sc.policies.empty()) return v.KeyError("policies", "at least one policy is needed");
  for (size_t i = 0; i < sc.policies.size(); ++i)  // results are stored by policy name
    if (std::find(sc.policies.begin(), sc.policies.begin() + i, sc.policies[i]) !=
        sc.policies.begin() + i)
      return v.KeyError("policies", sc.policies[i] + " is listed twice");
  sc.host_file = ResolveDevice(base, str("device.host"));
  sc.output_db = str("output.db");
  if (sc.output_db.empty()) return v.KeyError("output.db", "must name a file for the results");
  // The codecs: compression.codec first (the one fixed-codec policies use),
  // then the menu that policies choosing a codec (JMDC) pick from.
  std::vector<std::string> codec_texts;
  if (!str("compression.codec").empty() || !str("compression.menu").empty())
    codec_texts.push_back(str("compression.codec").empty() ? "none" : str("compression.codec"));
  for (const std::string& text : SplitFields(str("compression.menu"), '|'))
    if (!Trim(text).empty()) codec_texts.push_back(Trim(text));
  for (size_t i = 0; i < codec_texts.size(); ++i) {
    CodecSpec spec;
    const Status st = ParseCodecSpec(codec_texts[i], &spec);
    const char* key =
        i == 0 && !str("compression.codec").empty() ? "compression.codec" : "compression.menu";
    if (!st.ok()) return v.KeyError(key, st.message());
    const std::string canonical = CodecSpecText(spec);
    if (std::find(sc.codecs.begin(), sc.codecs.end(), canonical) == sc.codecs.end())
      sc.codecs.push_back(canonical);
  }
  if (!sc.codecs.empty()) {
    // Default: the shipped weights, when the model has them (else the
    // codecs' sizes come from shapes alone, without accuracy).
    const std::string shipped = DataDir() + "/models/" + sc.model + ".json";
    if (!str("compression.weights").empty())
      sc.weights_card = (base / str("compression.weights")).string();
    else if (fs::exists(shipped))
      sc.weights_card = shipped;
    sc.catalog_path = str("compression.catalog");
    if (sc.catalog_path.empty())
      return v.KeyError("compression.catalog", "must name a file for the measurements");
    sc.compression_samples = vm["compression.samples"].as<int64_t>();
    if (sc.compression_samples < 0) return v.KeyError("compression.samples", "must be >= 0");
    sc.prune_train_samples = vm["compression.prune_train_samples"].as<int64_t>();
    for (const std::string& item : SplitFields(str("compression.prune"), ',')) {
      if (Trim(item).empty()) continue;
      const std::vector<std::string> parts = SplitFields(Trim(item), ':');
      double split = 0, keep = 0;
      if (parts.size() != 2 || !ParseNumber(parts[0], &split) || !ParseNumber(parts[1], &keep) ||
          split < 1 || split != static_cast<int>(split) || !(keep > 0 && keep <= 1))
        return v.KeyError("compression.prune",
                          "'" + item +
                              "': expected SPLIT:KEEP, SPLIT a layer index >= 1 and KEEP "
                              "in (0, 1]");
      sc.prune.push_back({static_cast<int>(split), keep});
    }
  }

  EngineConfig& e = sc.engine;
  int64_t seed = 0;
  if (!ParseCount(str("seed"), &seed))
    return v.KeyError("seed", "expected a non-negative integer, got '" + str("seed") + "'");
  e.seed = static_cast<uint64_t>(seed);
  e.duration_s = num("duration_s");
  e.drain_s = num("drain_s");
  using Process = ArrivalConfig::Process;
  COINFER_RETURN_IF_ERROR(Choose(v, "arrival.process", str("arrival.process"),
                                 {{"poisson", Process::kPoisson}, {"periodic", Process::kPeriodic}},
                                 &e.arrivals.process));
  e.arrivals.rate_per_s = num("arrival.rate_per_s");
  for (const char* key :
       {"device.end_load", "device.edge_load", "device.cloud_load", "cluster.device_load"})
    if (!(num(key) >= 0 && num(key) < 1)) return v.KeyError(key, "must be in [0, 1)");  // NaN too

  NetworkConfig& net = e.network;
  using Topology = NetworkConfig::Topology;
  COINFER_RETURN_IF_ERROR(Choose(v, "topology", str("topology"),
                                 {{"two-tier", Topology::kTwoTier},
                                  {"three-tier", Topology::kThreeTier},
                                  {"cluster", Topology::kCluster}},
                                 &net.topology));
  net.cluster_devices = vm["cluster.devices"].as<int>();
  if (net.cluster_devices > kMaxClusterDevices)  // before anything sizes by it
    return v.KeyError("cluster.devices", "at most " + std::to_string(kMaxClusterDevices));
  net.lan_mbps = num("cluster.lan_mbps");
  net.lan_delay_ms = num("cluster.lan_delay_ms");
  net.lan_queue = str("cluster.lan_queue");
  if (!IsQueueSize(net.lan_queue))
    return v.KeyError("cluster.lan_queue",
                      "expected packets (1000p) or bytes (1500000B), at least one packet (1500B) "
                      "and at most 2^31 - 1, got '" +
                          net.lan_queue + "'");
  net.cluster_upstream = vm["cluster.upstream"].as<bool>();
  net.tcp_min_rto_ms = num("tcp.min_rto_ms");
  net.tcp_delayed_ack_ms = num("tcp.delayed_ack_ms");
  // Whole microseconds of at most a minute: what ns-3's timers are given.
  for (const char* key : {"tcp.min_rto_ms", "tcp.delayed_ack_ms"})
    if (!(num(key) >= 0.001 && num(key) <= 60000))
      return v.KeyError(key, "must be in [0.001, 60000] ms");
  // A timeout no longer than the receiver's ACK delay retransmits what is
  // only waiting for its ACK (ns-3 3.37 stalls a connection with both at
  // 200), compared as the whole microseconds ns-3 is given.
  if (!(static_cast<int64_t>(net.tcp_min_rto_ms * 1e3) >
        static_cast<int64_t>(net.tcp_delayed_ack_ms * 1e3)))
    return v.KeyError("tcp.min_rto_ms", "must exceed tcp.delayed_ack_ms (" +
                                            Render(boost::any(net.tcp_delayed_ack_ms)) + ")");
  using Replay = NetworkConfig::Replay;
  COINFER_RETURN_IF_ERROR(Choose(v, "link.replay", str("link.replay"),
                                 {{"exact", Replay::kExact}, {"binned", Replay::kBinned}},
                                 &net.replay));
  net.bin_ms = num("link.bin_ms");
  using LinkDevice = NetworkConfig::LinkDevice;
  COINFER_RETURN_IF_ERROR(
      Choose(v, "link.device", str("link.device"),
             {{"point-to-point", LinkDevice::kPointToPoint}, {"direct", LinkDevice::kDirect}},
             &net.link_device));
  COINFER_RETURN_IF_ERROR(ParseCrossTraffic(v, str("cross"), &net));

  EstimatorConfig& est = e.estimator;
  if (!ParseEstimatorKind(str("estimator.kind"), &est.kind))
    return v.KeyError("estimator.kind", "expected delivery, last, ewma or harmonic, got '" +
                                            str("estimator.kind") + "'");
  est.prior_mbps = num("estimator.prior_mbps");
  est.alpha = num("estimator.alpha");
  est.window = vm["estimator.window"].as<int>();
  est.filter.rate_rounds = vm["estimator.rate_rounds"].as<int>();
  est.filter.min_rtt_window_s = num("estimator.min_rtt_window_s");
  if (est.alpha <= 0 || est.alpha > 1) return v.KeyError("estimator.alpha", "must be in (0, 1]");
  e.probe.interval_s = num("probe.interval_s");
  if (e.probe.interval_s > 0 && e.probe.interval_s < 1e-3)
    return v.KeyError("probe.interval_s", "must be 0 (never) or at least 0.001 s");
  const int64_t probe_bytes = vm["probe.bytes"].as<int64_t>();
  if (probe_bytes <= 0) return v.KeyError("probe.bytes", "must be > 0");
  e.probe.bytes = static_cast<uint64_t>(probe_bytes);

  struct Positive {
    const char* key;
    double value;
    bool allow_zero;
  };
  for (const Positive& p :
       {Positive{"duration_s", e.duration_s, true}, Positive{"drain_s", e.drain_s, true},
        Positive{"arrival.rate_per_s", e.arrivals.rate_per_s, false},
        Positive{"cluster.devices", double(net.cluster_devices), false},
        Positive{"cluster.lan_delay_ms", net.lan_delay_ms, true},
        Positive{"link.bin_ms", net.bin_ms, false},
        Positive{"estimator.prior_mbps", est.prior_mbps, false},
        Positive{"estimator.window", double(est.window), false},
        Positive{"estimator.rate_rounds", double(est.filter.rate_rounds), false},
        Positive{"estimator.min_rtt_window_s", est.filter.min_rtt_window_s, false},
        Positive{"probe.interval_s", e.probe.interval_s, true}}) {
    if (p.value < 0 || (!p.allow_zero && p.value == 0))
      return v.KeyError(p.key, std::string("must be ") + (p.allow_zero ? ">= 0" : "> 0"));
  }

  if (!InLinkRange(net.lan_mbps)) return v.KeyError("cluster.lan_mbps", kLinkRangeText);

  COINFER_RETURN_IF_ERROR(ReadSites(v, vm, base, &sc));

  // Links last: a generated trace's length follows the run's.
  const double horizon_s = (e.duration_s > 0 ? e.duration_s : kDefaultDurationS) + e.drain_s;
  DirectionConfig* directions[] = {&net.uplink, &net.downlink, &net.wan_up, &net.wan_down};
  for (int i = 0; i < 4; ++i) {
    COINFER_RETURN_IF_ERROR(
        ReadDirection(v, vm, kDirections[i].prefix, base, horizon_s, e.seed, directions[i]));
  }
  if (e.duration_s == 0)
    e.duration_s = net.uplink.capacity.traced() && !IsGeneratorSpec(str("uplink.trace"))
                       ? net.uplink.capacity.trace->period_ms / 1e3
                       : kDefaultDurationS;
  if (e.duration_s * e.arrivals.rate_per_s > kMaxArrivals)  // named where the user set one
    return v.KeyError(
        sc.key_locations.count("arrival.rate_per_s") ? "arrival.rate_per_s" : "duration_s",
        "duration_s x arrival.rate_per_s asks for more than 10^7 requests");
  COINFER_RETURN_IF_ERROR(CheckPolicies(&sc));
  for (const DirectionKeys& d : kDirections)
    if (const std::string spec = vm[d.prefix + std::string(".trace")].as<std::string>();
        !spec.empty() && !IsGeneratorSpec(spec))
      sc.input_files.push_back(ResolveFile(base, spec));
  sc.input_files.insert(sc.input_files.end(), sc.site_device_files.begin(),
                        sc.site_device_files.end());
  sc.input_files.push_back(sc.host_file);
  if (!sc.weights_card.empty()) sc.input_files.push_back(sc.weights_card);
  if (IsTorchScriptSpec(sc.model)) sc.input_files.push_back(TorchScriptFile(sc.model));
  sc.run_key = RunKey(sc);
  *out = std::move(sc);
  return Status::Ok();
}

}  // namespace coinfer
