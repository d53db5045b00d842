#include "sim/engine.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>

#include "base/stopwatch.h"
#include "sim/bandwidth_estimator.h"
#include "sim/codec_stages.h"
#include "sim/energy.h"
#include "sim/net/simulation.h"
#include "sim/site_queue.h"

namespace coinfer {
namespace {

// A standard normal draw (Box-Muller) from mt19937_64's output, converted by
// hand: std::normal_distribution differs across standard libraries.
double StandardNormal(std::mt19937_64& rng) {
  const double u1 = static_cast<double>(rng() >> 11) * 0x1.0p-53;  // [0, 1)
  const double u2 = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return std::sqrt(-2 * std::log1p(-u1)) * std::cos(2 * M_PI * u2);
}

class EngineRun {
 public:
  EngineRun(const EngineConfig& config, Policy& policy, EngineClock& clock, SiteNetwork& network)
      : config_(config),
        policy_(policy),
        delivery_(config.estimator.kind == EstimatorConfig::Kind::kDelivery),
        clock_(clock),
        network_(network),
        split_points_(config.graph->SplitPoints()),
        sample_rng_(config.seed ^ kSampleStream),
        compute_rng_(config.seed ^ kComputeStream) {
    for (const Site& site : config.sites) {
      queues_.emplace_back(site.device->cores());
      spread_.push_back(config.compute_spread ? site.device->SpreadSigma(*config.graph) : 0);
    }
    obs_.graph = config.graph;
    obs_.sites = config.sites;
    if (config.knowledge.value_or(policy.PaperKnowledge()) == DeviceKnowledge::kRegression) {
      known_devices_.reserve(config.sites.size());
      for (size_t s = 0; s < config.sites.size(); ++s) {
        known_devices_.push_back(config.sites[s].device->RegressionOnly());
        obs_.sites[s].device = &known_devices_.back();
      }
    }
    obs_.end = FirstSiteOf(config.sites, SiteRole::kEndDevice);
    obs_.cloud = FirstSiteOf(config.sites, SiteRole::kCloud);
    obs_.compression = config.compression;
    obs_.prior_mbps = config.estimator.prior_mbps;
    if (config.network.topology == NetworkConfig::Topology::kCluster)
      obs_.lan_mbps = config.network.lan_mbps;
    obs_.uplink_estimate_mbps = config.estimator.prior_mbps;
    obs_.arrival_rate_per_s = config.arrivals.rate_per_s;
    obs_.queue.assign(config.sites.size(), 0);
    obs_.wait_ms.assign(config.sites.size(), 0);
  }

  void Start(const std::vector<double>& arrivals) {
    policy_.Prepare(obs_);
    StartProbing();
    records_.resize(arrivals.size());
    pending_stages_.assign(arrivals.size(), 0);
    for (size_t i = 0; i < arrivals.size(); ++i) {
      records_[i].id = static_cast<int>(i);
      records_[i].arrival_s = arrivals[i];
      clock_.Schedule(arrivals[i], [this, i] { OnArrival(static_cast<int>(i)); });
    }
  }

  std::vector<RequestRecord> TakeRecords() { return std::move(records_); }
  const std::vector<DeviceTransfer>& probes() const { return probes_; }

 private:
  void OnArrival(int id) {
    RequestRecord& r = records_[id];
    obs_.now_s = clock_.Now();
    for (size_t s = 0; s < queues_.size(); ++s) {
      obs_.queue[s] = queues_[s].load();
      obs_.wait_ms[s] = queues_[s].WaitMs(obs_.now_s, 1);
    }
    if (delivery_) ReadDeliveryEstimates();

    const Stopwatch decide;
    Plan plan = policy_.Decide(obs_);
    r.decision_wall_us = decide.Us();
    r.decision_device_us = r.decision_wall_us * config_.sites[obs_.end].host_slowdown;

    r.split = plan.split;
    r.requirement_met = plan.requirement_met;
    r.uplink_estimate_mbps = obs_.uplink_estimate_mbps;
    r.predicted_ms = plan.predicted_ms;
    for (size_t s = 0; s < plan.stages.size(); ++s) CheckStage(plan.stages[s], static_cast<int>(s));
    AppendMissingResults(&plan);
    // Codec stages the policy left out are charged all the same, unpredicted.
    if (InsertCodecStages(obs_, &plan))
      for (Stage& st : plan.stages)
        if (st.work != Stage::Work::kLayers) st.predicted_ms = 0;
    for (const Stage& stage : plan.stages) r.stages.push_back({stage});
    RequestPlan request{id, -1, 0, "", {}};
    if (config_.compression) ApplyMeasuredSample(plan, r, &request);
    network_.Prepare(request);
    pending_stages_[id] = static_cast<int>(r.stages.size());
    if (r.stages.empty()) {
      Finish(id);
      return;
    }
    for (size_t s = 0; s < r.stages.size(); ++s)
      if (r.stages[s].stage.deps.empty()) StartStage(id, static_cast<int>(s));
  }

