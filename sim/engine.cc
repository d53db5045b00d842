#include "sim/engine.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "base/stopwatch.h"
#include "sim/bandwidth_estimator.h"
#include "sim/energy.h"
#include "sim/simulation.h"
#include "sim/site_queue.h"

namespace coinfer {
namespace {

class EngineRun {
 public:
  EngineRun(const EngineConfig& config, Policy& policy)
      : config_(config),
        policy_(policy),
        network_(config.network),
        estimator_(config.estimator),
        sites_{SiteQueue(config.end_device->cores()), SiteQueue(config.cloud->cores())},
        split_points_(config.graph->SplitPoints()),
        sample_rng_(config.seed ^ kSampleStream) {}

  void Start(const std::vector<double>& arrivals) {
    Observation offline;
    offline.graph = config_.graph;
    offline.end_device = config_.end_device;
    offline.cloud = config_.cloud;
    offline.compression = config_.compression;
    policy_.Prepare(offline);
    records_.resize(arrivals.size());
    pending_stages_.assign(arrivals.size(), 0);
    for (size_t i = 0; i < arrivals.size(); ++i) {
      records_[i].id = static_cast<int>(i);
      records_[i].arrival_s = arrivals[i];
      Simulation::Schedule(arrivals[i], [this, i] { OnArrival(static_cast<int>(i)); });
    }
  }

  std::vector<RequestRecord> TakeRecords() { return std::move(records_); }

 private:
  void OnArrival(int id) {
    RequestRecord& r = records_[id];
    Observation obs;
    obs.graph = config_.graph;
    obs.end_device = config_.end_device;
    obs.cloud = config_.cloud;
    obs.compression = config_.compression;
    obs.uplink_estimate_mbps = estimator_.EstimateMbps();
    obs.end_device_queue = sites_[0].load();
    obs.cloud_queue = sites_[1].load();
    obs.now_s = Simulation::Now();

    const Stopwatch decide;
    Plan plan = policy_.Decide(obs);
    r.decision_wall_us = decide.Us();
    r.decision_device_us = r.decision_wall_us * config_.decision_scale;

    r.split = plan.split;
    r.requirement_met = plan.requirement_met;
    r.uplink_estimate_mbps = obs.uplink_estimate_mbps;
    r.predicted_ms = plan.predicted_ms;
    for (size_t s = 0; s < plan.stages.size(); ++s) {
      for (int dep : plan.stages[s].deps)
        if (dep < 0 || dep >= static_cast<int>(s))
          throw std::logic_error(policy_.name() + ": stage dependency out of order");
      r.stages.push_back({plan.stages[s]});
    }
    if (config_.compression) ApplyMeasuredSample(plan.codec, plan.variant, r);
    pending_stages_[id] = static_cast<int>(r.stages.size());
    if (r.stages.empty()) {
      Finish(id);
      return;
    }
    for (size_t s = 0; s < r.stages.size(); ++s)
      if (r.stages[s].stage.deps.empty()) StartStage(id, static_cast<int>(s));
  }

  // Draws the request's test sample; a single-cut plan sends that sample's
  // encoded bytes, and the request is as correct as that sample's prediction.
  // A plan that cuts several tensors sends its planned bytes, unmeasured.
  void ApplyMeasuredSample(int codec, int variant, RequestRecord& r) {
    const MeasuredCompression& m = *config_.compression;
    const int sample = static_cast<int>(sample_rng_() % m.samples);
    if (m.measured()) r.sample = sample;
    auto plain = [&] { return m.measured() ? m.plain_correct[sample] : -1; };
    if (r.split < 0) {
      const bool sends = std::any_of(r.stages.begin(), r.stages.end(), [](const StageRecord& s) {
        return s.stage.kind == Stage::Kind::kTransfer;
      });
      if (!sends) r.correct = plain();
      return;
    }
    const int split_index = split_points_.at(r.split).index;
    const CatalogEntry* entry = m.Find(codec, split_index);
    if (variant >= 0) {
      const ModelVariant& v = m.variants.at(variant);
      if (v.split_index != split_index)
        throw std::logic_error(policy_.name() + ": a variant runs only at its own split");
      entry = &v.by_codec.at(codec);
      r.variant = v.name;
    }
    if (!entry) {  // everything on one side: nothing encoded
      r.correct = plain();
      return;
    }
    r.codec = m.codecs[codec];
    if (m.measured()) r.correct = entry->correct[sample];
    for (StageRecord& s : r.stages)
      if (s.stage.kind == Stage::Kind::kTransfer) s.stage.bytes = entry->sample_bytes[sample];
  }

