// Whole simulated runs: events per second of the engine over a real trace.
#include <benchmark/benchmark.h>

#include "bench/bench_inputs.h"

#include <memory>

#include "dnn/zoo.h"
#include "policies/registry.h"
#include "sim/engine.h"

namespace coinfer {
namespace {

void BM_EngineOverVerizonUplink(benchmark::State& state, const std::string& policy_name) {
  Graph graph;
  RecordZooGraph("small_vgg", &graph);
  const DeviceModel end = BenchEndDevice();
  const DeviceModel cloud = BenchCloud();
  const auto trace = VerizonUplink();
  if (!trace) {
    state.SkipWithError("cannot read trace");
    return;
  }
  EngineConfig config;
  config.graph = &graph;
  config.sites = {{"end", SiteRole::kEndDevice, &end}, {"cloud", SiteRole::kCloud, &cloud}};
  config.network.uplink.capacity.trace = trace;
  config.network.downlink.capacity.constant_mbps = 20;
  config.arrivals = {ArrivalConfig::Process::kPoisson, 10};
  config.duration_s = 60;
  uint64_t events = 0;
  for (auto _ : state) {
    std::unique_ptr<Policy> policy;
    CreatePolicy(policy_name, &policy);  // a name of the registry's
    RunStats stats;
    benchmark::DoNotOptimize(RunEngine(config, *policy, &stats));
    events += stats.events;
  }
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_EngineOverVerizonUplink, cloud_only, "cloud-only")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EngineOverVerizonUplink, neurosurgeon, "neurosurgeon")
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coinfer