  // A stage names sites of this run and depends only on earlier stages.
  void CheckStage(const Stage& st, int index) const {
    auto fail = [&](const std::string& what) {
      throw std::logic_error(policy_.name() + ": stage " + std::to_string(index) + " " + what);
    };
    const int sites = static_cast<int>(config_.sites.size());
    auto known = [sites](SiteId site) { return site >= 0 && site < sites; };
    if (!known(st.site))
      fail("runs on site " + std::to_string(st.site) + ", which this topology lacks");
    if (st.kind == Stage::Kind::kTransfer && (!known(st.to) || st.to == st.site))
      fail("sends to site " + std::to_string(st.to) +
           ", which is not another site of this topology");
    for (int dep : st.deps)
      if (dep < 0 || dep >= index) fail("depends on a stage that does not precede it");
    if (st.kind == Stage::Kind::kCompute && !st.rows.empty()) {
      double ms = 0;
      bool measured = false;
      const Status strip = StageComputeMs(st, st.graph ? *st.graph : *config_.graph,
                                          *config_.sites[st.site].device, &ms, &measured);
      if (!strip.ok()) fail(strip.message());
    }
  }

  // Whether a transfer leaves the end device over the access link's uplink
  // (a cluster leader reaches its devices over the LAN).
  bool CrossesAccessUplink(SiteId from, SiteId to) const {
    return from == obs_.end &&
           (config_.network.topology != NetworkConfig::Topology::kCluster || to == obs_.cloud);
  }

  // What a stage leaves at its site: a transfer's bytes, or the output of the
  // last layer a compute stage ran (its strip's rows of it).
  int64_t OutputBytes(const Stage& st) const {
    if (st.kind == Stage::Kind::kTransfer) return st.bytes;
    if (st.layers.empty()) return 0;
    const Layer& last = (st.graph ? *st.graph : *config_.graph).layers.at(st.layers.back());
    if (st.rows.empty()) return last.output_bytes;
    return last.output_bytes / last.output_shape.at(2) * st.rows.size();
  }

  // A request ends when its result reaches the end device: every last stage
  // that ends elsewhere sends what it holds back (unpredicted: the policy
  // left it out).
  void AppendMissingResults(Plan* plan) const {
    const int n = static_cast<int>(plan->stages.size());
    std::vector<bool> has_dependent(n, false);
    for (const Stage& st : plan->stages)
      for (int dep : st.deps) has_dependent[dep] = true;
    for (int s = 0; s < n; ++s) {
      const SiteId at = EndsAt(plan->stages[s]);
      if (has_dependent[s] || at == obs_.end) continue;
      plan->stages.push_back(ResultReturn(obs_, at, s, OutputBytes(plan->stages[s])));
      plan->stages.back().predicted_ms = 0;
    }
  }

