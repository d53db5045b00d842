// CNNPC as a policy (policies/cnnpc.h): the plan it hands the engine runs
// what its table chose, where it chose, with the codecs it chose, and
// predicts what its latency model says.
#include "policies/cnnpc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "dnn/zoo.h"
#include "policies/cnnpc_tiers.h"
#include "policy_fixtures.h"

namespace coinfer {
namespace {

constexpr int kSamples = 100;

// A split point's sensitivity to pruning, fixed per split.
double Sensitivity(int split_index) { return 0.2 + 0.05 * (split_index % 7); }

// Each codec's entry at each split: the rate's share of the 8-bit bytes,
// and accuracy falling with the square of the rate.
MeasuredCompression Catalog(const Graph& g, const std::vector<std::string>& codecs,
                            const std::vector<double>& rates) {
  MeasuredCompression m;
  m.samples = kSamples;
  m.codecs = codecs;
  m.plain_correct.assign(kSamples, 0);
  std::fill(m.plain_correct.begin(), m.plain_correct.begin() + 90, 1);
  m.plain_validation_correct = m.plain_correct;
  m.validation_samples = kSamples;
  for (size_t c = 0; c < codecs.size(); ++c) {
    std::map<int, CatalogEntry>& entries = m.at_split.emplace_back();
    for (const SplitPoint& p : g.SplitPoints()) {
      if (p.index == g.size()) continue;
      CatalogEntry& e = entries[p.index];
      const int right =
          88 - static_cast<int>(std::lround(60 * rates[c] * rates[c] * Sensitivity(p.index)));
      for (int i = 0; i < kSamples; ++i) {
        e.sample_bytes.push_back(static_cast<int64_t>((1 - rates[c]) * p.bytes / 4) + 25);
        e.correct.push_back(i < right);
      }
      e.validation_correct = e.correct;
    }
  }
  return m;
}

// Two cuts lose what each loses alone, added, on test and validation samples alike.
class AddedLosses : public CutPairProber {
 public:
  explicit AddedLosses(const MeasuredCompression& m) : m_(m) {}
  const CatalogEntry* Probe(int split, int codec, int then_split, int then_codec,
                            Status*) override {
    const CatalogEntry& a = *m_.Find(codec, split);
    const CatalogEntry& b = *m_.Find(then_codec, then_split);
    CatalogEntry& e = made_[{split, codec, then_split, then_codec}];
    auto added = [](double a_accuracy, double b_accuracy) {
      const double lost = (0.88 - a_accuracy) + (0.88 - b_accuracy);
      const int right = static_cast<int>(std::lround(kSamples * (0.88 - lost)));
      std::vector<uint8_t> correct;
      for (int i = 0; i < kSamples; ++i) correct.push_back(i < right);
      return correct;
    };
    e.correct = added(a.Accuracy(), b.Accuracy());
    e.validation_correct = added(a.ValidationAccuracy(), b.ValidationAccuracy());
    e.sample_bytes = a.sample_bytes;
    e.then_bytes = b.sample_bytes;
    ++probes;
    return &e;
  }
  int probes = 0;

 private:
  const MeasuredCompression& m_;
  std::map<std::tuple<int, int, int, int>, CatalogEntry> made_;
};

class CnnpcPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RecordZooGraph("small_vgg", &graph_).ok());
    end_ = DeviceModel::FromCoefficients("end", 1, KindCoefficients{20, 2.0, 0, 0});
    edge_ = DeviceModel::FromCoefficients("edge", 4, KindCoefficients{50, 0.2, 0, 0});
    cloud_ = DeviceModel::FromCoefficients("cloud", 8, KindCoefficients{20, 0.02, 0, 0});
  }
  Observation Obs(const MeasuredCompression& m, double end_edge, double edge_cloud) {
    Observation obs;
    obs.graph = &graph_;
    obs.sites = {{"end", SiteRole::kEndDevice, &end_},
                 {"edge", SiteRole::kEdge, &edge_},
                 {"cloud", SiteRole::kCloud, &cloud_}};
    obs.end = 0;
    obs.cloud = 2;
    obs.queue = {0, 0, 0};
    obs.prior_mbps = 20;
    obs.links = {{0, 1, end_edge}, {1, 2, edge_cloud}};
    obs.compression = &m;
    return obs;
  }
  Graph graph_;
  DeviceModel end_, edge_, cloud_;
};

std::unique_ptr<CnnpcPolicy> Cnnpc(const std::string& params) {
  std::unique_ptr<Policy> made;
  const Status st = CreatePolicy("cnnpc@" + params, &made);
  EXPECT_TRUE(st.ok()) << st.message();
  return std::unique_ptr<CnnpcPolicy>(static_cast<CnnpcPolicy*>(made.release()));
}

