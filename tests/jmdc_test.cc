#include "policies/jmdc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "dnn/zoo.h"
#include "policies/neurosurgeon.h"
#include "policies/registry.h"
#include "policy_fixtures.h"

namespace coinfer {
namespace {

// A catalog for small_vgg: codec 0 is "none" (raw bytes, the plain model's
// answers); codecs 1..k send a random fraction of the bytes and lose a random
// amount of accuracy, per split. 100 samples; the plain model is right on 90
// test and 92 validation samples. The codecs' validation samples answer as
// their test samples do.
MeasuredCompression RandomCatalog(const Graph& graph, int codecs, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> fraction(0.01, 1.0);
  MeasuredCompression m;
  m.samples = 100;
  m.plain_correct.assign(100, 0);
  std::fill(m.plain_correct.begin(), m.plain_correct.begin() + 90, 1);
  m.plain_validation_correct.assign(100, 0);
  std::fill(m.plain_validation_correct.begin(), m.plain_validation_correct.begin() + 92, 1);
  m.validation_samples = 100;
  for (int c = 0; c <= codecs; ++c) {
    m.codecs.push_back(c == 0 ? "none" : "codec" + std::to_string(c));
    std::map<int, CatalogEntry>& entries = m.at_split.emplace_back();
    for (const SplitPoint& p : graph.SplitPoints()) {
      if (p.index == graph.size()) continue;
      CatalogEntry& e = entries[p.index];
      const double keep = c == 0 ? 1.0 : fraction(rng);
      const int right = c == 0 ? 90 : 90 - static_cast<int>(rng() % 30);
      for (int i = 0; i < 100; ++i) {
        e.sample_bytes.push_back(static_cast<int64_t>(keep * (p.bytes + 13)) + i % 3);
        e.correct.push_back(i < right);
        e.agrees.push_back(i < right);
      }
      // "none" answers as the plain model does, on validation samples too.
      e.validation_correct = c == 0 ? m.plain_validation_correct : e.correct;
    }
  }
  return m;
}

// A result's way back, paid by every configuration but device-only: the
// Pareto decision stays exact with it.
constexpr double kResultMs = 2.5;

// An uplink known by its rate alone (a goodput estimator's view).
LinkEstimate Uplink(double mbps) { return {0, 1, mbps}; }
// The delivery estimator's view of a cold connection: a round trip of 80 ms
// and a window of 10 segments, so that bigger transfers pay slow-start rounds.
LinkEstimate SlowStartingUplink(double mbps) {
  LinkEstimate link = Uplink(mbps);
  link.min_rtt_ms = 80;
  link.cwnd_bytes = 14480;
  return link;
}

// A JMDC policy made by the registry from "accuracy:A" or "latency:T".
std::unique_ptr<JmdcPolicy> Jmdc(const std::string& requirement) {
  std::unique_ptr<Policy> made;
  const Status st = CreatePolicy("jmdc@" + requirement, &made);
  EXPECT_TRUE(st.ok()) << st.message();
  return std::unique_ptr<JmdcPolicy>(static_cast<JmdcPolicy*>(made.release()));
}

class JmdcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RecordZooGraph("small_vgg", &graph_).ok());
    KindCoefficients end;
    end.fixed_us = 2'000;
    end.ns_per_mac = 0.5;
    end_ = DeviceModel::FromCoefficients("end", 1, end);
    cloud_ = DeviceModel::FromCoefficients("cloud", 1, KindCoefficients{50, 0.01, 0, 0});
  }
  Observation Obs(const MeasuredCompression& m, double mbps) {
    Observation obs = ObservationOf(graph_, end_, cloud_, mbps);
    obs.compression = &m;
    return obs;
  }
  std::vector<double> Bandwidths() {
    std::vector<double> mbps;
    for (double e = -1; e <= 3.0001; e += 0.05) mbps.push_back(std::pow(10.0, e));
    return mbps;
  }
  Graph graph_;
  DeviceModel end_, cloud_;
};