  void StartStage(int id, int s) {
    StageRecord& sr = records_[id].stages[s];
    sr.ready_s = Simulation::Now();
    const Stage& st = sr.stage;
    if (st.kind == Stage::Kind::kCompute) {
      const DeviceModel* model = st.site == Site::kEndDevice ? config_.end_device : config_.cloud;
      // Background load takes its fraction of the site's capacity.
      const double load = st.site == Site::kEndDevice ? config_.end_load : config_.cloud_load;
      const double ms =
          (model->LayersLatencyMs(st.graph ? *st.graph : *config_.graph, st.layers, &sr.measured) +
           model->task_overhead_ms()) /
          (1 - load);
      SiteQueue& queue = sites_[static_cast<int>(st.site)];
      const int cores = st.cores;
      queue.Acquire(cores, [this, id, s, ms, cores, &queue] {
        records_[id].stages[s].start_s = Simulation::Now();
        Simulation::Schedule(ms / 1e3, [this, id, s, cores, &queue] {
          queue.Release(cores);
          EndStage(id, s);
        });
      });
    } else {
      sr.start_s = Simulation::Now();
      network_.Send(st.site, st.to, st.bytes, [this, id, s] { EndStage(id, s); });
    }
  }

  void EndStage(int id, int s) {
    RequestRecord& r = records_[id];
    StageRecord& sr = r.stages[s];
    sr.end_s = Simulation::Now();
    const Stage& st = sr.stage;
    const double wait_ms = (sr.start_s - sr.ready_s) * 1e3;
    const double run_ms = (sr.end_s - sr.start_s) * 1e3;
    if (st.kind == Stage::Kind::kTransfer) {
      r.transfer_ms += run_ms;
      r.bytes_sent += st.bytes;
      if (st.site == Site::kEndDevice) {
        // Messages share one TCP connection in order: a message queued behind
        // another is on the link only once that one is delivered, so its
        // waiting is not counted as transfer time (it would read as a slow link).
        const double on_link_s = std::max(sr.start_s, last_uplink_delivery_s_);
        last_uplink_delivery_s_ = sr.end_s;
        estimator_.OnTransferComplete(static_cast<double>(st.bytes), sr.end_s - on_link_s);
        r.uplink_capacity_mbps =
            config_.network.uplink.capacity.MeanMbpsBetween(sr.start_s, sr.end_s);
      }
    } else if (st.site == Site::kEndDevice) {
      r.end_wait_ms += wait_ms;
      r.end_compute_ms += run_ms;
    } else {
      r.cloud_wait_ms += wait_ms;
      r.cloud_compute_ms += run_ms;
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

  void Finish(int id) {
    RequestRecord& r = records_[id];
    r.completed = true;
    r.actual_ms = (Simulation::Now() - r.arrival_s) * 1e3;
    if (++finished_ == static_cast<int>(records_.size())) Simulation::Stop();
  }

  const EngineConfig& config_;
  Policy& policy_;
  Network network_;
  BandwidthEstimator estimator_;
  SiteQueue sites_[kNumSites];
  const std::vector<SplitPoint> split_points_;
  // Its own stream, so drawing samples leaves arrivals and the network alone.
  static constexpr uint64_t kSampleStream = 0x5eed5a3b1e5ull;
  std::mt19937_64 sample_rng_;
  std::vector<RequestRecord> records_;
  std::vector<int> pending_stages_;  // per request, stages not yet ended
  int finished_ = 0;
  double last_uplink_delivery_s_ = 0;  // of the end device's latest delivered message
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
    EngineRun run(config, policy);
    run.Start(ArrivalTimes(config.arrivals, config.duration_s, config.seed));
    sim.Run(config.duration_s + config.drain_s);
    records = run.TakeRecords();
    AssignEndDeviceEnergy(config.end_device->power(), &records);
    stats->events = Simulation::EventCount() - events0;
    stats->simulated_s = Simulation::Now();
  }
  stats->wall_s = wall.Seconds();
  return records;
}

}  // namespace coinfer