TEST_F(CnnpcPolicyTest, ThePlanRunsWhatTheTableChoseAndPredictsItsLatency) {
  const std::unique_ptr<CnnpcPolicy> policy = Cnnpc("accuracy=0.8,rate_step=0.25");
  const std::vector<double> rates = {0, 0.25, 0.5, 0.75};
  std::vector<std::string> codecs = policy->RequiredCodecs();
  ASSERT_EQ(codecs, (std::vector<std::string>{"quant:8", "prune:0.25,quant:8", "prune:0.5,quant:8",
                                              "prune:0.75,quant:8"}));
  MeasuredCompression m = Catalog(graph_, codecs, rates);
  AddedLosses pairs(m);
  m.pairs = &pairs;
  std::set<std::string> placements;
  for (double end_edge : {0.05, 0.5, 5.0, 50.0, 500.0}) {
    for (double edge_cloud : {0.05, 0.5, 5.0, 50.0, 500.0}) {
      const Observation obs = Obs(m, end_edge, edge_cloud);
      const Plan plan = policy->Decide(obs);
      const CnnpcSearch& search = policy->search();
      const CnnpcTiers& t = search.tiers();
      const CnnpcSearch::Choice choice =
          search.Choose({end_edge, edge_cloud, obs.ResultReturnMs(1), obs.ResultReturnMs(2)});
      const CnnpcPoint& p = choice.plan.point;
      placements.insert(CnnpcPlacement(p, t.segments()));
      // Layers on each site, in order, and every layer once.
      std::map<SiteId, std::vector<int>> layers;
      double stages_ms = 0;
      std::vector<const Stage*> sends;
      for (const Stage& s : plan.stages) {
        stages_ms += s.predicted_ms;
        if (s.kind == Stage::Kind::kCompute)
          layers[s.site].insert(layers[s.site].end(), s.layers.begin(), s.layers.end());
        else if (!s.result)
          sends.push_back(&s);
      }
      auto range = [](int from, int to) {
        std::vector<int> r;
        for (int l = from; l < to; ++l) r.push_back(l);
        return r;
      };
      EXPECT_EQ(layers[0], range(0, t.boundaries[p.i]));
      EXPECT_EQ(layers[1], range(t.boundaries[p.i], t.boundaries[p.j]));
      EXPECT_EQ(layers[2], range(t.boundaries[p.j], graph_.size()));
      // One send per link crossed, carrying its cut's tensor at its rate.
      const int b = t.segments();
      ASSERT_EQ(sends.size(), static_cast<size_t>((p.i < b) + (p.j < b)));
      const auto points = graph_.SplitPoints();
      if (p.i < b) {
        EXPECT_EQ(sends[0]->to, 1);
        EXPECT_EQ(points[sends[0]->split].index, t.boundaries[p.i]);
        EXPECT_EQ(m.codecs[sends[0]->codec], codecs[p.r1]);
      }
      if (p.j < b) {
        EXPECT_EQ(sends.back()->site, 1);
        EXPECT_EQ(points[sends.back()->split].index, t.boundaries[p.j]);
        EXPECT_EQ(m.codecs[sends.back()->codec], codecs[p.r2]);
      }
      // The stages' own predictions add up to the model's, but for the
      // fixed overheads.
      EXPECT_NEAR(plan.predicted_ms, choice.latency_ms, 1e-9);
      EXPECT_NEAR(stages_ms + t.overhead_ms, plan.predicted_ms, 1e-6 * plan.predicted_ms);
      EXPECT_EQ(plan.requirement_met, 1);
      EXPECT_GE(choice.plan.accuracy, 0.8);
    }
  }
  // The links move the plan across the three tiers.
  EXPECT_GE(placements.size(), 3u) << ::testing::PrintToString(placements);
  EXPECT_GT(pairs.probes, 0);
}

// Selection uses validation samples only. Pruned codecs are right on every
// test sample and on no validation sample; under a budget every plan meets,
// CNNPC runs the most accurate plan: on validation samples that is one that
// prunes nothing, where a search on test accuracy prunes.
TEST_F(CnnpcPolicyTest, ChoosesOnValidationSamplesNeverOnTestSamples) {
  const std::vector<double> rates = {0, 0.25, 0.5, 0.75};
  const std::vector<std::string> codecs = Cnnpc("latency=1e6,rate_step=0.25")->RequiredCodecs();
  MeasuredCompression m = Catalog(graph_, codecs, rates);
  for (size_t c = 1; c < codecs.size(); ++c) {
    for (auto& [index, e] : m.at_split[c]) {
      e.correct.assign(kSamples, 1);
      e.validation_correct.assign(kSamples, 0);
    }
  }
  auto prunes = [&](double end_edge, double edge_cloud) {
    AddedLosses pairs(m);
    m.pairs = &pairs;
    const Plan plan = Cnnpc("latency=1e6,rate_step=0.25")->Decide(Obs(m, end_edge, edge_cloud));
    bool pruned = false;
    for (const Stage& s : plan.stages)
      pruned = pruned || (s.kind == Stage::Kind::kTransfer && !s.result && s.codec > 0);
    return pruned;
  };
  for (double end_edge : {0.5, 5.0, 50.0})
    for (double edge_cloud : {0.5, 5.0, 50.0}) EXPECT_FALSE(prunes(end_edge, edge_cloud));
  // The same catalog judged on its test samples prunes.
  for (size_t c = 1; c < codecs.size(); ++c)
    for (auto& [index, e] : m.at_split[c]) e.validation_correct = e.correct;
  EXPECT_TRUE(prunes(5.0, 5.0));
}

TEST(CnnpcRegistry, TheRequirementAndItsGridAreParameters) {
  EXPECT_EQ(CreatedName("cnnpc@accuracy=0.85"), "cnnpc@accuracy=0.85");
  EXPECT_EQ(CreatedName("cnnpc@latency=auto:0.5,cuts=5:10"), "cnnpc@latency=auto:0.5,cuts=5:10");
  EXPECT_NE(CreatedName("cnnpc").find("needs exactly one of accuracy=A0 or latency=T0"),
            std::string::npos);
  EXPECT_NE(CreatedName("cnnpc@latency=auto:2").find("x in [0, 1]"), std::string::npos);
  EXPECT_NE(CreatedName("cnnpc@accuracy=0.8,rate_step=0").find("rate_step"), std::string::npos);
  EXPECT_NE(CreatedName("cnnpc@accuracy=0.8,cuts=5:x").find("'x' is not a split index"),
            std::string::npos);
}

}  // namespace
}  // namespace coinfer