  // Draws the request's test sample. Each tensor the plan sends
  // (TensorSends) carries that sample's bytes encoded with its codec, and its
  // codec stages take the catalog's time for it on their sites; other
  // transfers (several tensors of a cut) send their planned bytes. The
  // request is as correct as the sample's prediction through its encodings:
  // none when nothing is sent, the catalog's entry when one tensor is
  // encoded (relayed over several links or not), a two-cut probe
  // (MeasuredCompression::pairs) when two are; unmeasured otherwise.
  // `plan`'s stages are r's, in the same order.
  // Also says what each transfer carries (*request).
  void ApplyMeasuredSample(const Plan& plan, RequestRecord& r, RequestPlan* request) {
    const int variant = plan.variant;
    const MeasuredCompression& m = *config_.compression;
    const int sample = static_cast<int>(sample_rng_() % m.samples);
    if (m.measured()) r.sample = sample;
    request->sample = r.sample;
    request->measured_samples = m.samples;
    // Every transfer; a tensor's split and codec are filled in below.
    for (size_t t = 0; t < r.stages.size(); ++t) {
      const Stage& st = r.stages[t].stage;
      if (st.kind == Stage::Kind::kTransfer)
        request->transfers.push_back({static_cast<int>(t), st.site, st.to, st.result, -1, ""});
    }
    struct Encoding {
      TensorSend send;
      const CatalogEntry* entry;
      std::vector<StageRecord*> transfers;
    };
    std::vector<Encoding> encodings;
    for (const TensorSend& send : TensorSends(plan)) {
      const CatalogEntry* entry = Entry(send.split, send.codec, variant, r);
      if (!entry) continue;
      Encoding& e = encodings.emplace_back(Encoding{send, entry, {}});
      for (int t : send.transfers) {
        StageRecord& s = r.stages[t];
        for (TransferPlan& planned : request->transfers)
          if (planned.stage == t) {
            planned.split = entry->key.split_index;
            planned.codec = entry->key.codec;
          }
        s.stage.bytes = entry->sample_bytes[sample];
        s.codec = m.codecs.at(send.codec);
        r.codec += (r.codec.empty() ? "" : ";") + s.codec;
        e.transfers.push_back(&s);
      }
    }
    for (StageRecord& s : r.stages) {
      if (s.stage.work == Stage::Work::kLayers) continue;
      const CatalogEntry* entry = Entry(s.stage.split, s.stage.codec, variant, r);
      if (!entry)
        throw std::logic_error(policy_.name() + ": a codec stage of an unmeasured tensor");
      s.stage.work_ms = CodecWorkMs(*entry, s.stage.work, config_.sites[s.stage.site]);
      s.codec = m.codecs.at(s.stage.codec);
    }
    request->variant = r.variant;
    if (encodings.size() == 2 && m.pairs && variant < 0) {
      const TensorSend &a = encodings[0].send, &b = encodings[1].send;
      Status st;
      const CatalogEntry* pair = m.pairs->Probe(split_points_.at(a.split).index, a.codec,
                                                split_points_.at(b.split).index, b.codec, &st);
      if (!pair) throw std::runtime_error(policy_.name() + ": " + st.message());
      for (StageRecord* t : encodings[0].transfers) t->stage.bytes = pair->sample_bytes[sample];
      for (StageRecord* t : encodings[1].transfers) t->stage.bytes = pair->then_bytes[sample];
      if (m.measured()) r.correct = pair->correct[sample];
      return;
    }
    if (!m.measured()) return;
    const int sends =
        static_cast<int>(std::count_if(r.stages.begin(), r.stages.end(), [](const StageRecord& s) {
          return s.stage.kind == Stage::Kind::kTransfer && !s.stage.result;
        }));
    if (sends == 0) r.correct = m.plain_correct[sample];
    if (encodings.size() == 1) r.correct = encodings[0].entry->correct[sample];
  }

  // The catalog's entry for a tensor (SendEntry); the request records the
  // variant that sent it.
  const CatalogEntry* Entry(int split, int codec, int variant, RequestRecord& r) const {
    const MeasuredCompression& m = *config_.compression;
    if (variant >= 0) r.variant = m.variants.at(variant).name;
    try {
      return SendEntry(m, split_points_, split, codec, variant);
    } catch (const std::logic_error& e) {
      throw std::logic_error(policy_.name() + ": " + e.what());
    }
  }

