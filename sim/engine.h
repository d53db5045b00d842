// Engine: runs one policy over one scenario on a clock and a network of sites
// (sim/net/engine_world.h): ns-3's in simulation, real ones in emulation. Requests
// arrive (periodic or Poisson, seeded); for each, the engine builds an
// Observation (bandwidth from an estimator fed by completed transfers only),
// asks the policy for a Plan, and executes it: compute stages occupy a core
// of their site for the device model's time (a FIFO queue per site, so
// concurrent requests contend), transfer stages are real TCP messages over
// the simulated network. Each finished request also gets the end device's
// energy (sim/energy.h). Same config and seed: the same records.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "sim/bandwidth_estimator.h"
#include "sim/energy.h"
#include "sim/measured_compression.h"
#include "sim/net/engine_world.h"
#include "sim/net/packet_network.h"
#include "sim/policy.h"
#include "sim/request_record.h"

namespace coinfer {

struct ArrivalConfig {
  enum class Process { kPeriodic, kPoisson };
  Process process = Process::kPoisson;
  double rate_per_s = 1;
};

// Probing keeps the estimate of an access link a policy stopped using
// current: once nothing the end device sends over its access uplink has been
// in flight for `interval_s`, the device sends `bytes` to the nearest site
// beyond that link (two-tier and cluster: the cloud; three-tier: the edge).
// The estimator samples it as a measurement; it costs the device radio
// energy, and a request sent meanwhile on that connection queues behind it.
// 0: never.
struct ProbeConfig {
  double interval_s = 0;
  uint64_t bytes = 64 << 10;
};

struct EngineConfig {
  const Graph* graph = nullptr;
  // The topology's sites (TopologySites(network)), each with its device
  // model, background load and slowdown to this host.
  std::vector<Site> sites;
  NetworkConfig network;
  ArrivalConfig arrivals;
  double duration_s = 60;  // requests arrive in [0, duration_s)
  double drain_s = 60;     // then the run goes on at most this long for them to finish
  uint64_t seed = 1;
  EstimatorConfig estimator;
  ProbeConfig probe;
  // What the policy's observation holds of the devices (policy.knowledge):
  // none, its paper's (Policy::PaperKnowledge); else that for every policy.
  // The engine always charges the devices' own times.
  std::optional<DeviceKnowledge> knowledge;
  // Each compute stage takes its device's time times a lognormal factor of
  // median 1 and the device's profiled spread (DeviceModel::SpreadSigma),
  // drawn from the run's seed; false: the median every time.
  bool compute_spread = true;
  // When set, each request draws a test sample (seeded) and a single-cut
  // plan sends that sample's measured bytes; its correctness is recorded.
  const MeasuredCompression* compression = nullptr;
};

struct RunStats {
  uint64_t events = 0;     // ns-3 events processed
  double simulated_s = 0;  // simulated time at the end
  double wall_s = 0;       // host time of the run
  // The end device's probes (ProbeConfig): each one, how many were sent and
  // their payload, and the device's energy for those delivered (-1: power unknown).
  std::vector<DeviceTransfer> probe_log;  // not stored: tests and in-process readers
  int probes = 0;
  uint64_t probe_bytes = 0;
  double probe_energy_j = 0;
};

// Arrival times in [0, duration_s) for the config's process and seed.
std::vector<double> ArrivalTimes(const ArrivalConfig& arrivals, double duration_s, uint64_t seed);

// Runs the scenario with `policy` on ns-3; returns one record per arrival, in order.
std::vector<RequestRecord> RunEngine(const EngineConfig& config, Policy& policy, RunStats* stats);

// The same run on another clock and network (emulation's): the arrivals are
// scheduled, then `run_clock` runs the clock until it stops or the run's
// time is up. Fills the stats' probe figures only. Callbacks of the run may
// remain on the clock and the network after it returns: neither may run
// again.
std::vector<RequestRecord> RunEngineOn(const EngineConfig& config, Policy& policy,
                                       EngineClock& clock, SiteNetwork& network,
                                       const std::function<void()>& run_clock, RunStats* stats);

}  // namespace coinfer
