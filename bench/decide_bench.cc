// Decision time of the baseline policies on zoo graphs (host wall time).
#include <benchmark/benchmark.h>

#include "bench/bench_inputs.h"

#include "dnn/zoo.h"
#include "policies/registry.h"

namespace coinfer {
namespace {

void BM_Decide(benchmark::State& state, const std::string& policy_name, const std::string& model) {
  Graph graph;
  if (!RecordZooGraph(model, &graph).ok()) {
    state.SkipWithError("cannot record graph");
    return;
  }
  const DeviceModel end = BenchEndDevice();
  const DeviceModel cloud = BenchCloud();
  auto policy = CreatePolicy(policy_name);
  Observation obs;
  obs.graph = &graph;
  obs.end_device = &end;
  obs.cloud = &cloud;
  policy->Prepare(obs);  // offline work is not part of a decision
  double mbps = 1;
  for (auto _ : state) {
    obs.uplink_estimate_mbps = mbps;
    mbps = mbps > 500 ? 1 : mbps * 1.1;
    benchmark::DoNotOptimize(policy->Decide(obs));
  }
}

BENCHMARK_CAPTURE(BM_Decide, neurosurgeon_vgg16, "neurosurgeon", "vgg16");
BENCHMARK_CAPTURE(BM_Decide, neurosurgeon_resnet50, "neurosurgeon", "resnet50");
BENCHMARK_CAPTURE(BM_Decide, device_only_resnet50, "device-only", "resnet50");
BENCHMARK_CAPTURE(BM_Decide, dads_resnet50, "dads", "resnet50");
BENCHMARK_CAPTURE(BM_Decide, dads_mobilenet_v2, "dads", "mobilenet_v2");
BENCHMARK_CAPTURE(BM_Decide, cic_resnet50, "cic", "resnet50");
BENCHMARK_CAPTURE(BM_Decide, cic_mobilenet_v2, "cic", "mobilenet_v2");

}  // namespace
}  // namespace coinfer