  void StartStage(int id, int s) {
    StageRecord& sr = records_[id].stages[s];
    sr.ready_s = clock_.Now();
    const Stage& st = sr.stage;
    if (st.kind == Stage::Kind::kCompute) {
      const Site& site = config_.sites[st.site];
      double ms = 0;
      const Status computed = StageComputeMs(st, st.graph ? *st.graph : *config_.graph,
                                             *site.device, &ms, &sr.measured);
      if (!computed.ok()) throw std::logic_error(policy_.name() + ": " + computed.message());
      const double expected_ms = obs_.ComputeMs(st.site, ms);  // load takes its share
      // The queue forecasts waits from the expected times, as a scheduler
      // does; the stage holds its cores for its own draw (a codec's work has
      // only its measured mean).
      if (spread_[st.site] > 0 && st.work == Stage::Work::kLayers)
        ms = expected_ms * std::exp(spread_[st.site] * StandardNormal(compute_rng_));
      else
        ms = expected_ms;
      SiteQueue& queue = queues_[st.site];
      const int cores = st.cores;
      queue.Acquire(clock_.Now(), cores, expected_ms, [this, id, s, ms, cores, &queue] {
        records_[id].stages[s].start_s = clock_.Now();
        clock_.Schedule(ms / 1e3, [this, id, s, cores, &queue] {
          queue.Release(clock_.Now(), cores);
          EndStage(id, s);
        });
      });
    } else {
      sr.start_s = clock_.Now();
      OnSendStart(st.site, st.to);
      network_.Send(st.site, st.to, st.bytes, [this, id, s] { EndStage(id, s); }, /*probe=*/false,
                    {id, s});
    }
  }

  void EndStage(int id, int s) {
    RequestRecord& r = records_[id];
    StageRecord& sr = r.stages[s];
    sr.end_s = clock_.Now();
    const Stage& st = sr.stage;
    const double wait_ms = (sr.start_s - sr.ready_s) * 1e3;
    const double run_ms = (sr.end_s - sr.start_s) * 1e3;
    if (st.kind == Stage::Kind::kTransfer) {
      r.transfer_ms += run_ms;
      if (st.site == obs_.end) r.bytes_sent += st.bytes;
      OnSendEnd(st.site, st.to);
      // A result is a few bytes: its time is the link's delay, which a goodput
      // estimate would read as a link of a few kbit/s. It teaches nothing.
      if (!st.result) FeedGoodput(st.site, st.to, st.bytes, sr.start_s, sr.end_s);
      if (CrossesAccessUplink(st.site, st.to) && r.uplink_capacity_mbps < 0)
        r.uplink_capacity_mbps =
            config_.network.uplink.capacity.MeanMbpsBetween(sr.start_s, sr.end_s);
    } else {
      RoleTotals& totals = r.totals[static_cast<int>(config_.sites[st.site].role)];
      totals.wait_ms += wait_ms;
      totals.compute_ms += run_ms;
    }
    // Start every stage whose dependencies are now all done.
    for (size_t next = s + 1; next < r.stages.size(); ++next) {
      const auto& deps = r.stages[next].stage.deps;
      if (std::find(deps.begin(), deps.end(), s) == deps.end()) continue;
      bool ready = true;
      for (int d : deps) ready = ready && r.stages[d].end_s >= 0;
      if (ready) StartStage(id, static_cast<int>(next));
    }
    if (--pending_stages_[id] == 0) Finish(id);
  }

  // The senders' own view of every connection (estimator.kind = delivery).
  // Before a sample that measured the path, a link is at the prior (a LAN
  // link at its nominal rate), or faster if an app-limited sample says so.
  void ReadDeliveryEstimates() {
    obs_.links.clear();
    const SiteId sites = static_cast<SiteId>(config_.sites.size());
    for (SiteId from = 0; from < sites; ++from)
      for (SiteId to = 0; to < sites; ++to) {
        if (from == to) continue;
        const std::optional<DeliveryEstimate> e = network_.Estimate(from, to);
        if (!e) continue;
        LinkEstimate link{from, to, e->path_mbps};
        if (link.mbps <= 0) link.mbps = std::max(obs_.Link(from, to).mbps, e->app_limited_mbps);
        link.min_rtt_ms = e->min_rtt_s * 1e3;
        link.cwnd_bytes = e->cwnd_bytes;
        link.backlog_bytes = static_cast<double>(e->backlog_bytes);
        obs_.links.push_back(link);
      }
    obs_.uplink_estimate_mbps = obs_.EstimateMbps(obs_.end, obs_.cloud);
  }