TEST_F(JmdcTest, ParetoDecisionEqualsExhaustiveSearch) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    const MeasuredCompression m = RandomCatalog(graph_, 6, seed);
    for (const char* req :
         {"accuracy:0", "accuracy:0.7", "accuracy:0.8", "accuracy:0.88", "accuracy:0.95",
          "latency:5", "latency:20", "latency:80", "latency:400"}) {
      const std::unique_ptr<JmdcPolicy> made = Jmdc(req);
      JmdcPolicy& policy = *made;
      policy.Prepare(Obs(m, 10));
      for (double mbps : Bandwidths())
        for (const LinkEstimate& uplink : {Uplink(mbps), SlowStartingUplink(mbps)}) {
          const auto fast = policy.Choose(uplink, kResultMs);
          const auto exhaustive = policy.ChooseExhaustive(uplink, kResultMs);
          ASSERT_EQ(fast.config, exhaustive.config)
              << req << " seed " << seed << " at " << mbps << " rtt " << uplink.min_rtt_ms;
          ASSERT_EQ(fast.requirement_met, exhaustive.requirement_met);
        }
    }
  }
}

TEST_F(JmdcTest, LowerBandwidthSendsFewerBytes) {
  const MeasuredCompression m = RandomCatalog(graph_, 6, 7);
  JmdcPolicy policy({JmdcRequirement::Kind::kAccuracy, 0.75}, "jmdc");
  policy.Prepare(Obs(m, 10));
  std::vector<double> mbps = Bandwidths();
  std::reverse(mbps.begin(), mbps.end());  // 1000 down to 0.1 Mbit/s
  double last_bytes = 1e30;
  for (double b : mbps) {
    const auto& c = policy.configs()[policy.Choose(Uplink(b), 0).config];
    EXPECT_LE(c.bytes, last_bytes) << b;
    last_bytes = c.bytes;
  }
  EXPECT_LT(last_bytes, m.Find(0, 0)->MeanBytes());
}

TEST_F(JmdcTest, AStricterAccuracyFloorNeverPicksMoreCompression) {
  const MeasuredCompression m = RandomCatalog(graph_, 6, 11);
  for (double mbps : {0.5, 5.0, 50.0}) {
    double last_accuracy = 0;
    for (int percent = 60; percent <= 90; ++percent) {
      const double floor = percent / 100.0;
      JmdcPolicy policy({JmdcRequirement::Kind::kAccuracy, floor}, "jmdc");
      policy.Prepare(Obs(m, mbps));
      const auto choice = policy.Choose(Uplink(mbps), 0);
      ASSERT_TRUE(choice.requirement_met) << floor;
      const double accuracy = policy.configs()[choice.config].accuracy;
      EXPECT_GE(accuracy, floor - 1e-12);
      EXPECT_GE(accuracy, last_accuracy) << floor << " at " << mbps;
      last_accuracy = accuracy;
    }
  }
}

TEST_F(JmdcTest, AtTheUncompressedAccuracyItIsNoSlowerThanNeurosurgeon) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    const MeasuredCompression m = RandomCatalog(graph_, 6, seed);
    Graph priced = graph_;
    ApplyMeanSentBytes(m, &priced);  // Neurosurgeon prices the plain tensor too
    for (double mbps : Bandwidths()) {
      Observation obs = Obs(m, mbps);
      obs.graph = &priced;
      JmdcPolicy jmdc({JmdcRequirement::Kind::kAccuracy, m.PlainValidationAccuracy()}, "jmdc");
      NeurosurgeonPolicy neurosurgeon;
      const Plan j = jmdc.Decide(obs);
      const Plan n = neurosurgeon.Decide(obs);
      EXPECT_LE(j.predicted_ms, n.predicted_ms + 1e-9) << mbps;
      EXPECT_EQ(j.requirement_met, 1);
    }
  }
}

