// Decision time of the policies on zoo graphs (host wall time).
#include <benchmark/benchmark.h>

#include "bench/bench_inputs.h"

#include "dnn/zoo.h"
#include "policies/cnnpc.h"
#include "policies/cnnpc_tiers.h"
#include "policies/registry.h"

namespace coinfer {
namespace {

// Decisions of `policy_name` on `graph` at estimates sweeping 1-500 Mbit/s,
// after its offline work (not part of a decision).
void TimeDecisions(benchmark::State& state, const std::string& policy_name, const Graph& graph,
                   const MeasuredCompression* compression) {
  const DeviceModel end = BenchEndDevice();
  const DeviceModel cloud = BenchCloud();
  std::unique_ptr<Policy> policy;
  if (const Status st = CreatePolicy(policy_name, &policy); !st.ok()) {
    state.SkipWithError(st.message().c_str());
    return;
  }
  Observation obs;
  obs.graph = &graph;
  obs.sites = {{"end", SiteRole::kEndDevice, &end}, {"cloud", SiteRole::kCloud, &cloud}};
  obs.end = 0;
  obs.cloud = 1;
  obs.queue = {0, 0};
  obs.compression = compression;
  policy->Prepare(obs);
  double mbps = 1;
  for (auto _ : state) {
    obs.uplink_estimate_mbps = mbps;
    mbps = mbps > 500 ? 1 : mbps * 1.1;
    benchmark::DoNotOptimize(policy->Decide(obs));
  }
}

void BM_Decide(benchmark::State& state, const std::string& policy_name, const std::string& model) {
  Graph graph;
  if (!RecordZooGraph(model, &graph).ok()) {
    state.SkipWithError("cannot record graph");
    return;
  }
  TimeDecisions(state, policy_name, graph, nullptr);
}

// JMDC on small_vgg with eight codecs: codec c keeps 1/(c+1) of the bytes and
// loses c points of accuracy (synthetic: decision time depends only on the
// number of configurations).
void BM_DecideJmdc(benchmark::State& state, const std::string& policy_name) {
  Graph graph;
  if (!RecordZooGraph("small_vgg", &graph).ok()) {
    state.SkipWithError("cannot record graph");
    return;
  }
  MeasuredCompression m;
  m.samples = 100;
  m.plain_correct.assign(100, 1);
  m.plain_validation_correct = m.plain_correct;
  m.validation_samples = 100;
  for (int c = 0; c < 8; ++c) {
    m.codecs.push_back("codec" + std::to_string(c));
    auto& entries = m.at_split.emplace_back();
    for (const SplitPoint& p : graph.SplitPoints()) {
      if (p.index == graph.size()) continue;
      CatalogEntry& e = entries[p.index];
      e.sample_bytes.assign(100, p.bytes / (c + 1));
      e.correct.assign(100, 0);
      std::fill(e.correct.begin(), e.correct.end() - c, 1);
      e.validation_correct = e.correct;
    }
  }
  TimeDecisions(state, policy_name, graph, &m);
}

// CNNPC's per-request decision (a scan of its offline table) on ResNet-18 at
// its block boundaries, with the default grid of 8 rates; accuracy falls
// with the square of each rate (synthetic: decision time depends only on the
// table's size, printed as a counter).
void BM_DecideCnnpc(benchmark::State& state, CnnpcSearch::Requirement requirement) {
  Graph graph;
  if (!RecordZooGraph("resnet18", &graph).ok()) {
    state.SkipWithError("cannot record graph");
    return;
  }
  const DeviceModel end = BenchEndDevice(), cloud = BenchCloud();
  CnnpcTiers tiers;
  if (!MakeCnnpcTiers(graph, CnnpcPolicy::BlockBoundaries(graph), end, cloud, cloud, 1.66, &tiers)
           .ok()) {
    state.SkipWithError("cannot make tiers");
    return;
  }
  const std::vector<double> rates = {0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875};
  CnnpcSearch search(tiers, rates, requirement);
  search.Prepare([&](const CnnpcPoint& p) {
    return 0.9 - 0.1 * rates[p.r1] * rates[p.r1] - 0.1 * rates[p.r2] * rates[p.r2];
  });
  double mbps = 1;
  for (auto _ : state) {
    mbps = mbps > 500 ? 1 : mbps * 1.1;
    benchmark::DoNotOptimize(search.Choose({mbps, 2 * mbps, 1, 2}));
  }
  state.counters["plans"] = static_cast<double>(search.table().size());
}

BENCHMARK_CAPTURE(BM_DecideCnnpc, accuracy_resnet18,
                  CnnpcSearch::Requirement{CnnpcSearch::Mode::kAccuracy, 0.85, -1});
BENCHMARK_CAPTURE(BM_DecideCnnpc, latency_auto_resnet18,
                  CnnpcSearch::Requirement{CnnpcSearch::Mode::kLatency, 0, 0.5});

BENCHMARK_CAPTURE(BM_DecideJmdc, accuracy_small_vgg, "jmdc@accuracy:0.97");
BENCHMARK_CAPTURE(BM_DecideJmdc, latency_small_vgg, "jmdc@latency:20");

BENCHMARK_CAPTURE(BM_Decide, neurosurgeon_vgg16, "neurosurgeon", "vgg16");
BENCHMARK_CAPTURE(BM_Decide, neurosurgeon_resnet50, "neurosurgeon", "resnet50");
BENCHMARK_CAPTURE(BM_Decide, device_only_resnet50, "device-only", "resnet50");
BENCHMARK_CAPTURE(BM_Decide, dads_resnet50, "dads", "resnet50");
BENCHMARK_CAPTURE(BM_Decide, dads_mobilenet_v2, "dads", "mobilenet_v2");
BENCHMARK_CAPTURE(BM_Decide, cic_resnet50, "cic", "resnet50");
BENCHMARK_CAPTURE(BM_Decide, cic_mobilenet_v2, "cic", "mobilenet_v2");

}  // namespace
}  // namespace coinfer