  // Feeds the goodput estimators (last, ewma, harmonic) with a message
  // delivered from one site to another. Messages share one TCP connection in
  // order: a message queued behind another is on the link only once that one
  // is delivered, so its waiting is not counted as transfer time (it would
  // read as a slow link).
  void FeedGoodput(SiteId from, SiteId to, uint64_t bytes, double start_s, double end_s) {
    if (delivery_) return;
    auto it = links_.find({from, to});
    if (it == links_.end())
      it = links_.emplace(std::make_pair(from, to), LinkState{config_.estimator}).first;
    LinkState& link = it->second;
    const double on_link_s = std::max(start_s, link.last_delivery_s);
    link.last_delivery_s = end_s;
    link.estimator.OnTransferComplete(static_cast<double>(bytes), end_s - on_link_s);
    obs_.links.clear();
    for (const auto& [pair, state] : links_)
      obs_.links.push_back({pair.first, pair.second, state.estimator.EstimateMbps()});
    obs_.uplink_estimate_mbps = obs_.EstimateMbps(obs_.end, obs_.cloud);
  }

  // Probing (ProbeConfig): the end device probes its access link through the
  // nearest site beyond it (two-tier and cluster: the cloud; three-tier: the
  // edge) once nothing it sends over that link has been in flight for the
  // interval. Each value of uplink_idle_since_s_ has its timer, armed when it
  // was set.
  void StartProbing() {
    if (config_.probe.interval_s <= 0) return;
    probe_to_ = config_.network.topology == NetworkConfig::Topology::kThreeTier
                    ? FirstSiteOf(config_.sites, SiteRole::kEdge)
                    : obs_.cloud;
    if (probe_to_ < 0) return;  // a cluster without an upstream: no access link
    ArmProbe(config_.probe.interval_s);
  }

  void ArmProbe(double at_s) {
    if (at_s >= config_.duration_s) return;  // no request comes to use it
    clock_.Schedule(at_s - clock_.Now(), [this] { OnProbeTimer(); });
  }

  void OnProbeTimer() {
    const double now = clock_.Now();
    // Busy, or busy since the timer was armed: the last delivery armed another.
    // (ns-3 rounds times to nanoseconds; intervals are at least a millisecond.)
    if (uplink_sending_ > 0 || now < uplink_idle_since_s_ + config_.probe.interval_s - 1e-6) return;
    probes_.push_back({now, -1, config_.probe.bytes});
    const size_t probe = probes_.size() - 1;
    OnSendStart(obs_.end, probe_to_);
    network_.Send(
        obs_.end, probe_to_, config_.probe.bytes,
        [this, probe] {
          DeviceTransfer& p = probes_[probe];
          p.end_s = clock_.Now();
          OnSendEnd(obs_.end, probe_to_);
          FeedGoodput(obs_.end, probe_to_, p.bytes, p.start_s, p.end_s);
        },
        /*probe=*/true);
  }

  void OnSendStart(SiteId from, SiteId to) {
    if (probe_to_ >= 0 && CrossesAccessUplink(from, to)) ++uplink_sending_;
  }

  void OnSendEnd(SiteId from, SiteId to) {
    if (probe_to_ < 0 || !CrossesAccessUplink(from, to) || --uplink_sending_ > 0) return;
    uplink_idle_since_s_ = clock_.Now();
    ArmProbe(uplink_idle_since_s_ + config_.probe.interval_s);
  }

  void Finish(int id) {
    RequestRecord& r = records_[id];
    r.completed = true;
    r.actual_ms = (clock_.Now() - r.arrival_s) * 1e3;
    if (++finished_ == static_cast<int>(records_.size())) clock_.Stop();
  }

  // A directed link's estimator, and when its latest message was delivered.
  struct LinkState {
    explicit LinkState(const EstimatorConfig& config) : estimator(config) {}
    BandwidthEstimator estimator;
    double last_delivery_s = 0;
  };