TEST_F(JmdcTest, PlansCarryTheCodecItsBytesAndWhetherTheRequirementHolds) {
  const MeasuredCompression m = RandomCatalog(graph_, 6, 3);
  JmdcPolicy within({JmdcRequirement::Kind::kLatency, 1000}, "jmdc");
  const Plan ok = within.Decide(Obs(m, 1));
  EXPECT_EQ(ok.requirement_met, 1);
  EXPECT_LE(ok.predicted_ms, 1000);
  for (const Stage& s : ok.stages) {
    if (s.kind != Stage::Kind::kTransfer || s.result) continue;
    EXPECT_NEAR(s.bytes, m.Find(ok.codec, graph_.SplitPoints()[ok.split].index)->MeanBytes(), 0.5);
  }

  // No configuration makes 0.001 ms: the fastest one, flagged.
  JmdcPolicy impossible({JmdcRequirement::Kind::kLatency, 0.001}, "jmdc");
  const Plan late = impossible.Decide(Obs(m, 1));
  EXPECT_EQ(late.requirement_met, 0);
  // No configuration reaches 99 %: the most accurate one (device-only, 92 %
  // on validation), flagged.
  JmdcPolicy perfect({JmdcRequirement::Kind::kAccuracy, 0.99}, "jmdc");
  perfect.Prepare(Obs(m, 1));
  const auto choice = perfect.Choose(Uplink(1), 0);
  EXPECT_FALSE(choice.requirement_met);
  EXPECT_DOUBLE_EQ(perfect.configs()[choice.config].accuracy, 0.92);
}

// A pruned variant at split 5 that computes a tenth of the device side and
// sends what the model sends there, at the same accuracy: JMDC runs it (on
// its own graph) whenever it offloads at that split, and the Pareto decision
// still equals exhaustive search.
TEST_F(JmdcTest, APrunedVariantIsChosenOnItsOwnGraph) {
  MeasuredCompression m = RandomCatalog(graph_, 3, 9);
  ModelVariant v;
  v.name = "small_vgg-s5-k30";
  v.split_index = 5;
  v.graph = graph_;
  for (int i = 0; i < 5; ++i) v.graph.layers[i].macs /= 10;
  for (size_t c = 0; c < m.codecs.size(); ++c) v.by_codec.push_back(*m.Find(c, 5));
  m.variants.push_back(v);
  for (const char* req : {"accuracy:0.7", "latency:30"}) {
    const std::unique_ptr<JmdcPolicy> made = Jmdc(req);
    JmdcPolicy& policy = *made;
    policy.Prepare(Obs(m, 10));
    for (double mbps : Bandwidths()) {
      const auto fast = policy.Choose(Uplink(mbps), kResultMs);
      ASSERT_EQ(fast.config, policy.ChooseExhaustive(Uplink(mbps), kResultMs).config)
          << req << " at " << mbps;
      const auto& c = policy.configs()[fast.config];
      // The model's own configuration at split 5 is never better than the variant's.
      EXPECT_FALSE(c.variant < 0 && graph_.SplitPoints()[c.split].index == 5) << mbps;
    }
  }
  // Made the most accurate configuration, it is what a generous budget runs.
  for (CatalogEntry& e : m.variants[0].by_codec) e.validation_correct.assign(100, 1);
  JmdcPolicy policy({JmdcRequirement::Kind::kLatency, 1e6}, "jmdc");
  const Plan plan = policy.Decide(Obs(m, 10));
  ASSERT_EQ(plan.variant, 0);
  EXPECT_EQ(graph_.SplitPoints()[plan.split].index, 5);
  for (const Stage& s : plan.stages) {
    if (s.kind == Stage::Kind::kCompute) {
      EXPECT_EQ(s.graph, &m.variants[0].graph);
    }
  }
}

// Selection uses validation samples only. Codec 1 sends the fewest bytes
// and is right on every test sample but on half the validation samples;
// codec 2 sends the next fewest, right on half the test samples and 95 of
// 100 validation samples. Under a 90 % floor on a slow link, JMDC must run
// codec 2 (a search on test accuracy would run codec 1), and no plan it
// makes may run codec 1.
TEST_F(JmdcTest, ChoosesOnValidationSamplesNeverOnTestSamples) {
  MeasuredCompression m = RandomCatalog(graph_, 2, 4);
  for (auto& [index, e] : m.at_split[1]) {
    std::fill(e.sample_bytes.begin(), e.sample_bytes.end(), 16);
    e.correct.assign(100, 1);
    e.validation_correct.assign(100, 0);
    std::fill(e.validation_correct.begin(), e.validation_correct.begin() + 50, 1);
  }
  for (auto& [index, e] : m.at_split[2]) {
    std::fill(e.sample_bytes.begin(), e.sample_bytes.end(), 32);
    e.correct.assign(100, 0);
    std::fill(e.correct.begin(), e.correct.begin() + 50, 1);
    e.validation_correct.assign(100, 0);
    std::fill(e.validation_correct.begin(), e.validation_correct.begin() + 95, 1);
  }
  JmdcPolicy slow({JmdcRequirement::Kind::kAccuracy, 0.9}, "jmdc");
  const Plan plan = slow.Decide(Obs(m, 0.1));
  EXPECT_EQ(plan.codec, 2);
  EXPECT_EQ(plan.requirement_met, 1);
  for (double mbps : Bandwidths()) {
    JmdcPolicy policy({JmdcRequirement::Kind::kAccuracy, 0.9}, "jmdc");
    EXPECT_NE(policy.Decide(Obs(m, mbps)).codec, 1) << mbps;
  }
}

