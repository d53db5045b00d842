// Trace replay cost: a saturated uplink over a whole shipped trace, exact
// (an event per delivery opportunity) vs binned (the rate set every 100 ms).
#include <benchmark/benchmark.h>

#include "bench/bench_inputs.h"

#include <memory>

#include "sim/net/packet_network.h"
#include "sim/net/simulation.h"

namespace coinfer {
namespace {

void BM_SaturatedReplay(benchmark::State& state, NetworkConfig::Replay replay) {
  const auto trace = VerizonUplink();
  if (!trace) {
    state.SkipWithError("cannot read trace");
    return;
  }
  NetworkConfig config;
  config.uplink.capacity.trace = trace;
  config.downlink.capacity.constant_mbps = 100;
  config.replay = replay;
  const double horizon_s = trace->period_ms / 1e3;
  uint64_t events = 0;
  double simulated = 0;
  for (auto _ : state) {
    Simulation sim(1);
    PacketNetwork net(config);
    for (int i = 0; i < 1200; ++i) net.Send(0, 1, 100'000, [] {});
    sim.Run(horizon_s);
    events += Simulation::EventCount();
    simulated += Simulation::Now();
  }
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["sim_s/s"] = benchmark::Counter(simulated, benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_SaturatedReplay, exact, NetworkConfig::Replay::kExact)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SaturatedReplay, binned, NetworkConfig::Replay::kBinned)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coinfer