  const EngineConfig& config_;
  Policy& policy_;
  const bool delivery_;  // the senders' TCP view, read at each decision
  EngineClock& clock_;
  SiteNetwork& network_;
  std::vector<SiteQueue> queues_;           // per site
  std::vector<DeviceModel> known_devices_;  // the policy's view, when not the devices themselves
  Observation obs_;                         // kept up to date, handed to every decision
  std::map<std::pair<SiteId, SiteId>, LinkState> links_;
  SiteId probe_to_ = -1;            // the probes' destination; -1: no probing
  int uplink_sending_ = 0;          // the end device's messages on its access uplink
  double uplink_idle_since_s_ = 0;  // when the last of them was delivered
  std::vector<DeviceTransfer> probes_;
  const std::vector<SplitPoint> split_points_;
  // Their own streams, so drawing samples and compute times leaves arrivals
  // and the network alone.
  static constexpr uint64_t kSampleStream = 0x5eed5a3b1e5ull;
  static constexpr uint64_t kComputeStream = 0xc0de5b4eadull;
  std::mt19937_64 sample_rng_;
  std::mt19937_64 compute_rng_;
  std::vector<double> spread_;  // per site: SpreadSigma, 0 without spread
  std::vector<RequestRecord> records_;
  std::vector<int> pending_stages_;  // per request, stages not yet ended
  int finished_ = 0;
};

}  // namespace

std::vector<double> ArrivalTimes(const ArrivalConfig& arrivals, double duration_s, uint64_t seed) {
  std::vector<double> times;
  if (arrivals.process == ArrivalConfig::Process::kPeriodic) {
    for (int64_t i = 0; i / arrivals.rate_per_s < duration_s; ++i)
      times.push_back(i / arrivals.rate_per_s);
    return times;
  }
  // mt19937_64's output is fixed by the standard; converting it to a uniform
  // by hand (not std::uniform_real_distribution) keeps arrivals identical
  // across standard libraries.
  std::mt19937_64 rng(seed);
  double t = 0;
  while (true) {
    const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;  // [0, 1)
    t += -std::log1p(-u) / arrivals.rate_per_s;
    if (t >= duration_s) return times;
    times.push_back(t);
  }
}

std::vector<RequestRecord> RunEngine(const EngineConfig& config, Policy& policy, RunStats* stats) {
  const Stopwatch wall;
  Simulation sim(config.seed);
  const uint64_t events0 = Simulation::EventCount();
  std::vector<RequestRecord> records;
  {
    const bool delivery = config.estimator.kind == EstimatorConfig::Kind::kDelivery;
    PacketNetwork network(
        config.network,
        delivery ? std::optional<DeliveryFilter>(config.estimator.filter) : std::nullopt);
    SimulatedClock clock;
    records = RunEngineOn(
        config, policy, clock, network, [&] { sim.Run(config.duration_s + config.drain_s); },
        stats);
    stats->events = Simulation::EventCount() - events0;
    stats->simulated_s = Simulation::Now();
  }
  stats->wall_s = wall.Seconds();
  return records;
}

std::vector<RequestRecord> RunEngineOn(const EngineConfig& config, Policy& policy,
                                       EngineClock& clock, SiteNetwork& network,
                                       const std::function<void()>& run_clock, RunStats* stats) {
  EngineRun run(config, policy, clock, network);
  run.Start(ArrivalTimes(config.arrivals, config.duration_s, config.seed));
  run_clock();
  std::vector<RequestRecord> records = run.TakeRecords();
  const SiteId end = FirstSiteOf(config.sites, SiteRole::kEndDevice);
  stats->probe_energy_j =
      AssignEndDeviceEnergy(config.sites.at(end).device->power(), end, run.probes(), &records);
  stats->probe_log = run.probes();
  stats->probes = static_cast<int>(stats->probe_log.size());
  stats->probe_bytes = 0;
  for (const DeviceTransfer& p : stats->probe_log) stats->probe_bytes += p.bytes;
  return records;
}

}  // namespace coinfer
