#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

#include "dnn/zoo.h"
#include "policies/dads.h"
#include "policies/max_flow.h"
#include "policies/neurosurgeon.h"
#include "tests/policy_fixtures.h"

namespace coinfer {
namespace {

// Devices that cost a fixed number of ns per MAC and per task, priced by
// hand below (not by DeviceModel or the partition code under test).
struct HandDevices {
  double end_ns_per_mac, cloud_ns_per_mac, end_task_ms, cloud_task_ms;
};

// The cost of running `on_device` on the end device and the rest in the
// cloud: each side's layers and its task overhead when it runs any; every
// tensor made on the device side (the input included) that a cloud layer
// reads, sent once at the estimate; the result's way back when the last
// layer runs in the cloud.
double HandPricedMs(const Graph& g, const std::vector<bool>& on_device, const HandDevices& d,
                    double mbps) {
  const double ms_per_byte = 8.0 / (mbps * 1e3);
  double ms = 0;
  bool any_end = false, any_cloud = false;
  std::vector<bool> sent(g.size() + 1, false);  // [u + 1]: tensor u sent
  for (int v = 0; v < g.size(); ++v) {
    const double macs = static_cast<double>(g.layers[v].macs);
    if (on_device[v]) {
      ms += d.end_ns_per_mac * macs / 1e6;
      any_end = true;
      continue;
    }
    ms += d.cloud_ns_per_mac * macs / 1e6;
    any_cloud = true;
    for (int u : g.layers[v].inputs) {
      if ((u >= 0 && !on_device[u]) || sent[u + 1]) continue;
      sent[u + 1] = true;
      ms += (u < 0 ? g.input_bytes : g.layers[u].output_bytes) * ms_per_byte;
    }
  }
  if (any_end) ms += d.end_task_ms;
  if (any_cloud) ms += d.cloud_task_ms;
  if (!on_device.back()) ms += g.layers.back().output_bytes * ms_per_byte;
  return ms;
}

// The least `cost` over every device set closed under predecessors (2^n sets).
double BruteForceMin(const Graph& g, const std::function<double(const std::vector<bool>&)>& cost) {
  double best = INFINITY;
  for (uint32_t mask = 0; mask < (1u << g.size()); ++mask) {
    std::vector<bool> on_device(g.size());
    bool closed = true;
    for (int v = 0; v < g.size(); ++v) on_device[v] = mask >> v & 1;
    for (int v = 0; v < g.size() && closed; ++v)
      for (int u : g.layers[v].inputs)
        if (on_device[v] && u >= 0 && !on_device[u]) closed = false;
    if (closed) best = std::min(best, cost(on_device));
  }
  return best;
}

// The best hand-priced cost.
double BruteForceMs(const Graph& g, const HandDevices& d, double mbps) {
  return BruteForceMin(
      g, [&](const std::vector<bool>& on_device) { return HandPricedMs(g, on_device, d, mbps); });
}

TEST(DadsTest, MinCutEqualsBruteForceOnRandomDags) {
  std::mt19937 rng(11);
  // The cloud 2 to 20 times faster, links from 1 to 300 Mbit/s: where cuts
  // inside the graph win (one-sided plans are checked too).
  std::uniform_real_distribution<double> log_mbps(0, 2.5), slow(0.01, 0.2), speedup(2, 20),
      overhead(0, 50);
  int non_prefix = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const Graph g = RandomDag(rng, 2 + trial % 10);
    // Every third trial, each side pays a per-task overhead (EdgeLD's devices).
    const bool tasks = trial % 3 == 0;
    const double end_ns = slow(rng);
    HandDevices d{end_ns, end_ns / speedup(rng), 0, 0};
    if (tasks) d.end_task_ms = overhead(rng), d.cloud_task_ms = overhead(rng);
    const DeviceModel end =
        DeviceModel::FromCoefficients("end", 1, {0, d.end_ns_per_mac, 0, 0}, d.end_task_ms);
    const DeviceModel cloud =
        DeviceModel::FromCoefficients("cloud", 8, {0, d.cloud_ns_per_mac, 0, 0}, d.cloud_task_ms);
    const double mbps = std::pow(10, log_mbps(rng));
    const Observation obs = ObservationOf(g, end, cloud, mbps);
    DadsPolicy dads;
    const Plan plan = dads.Decide(obs);
    const double best = BruteForceMs(g, d, mbps);
    ASSERT_NEAR(plan.predicted_ms, best, 1e-9 * best) << "trial " << trial;
    // The plan's device layers are closed under predecessors.
    std::vector<bool> on_device(g.size(), false);
    for (int v : dads.DeviceLayers(obs)) on_device[v] = true;
    for (int v = 0; v < g.size(); ++v)
      for (int u : g.layers[v].inputs) ASSERT_FALSE(on_device[v] && u >= 0 && !on_device[u]);
    // The layers it runs cost what it predicts.
    ASSERT_NEAR(HandPricedMs(g, on_device, d, mbps), best, 1e-9 * best) << "trial " << trial;
    // Whether its device layers are something other than a prefix.
    non_prefix += !std::is_sorted(on_device.begin(), on_device.end(), std::greater<bool>());
  }
  // Wide DAGs: the best device set is sometimes no prefix at all (39 of the
  // 2000 here), which a chain could never test.
  EXPECT_GT(non_prefix, 10);
}

// The pipeline stages of `on_device`, priced by hand: the device's and the
// cloud's compute per core (each side's task overhead when it runs any) and
// the uplink's bytes (every tensor a cloud layer reads from the device side,
// once); the longest of the three.
double HandBottleneckMs(const Graph& g, const std::vector<bool>& on_device, const HandDevices& d,
                        double mbps, int end_cores, int cloud_cores) {
  double device = 0, cloud = 0, bytes = 0;
  std::vector<bool> sent(g.size() + 1, false);
  for (int v = 0; v < g.size(); ++v) {
    const double macs = static_cast<double>(g.layers[v].macs);
    if (on_device[v]) {
      device += d.end_ns_per_mac * macs / 1e6;
      continue;
    }
    cloud += d.cloud_ns_per_mac * macs / 1e6;
    for (int u : g.layers[v].inputs) {
      if ((u >= 0 && !on_device[u]) || sent[u + 1]) continue;
      sent[u + 1] = true;
      bytes += u < 0 ? g.input_bytes : g.layers[u].output_bytes;
    }
  }
  if (std::count(on_device.begin(), on_device.end(), true) > 0) device += d.end_task_ms;
  if (std::count(on_device.begin(), on_device.end(), false) > 0) cloud += d.cloud_task_ms;
  return std::max({device / end_cores, bytes * 8.0 / (mbps * 1e3), cloud / cloud_cores});
}

// DSH's guarantee: within 3 times the best bottleneck over every device set
// closed under predecessors, and never worse than the light-load cut's.
TEST(DadsTest, HeavyLoadPartitionIsWithinThreeTimesTheBestBottleneck) {
  std::mt19937 rng(12);
  std::uniform_real_distribution<double> log_mbps(0, 2.5), slow(0.01, 0.2), speedup(0.5, 20);
  int optimal = 0, better_than_light = 0;
  double worst = 1;
  const int trials = 1000;
  for (int trial = 0; trial < trials; ++trial) {
    const Graph g = RandomDag(rng, 2 + trial % 10);
    const double end_ns = slow(rng);
    const HandDevices d{end_ns, end_ns / speedup(rng), 0, 0};
    const int end_cores = 1 + trial % 4, cloud_cores = 1 + trial % 3;
    const DeviceModel end = DeviceModel::FromCoefficients("end", end_cores, {0, end_ns, 0, 0});
    const DeviceModel cloud =
        DeviceModel::FromCoefficients("cloud", cloud_cores, {0, d.cloud_ns_per_mac, 0, 0});
    const double mbps = std::pow(10, log_mbps(rng));
    const Observation obs = ObservationOf(g, end, cloud, mbps);
    auto bottleneck = [&](const std::vector<int>& layers) {
      std::vector<bool> on_device(g.size(), false);
      for (int v : layers) on_device[v] = true;
      for (int v = 0; v < g.size(); ++v)
        for (int u : g.layers[v].inputs) EXPECT_FALSE(on_device[v] && u >= 0 && !on_device[u]);
      return HandBottleneckMs(g, on_device, d, mbps, end_cores, cloud_cores);
    };
    DadsPolicy heavy(DadsPolicy::Mode::kHeavy), light(DadsPolicy::Mode::kLight);
    const double got = bottleneck(heavy.DeviceLayers(obs));
    const double light_cut = bottleneck(light.DeviceLayers(obs));
    const double best = BruteForceMin(g, [&](const std::vector<bool>& on_device) {
      return HandBottleneckMs(g, on_device, d, mbps, end_cores, cloud_cores);
    });
    ASSERT_LE(got, 3 * best * (1 + 1e-9)) << "trial " << trial;
    ASSERT_LE(got, light_cut * (1 + 1e-9)) << "trial " << trial;
    optimal += got <= best * (1 + 1e-9);
    worst = std::max(worst, got / best);
    better_than_light += got < light_cut * (1 - 1e-9);
  }
  // Measured: the best in 929 of 1000, at worst 1.53 times it; better than
  // the light-load cut in 265 (weighted cuts alone: 855 best, 179 better).
  EXPECT_GT(optimal, trials * 9 / 10);
  EXPECT_LT(worst, 2);
  EXPECT_GT(better_than_light, trials / 5);
}

// Two layers of 10 ms on the device and 1 ms in the cloud; the input costs
// 12 ms to send, the first layer's output 5 ms. Light load: cloud-only (14 ms
// against 16 and 20); its uplink takes 12 ms a request. Heavy load: the split
// after the first layer, whose slowest stage is the device's 10 ms.
TEST(DadsTest, AutoModeCutsForThroughputWhenTheLightCutCannotKeepUp) {
  Graph g;
  g.input_bytes = 12'000;  // 12 ms at 8 Mbit/s
  for (int v = 0; v < 2; ++v) {
    Layer l;
    l.kind = LayerKind::kConv;
    l.macs = 10'000'000;
    l.output_bytes = v == 0 ? 5'000 : 0;
    l.inputs = {v - 1};
    g.layers.push_back(l);
  }
  const DeviceModel end = DeviceModel::FromCoefficients("end", 1, {0, 1, 0, 0});  // 1 ns/MAC
  const DeviceModel cloud = DeviceModel::FromCoefficients("cloud", 1, {0, 0.1, 0, 0});
  Observation obs = ObservationOf(g, end, cloud, 8);
  DadsPolicy dads;
  obs.arrival_rate_per_s = 50;  // one every 20 ms: the light cut keeps up
  EXPECT_TRUE(dads.DeviceLayers(obs).empty());
  obs.arrival_rate_per_s = 100;  // one every 10 ms: its 12 ms uplink does not
  EXPECT_EQ(dads.DeviceLayers(obs), std::vector<int>{0});
  EXPECT_TRUE(DadsPolicy(DadsPolicy::Mode::kLight).DeviceLayers(obs).empty());
  obs.arrival_rate_per_s = 0;  // unknown: light
  EXPECT_TRUE(dads.DeviceLayers(obs).empty());
  EXPECT_EQ(CreatedName("dads@heavy"), "dads@heavy");
  EXPECT_EQ(CreatedName("dads@mode=light"), "dads@light");
  EXPECT_EQ(CreatedName("dads@sideways"),
            "error: dads@sideways: mode must be one of auto, light, heavy, got 'sideways'");
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
