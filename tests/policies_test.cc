#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "dnn/zoo.h"
#include "policies/neurosurgeon.h"
#include "policies/registry.h"
#include "tests/policy_fixtures.h"

namespace coinfer {
namespace {

class NeurosurgeonTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    Status st = RecordZooGraph(GetParam(), &graph_);
    ASSERT_TRUE(st.ok()) << st.message();
    KindCoefficients slow, fast;
    slow.ns_per_mac = 0.05;
    slow.ns_per_io_byte = 0.3;
    fast.ns_per_mac = 0.001;
    fast.ns_per_io_byte = 0.02;
    end_ = DeviceModel::FromCoefficients("slow", 1, slow);
    cloud_ = DeviceModel::FromCoefficients("fast", 8, fast);
  }
  Observation Obs(double mbps) const { return ObservationOf(graph_, end_, cloud_, mbps); }
  Graph graph_;
  DeviceModel end_, cloud_;
};

TEST_P(NeurosurgeonTest, ChoiceEqualsBruteForceOverAllSplits) {
  NeurosurgeonPolicy policy;
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> log_mbps(-1, 3);  // 0.1 .. 1000 Mbit/s
  const int splits = static_cast<int>(graph_.SplitPoints().size());
  for (int trial = 0; trial < 200; ++trial) {
    const Observation obs = Obs(std::pow(10, log_mbps(rng)));
    double best = INFINITY;
    for (int k = 0; k < splits; ++k) best = std::min(best, MakeSplitPlan(obs, k).predicted_ms);
    const Plan chosen = policy.Decide(obs);
    EXPECT_NEAR(chosen.predicted_ms, best, 1e-9 * best) << obs.uplink_estimate_mbps << " Mbit/s";
  }
}

TEST_P(NeurosurgeonTest, NoBandwidthMeansDeviceOnlyAndUnlimitedMeansCloudOnly) {
  NeurosurgeonPolicy policy;
  const int last = static_cast<int>(graph_.SplitPoints().size()) - 1;
  EXPECT_EQ(policy.Decide(Obs(1e-6)).split, last);
  EXPECT_EQ(policy.Decide(Obs(1e12)).split, 0);
}

// The end device's (site 0's) predicted energy of a plan, stage by stage, in
// the states the engine charges (sim/energy.h): millijoules. It computes or
// sends its own stages and idles through the others (receiving the result too).
double PredictedEnergyMj(const Plan& plan, const DevicePower& p, double mbps) {
  double mj = 0;
  for (const Stage& s : plan.stages) {
    const bool own = s.site == 0;
    if (s.kind == Stage::Kind::kTransfer && own)
      mj += (p.transmit_w + p.transmit_w_per_mbps * mbps) * s.predicted_ms;
    else
      mj += (own ? p.compute_w : p.idle_w) * s.predicted_ms;
  }
  return mj;
}

TEST_P(NeurosurgeonTest, EnergyChoiceEqualsBruteForceOverAllSplits) {
  DevicePower power;
  power.idle_w = 0.1;
  power.compute_w = 5;
  power.transmit_w = 1;
  power.transmit_w_per_mbps = 0.05;
  KindCoefficients slow;
  slow.ns_per_mac = 0.05;
  slow.ns_per_io_byte = 0.3;
  const DeviceModel end = DeviceModel::FromCoefficients("slow", 1, slow, 0, power);
  NeurosurgeonPolicy energy(NeurosurgeonPolicy::Objective::kEnergy), latency;
  EXPECT_TRUE(energy.NeedsEndDevicePower());
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> log_mbps(-1, 3);
  const int splits = static_cast<int>(graph_.SplitPoints().size());
  int differs = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const Observation obs = ObservationOf(graph_, end, cloud_, std::pow(10, log_mbps(rng)));
    double best = INFINITY;
    for (int k = 0; k < splits; ++k)
      best =
          std::min(best, PredictedEnergyMj(MakeSplitPlan(obs, k), power, obs.uplink_estimate_mbps));
    const Plan chosen = energy.Decide(obs);
    EXPECT_NEAR(PredictedEnergyMj(chosen, power, obs.uplink_estimate_mbps), best, 1e-9 * best)
        << obs.uplink_estimate_mbps << " Mbit/s";
    differs += chosen.split != latency.Decide(obs).split;
  }
  // Computing costs 5 W and sending 1 W: energy offloads where latency would not.
  EXPECT_GT(differs, 0);
}

INSTANTIATE_TEST_SUITE_P(Zoo, NeurosurgeonTest, ::testing::Values("small_vgg", "resnet18"));