// JMDC's latency model against a hand computation from the layers' MACs: the
// end device's layers [0, k) at 2 ms + 0.5 ns per MAC each, the cloud's
// [k, n) at 50 us + 0.01 ns per MAC each, the mean bytes at the estimate, and
// the way back when it offloads.
TEST_F(JmdcTest, LatencyIsTheDevicesLayersThenTheBytesThenTheCloudsThenTheWayBack) {
  const MeasuredCompression m = RandomCatalog(graph_, 3, 11);
  JmdcPolicy policy({JmdcRequirement::Kind::kLatency, 1e9}, "jmdc");
  policy.Prepare(Obs(m, 10));
  const std::vector<SplitPoint> points = graph_.SplitPoints();
  auto hand_compute_ms = [&](int k) {
    double ms = 0;
    for (int l = 0; l < graph_.size(); ++l) {
      const double macs = static_cast<double>(graph_.layers[l].macs);
      ms += l < k ? (2000e3 + 0.5 * macs) / 1e6 : (50e3 + 0.01 * macs) / 1e6;
    }
    return ms;
  };
  for (const JmdcPolicy::Config& c : policy.configs()) {
    const int k = points[c.split].index;
    EXPECT_NEAR(c.compute_ms, hand_compute_ms(k), 1e-9 * hand_compute_ms(k)) << k;
    EXPECT_EQ(c.offloads, k < graph_.size());
    EXPECT_DOUBLE_EQ(c.bytes, c.offloads ? m.Find(c.codec, k)->MeanBytes() : 0.0);
  }
  for (double mbps : {0.5, 5.0, 50.0}) {
    const JmdcPolicy::Choice choice = policy.ChooseExhaustive(Uplink(mbps), kResultMs);
    const JmdcPolicy::Config& c = policy.configs()[choice.config];
    const double expected = hand_compute_ms(points[c.split].index) + c.bytes * 8 / (mbps * 1e3) +
                            (c.offloads ? kResultMs : 0);
    EXPECT_NEAR(choice.latency_ms, expected, 1e-9 * expected) << mbps;
  }
}

TEST(JmdcRegistry, TheRequirementIsAParameter) {
  EXPECT_EQ(CreatedName("jmdc@accuracy=0.9"), "jmdc@accuracy=0.9");
  EXPECT_EQ(CreatedName("jmdc@accuracy:0.9"), "jmdc@accuracy:0.9");  // the older spelling
  EXPECT_EQ(CreatedName("jmdc@latency=40"), "jmdc@latency=40");
  EXPECT_EQ(CreatedName("jmdc"), "error: jmdc: needs exactly one of accuracy=A or latency=T");
  EXPECT_EQ(CreatedName("jmdc@accuracy=0.9,latency=40"),
            "error: jmdc@accuracy=0.9,latency=40: needs exactly one of accuracy=A or latency=T");
  EXPECT_EQ(CreatedName("jmdc@accuracy=1.5"),
            "error: jmdc@accuracy=1.5: accuracy must be in [0, 1], got '1.5'");
  EXPECT_EQ(CreatedName("jmdc@latency=0"),
            "error: jmdc@latency=0: latency must be > 0 (ms), got '0'");
  EXPECT_EQ(CreatedName("jmdc@speed=3"),
            "error: jmdc@speed=3: jmdc has no parameter 'speed' (its parameters: accuracy, "
            "latency)");
}

}  // namespace
}  // namespace coinfer
