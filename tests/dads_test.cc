#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "dnn/zoo.h"
#include "policies/dads.h"
#include "policies/max_flow.h"
#include "policies/neurosurgeon.h"
#include "tests/policy_fixtures.h"

namespace coinfer {
namespace {

// The best cost over every device set closed under predecessors (2^n sets).
double BruteForceMs(const Observation& obs) {
  const Graph& g = *obs.graph;
  double best = INFINITY;
  for (uint32_t mask = 0; mask < (1u << g.size()); ++mask) {
    std::vector<bool> on_device(g.size());
    bool closed = true;
    for (int v = 0; v < g.size(); ++v) on_device[v] = mask >> v & 1;
    for (int v = 0; v < g.size() && closed; ++v)
      for (int u : g.layers[v].inputs)
        if (on_device[v] && u >= 0 && !on_device[u]) closed = false;
    if (!closed) continue;
    // Compute and the crossing tensors, then the result's way back (output
    // bytes at the estimate) when anything runs in the cloud.
    const double line = MakePartition(g, LayerTimes::Of(obs), on_device)
                            .CostMs(MsPerByte(obs.uplink_estimate_mbps));
    const bool offloads = std::find(on_device.begin(), on_device.end(), false) != on_device.end();
    const double back =
        offloads ? g.layers.back().output_bytes * 8.0 / (obs.uplink_estimate_mbps * 1e3) : 0;
    best = std::min(best, line + back);
  }
  return best;
}

TEST(DadsTest, MinCutEqualsBruteForceOnRandomDags) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> log_mbps(-1, 3), slow(0.01, 0.2), fast(0.0005, 0.01),
      overhead(0, 50);
  for (int trial = 0; trial < 300; ++trial) {
    const Graph g = RandomDag(rng, 2 + trial % 10);
    // Every third trial, each side pays a per-task overhead (EdgeLD's devices).
    const bool tasks = trial % 3 == 0;
    const DeviceModel end =
        DeviceModel::FromCoefficients("end", 1, {0, slow(rng), 0, 0}, tasks ? overhead(rng) : 0);
    const DeviceModel cloud =
        DeviceModel::FromCoefficients("cloud", 8, {0, fast(rng), 0, 0}, tasks ? overhead(rng) : 0);
    const Observation obs = ObservationOf(g, end, cloud, std::pow(10, log_mbps(rng)));
    DadsPolicy dads;
    const Plan plan = dads.Decide(obs);
    const double best = BruteForceMs(obs);
    ASSERT_NEAR(plan.predicted_ms, best, 1e-9 * best) << "trial " << trial;
    // The plan's device layers are closed under predecessors.
    std::vector<bool> on_device(g.size(), false);
    for (int v : dads.DeviceLayers(obs)) on_device[v] = true;
    for (int v = 0; v < g.size(); ++v)
      for (int u : g.layers[v].inputs) ASSERT_FALSE(on_device[v] && u >= 0 && !on_device[u]);
  }
}

TEST(DadsTest, OnAChainItEqualsNeurosurgeon) {
  Graph g;
  ASSERT_TRUE(RecordZooGraph("vgg16", &g).ok());
  for (double task_ms : {0.0, 20.0}) {
    const DeviceModel end = DeviceModel::FromCoefficients("end", 1, {0, 0.05, 0.3, 0}, task_ms);
    const DeviceModel cloud =
        DeviceModel::FromCoefficients("cloud", 8, {0, 0.001, 0.02, 0}, task_ms);
    for (double mbps : {0.5, 5.0, 50.0, 500.0}) {
      const Observation obs = ObservationOf(g, end, cloud, mbps);
      DadsPolicy dads;
      NeurosurgeonPolicy neurosurgeon;
      const Plan a = dads.Decide(obs), b = neurosurgeon.Decide(obs);
      EXPECT_NEAR(a.predicted_ms, b.predicted_ms, 1e-9 * b.predicted_ms) << mbps;
      EXPECT_EQ(a.split, b.split) << mbps;
    }
  }
}

TEST(DadsTest, ResNetCutsAreValidAndNoWorseThanNeurosurgeon) {
  Graph g;
  ASSERT_TRUE(RecordZooGraph("resnet18", &g).ok());
  const DeviceModel end = DeviceModel::FromCoefficients("end", 1, {0, 0.05, 0.3, 0});
  const DeviceModel cloud = DeviceModel::FromCoefficients("cloud", 8, {0, 0.001, 0.02, 0});
  for (double mbps : {1.0, 10.0, 100.0}) {
    const Observation obs = ObservationOf(g, end, cloud, mbps);
    DadsPolicy dads;
    NeurosurgeonPolicy neurosurgeon;
    EXPECT_LE(dads.Decide(obs).predicted_ms, neurosurgeon.Decide(obs).predicted_ms * (1 + 1e-12));
  }
}

TEST(MaxFlowTest, ClassicExample) {
  // CLRS figure 26.1: maximum flow 23.
  MaxFlow f(6);
  f.AddEdge(0, 1, 16);
  f.AddEdge(0, 2, 13);
  f.AddEdge(2, 1, 4);
  f.AddEdge(1, 3, 12);
  f.AddEdge(3, 2, 9);
  f.AddEdge(2, 4, 14);
  f.AddEdge(4, 3, 7);
  f.AddEdge(3, 5, 20);
  f.AddEdge(4, 5, 4);
  EXPECT_DOUBLE_EQ(f.Run(0, 5), 23);
  const auto side = f.SourceSide(0);
  EXPECT_TRUE(side[0] && side[1] && side[2] && side[4]);
  EXPECT_FALSE(side[3] || side[5]);
}

}  // namespace
}  // namespace coinfer