TEST(RegistryTest, KnowsTheBaselinesByName) {
  for (const char* name : {"device-only", "cloud-only", "neurosurgeon", "dads", "cic"}) {
    std::unique_ptr<Policy> p;
    ASSERT_TRUE(CreatePolicy(name, &p).ok()) << name;
    EXPECT_EQ(p->name(), name);
  }
  std::unique_ptr<Policy> p;
  const Status st = CreatePolicy("oracle", &p);
  EXPECT_NE(st.message().find("unknown policy 'oracle' (known: device-only, cloud-only"),
            std::string::npos)
      << st.message();
}

// The parameters and their older spellings make the same policy; a bad
// parameter or value gets the policy's own message.
TEST(RegistryTest, ParametersAreNamedCheckedAndKeepTheirOlderSpellings) {
  EXPECT_EQ(CreatedName("neurosurgeon@objective=energy"), "neurosurgeon@energy");
  EXPECT_EQ(CreatedName("neurosurgeon@energy"), "neurosurgeon@energy");
  EXPECT_EQ(CreatedName("neurosurgeon@objective=latency"), "neurosurgeon");
  EXPECT_EQ(CreatedName("cic@mode=throughput"), "cic@throughput");
  EXPECT_EQ(CreatedName("cic@throughput"), "cic@throughput");
  EXPECT_EQ(CreatedName("cic@mode=fastest"),
            "error: cic@mode=fastest: mode must be one of latency, throughput, got 'fastest'");
  EXPECT_EQ(CreatedName("cic@speed=1"),
            "error: cic@speed=1: cic has no parameter 'speed' (its parameters: mode)");
  EXPECT_EQ(CreatedName("device-only@mode=x"),
            "error: device-only@mode=x: device-only takes no parameters");
  EXPECT_EQ(CreatedName("cic@mode=latency,mode=throughput"),
            "error: cic@mode=latency,mode=throughput: mode is given twice");
}

TEST(RegistryTest, APolicyListSplitsAtPoliciesNotParameters) {
  EXPECT_EQ(SplitPolicyList("jmdc@accuracy=0.9, neurosurgeon,cic@mode=throughput"),
            (std::vector<std::string>{"jmdc@accuracy=0.9", "neurosurgeon", "cic@mode=throughput"}));
  EXPECT_EQ(SplitPolicyList("x@a=1,b=2,dads,y@c=3"),
            (std::vector<std::string>{"x@a=1,b=2", "dads", "y@c=3"}));
  EXPECT_EQ(SplitPolicyList("jmdc@accuracy:0.9,latency:50"),
            std::vector<std::string>{"jmdc@accuracy:0.9,latency:50"});
  EXPECT_EQ(SplitPolicyList("cic,mode=throughput"),  // no parameters to continue
            (std::vector<std::string>{"cic", "mode=throughput"}));
}

TEST(SplitPlanTest, StagesFollowTheCut) {
  Graph g;
  ASSERT_TRUE(RecordZooGraph("small_vgg", &g).ok());
  const DeviceModel d = DeviceModel::FromCoefficients("d", 1, {0, 0.01, 0, 0});
  Observation obs = ObservationOf(g, d, d, 8);  // one byte per microsecond
  const int k = 3;
  const SplitPoint p = g.SplitPoints()[k];
  const Plan plan = MakeSplitPlan(obs, k);
  ASSERT_EQ(plan.stages.size(), 4u);
  EXPECT_EQ(plan.stages[0].layers.size(), static_cast<size_t>(p.index));
  EXPECT_EQ(LayersText(plan.stages[0].layers), "0-" + std::to_string(p.index - 1));
  EXPECT_EQ(plan.stages[1].bytes, p.bytes);
  EXPECT_DOUBLE_EQ(plan.stages[1].predicted_ms, p.bytes / 1e3);
  EXPECT_EQ(plan.stages[2].layers.front(), p.index);
  EXPECT_EQ(plan.stages[2].layers.back(), g.size() - 1);
  EXPECT_EQ(plan.stages[2].deps, std::vector<int>{1});
  // The result (10 classes, fp32) comes back from the cloud, at 8 Mbit/s too.
  const Stage& back = plan.stages[3];
  EXPECT_TRUE(back.result);
  EXPECT_EQ(back.site, 1);
  EXPECT_EQ(back.to, 0);
  EXPECT_EQ(back.bytes, 40);
  EXPECT_EQ(back.deps, std::vector<int>{2});
  EXPECT_DOUBLE_EQ(back.predicted_ms, 40 / 1e3);
  EXPECT_DOUBLE_EQ(plan.predicted_ms, plan.stages[0].predicted_ms + plan.stages[1].predicted_ms +
                                          plan.stages[2].predicted_ms + back.predicted_ms);
  EXPECT_EQ(MakeSplitPlan(obs, 0).stages.size(), 3u);  // nothing computed on the device
  EXPECT_EQ(MakeSplitPlan(obs, static_cast<int>(g.SplitPoints().size()) - 1).stages.size(), 1u);
}

}  // namespace
}  // namespace coinfer
