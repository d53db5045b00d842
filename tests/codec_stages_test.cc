// Encoding and decoding a crossing tensor are compute on the sender and the
// receiver: where the stages go, what they are predicted to take, and what
// the engine charges for them, against hand-computed figures.
#include "sim/codec_stages.h"

#include <gtest/gtest.h>

#include "policies/partition.h"
#include "policies/registry.h"
#include "sim/energy.h"
#include "sim/engine.h"
#include "sim/policy.h"
#include "tests/engine_fixtures.h"

namespace coinfer {
namespace {

// One codec at the model input of BigInputGraph: 1000 bytes a sample,
// encoded in `encode_us` and decoded in `decode_us` on this host.
MeasuredCompression InputCodec(double encode_us, double decode_us) {
  MeasuredCompression m;
  m.codecs = {"quant:8"};
  m.samples = 1;
  m.plain_correct = {1};
  CatalogEntry& e = m.at_split.emplace_back()[0];
  e.sample_bytes = {1000};
  e.correct = {1};
  e.agrees = {1};
  e.encode_us = encode_us;
  e.decode_us = decode_us;
  return m;
}

using Work = Stage::Work;

class CodecStagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    obs_.graph = &graph_;
    obs_.compression = &m_;
    obs_.sites = {{"end", SiteRole::kEndDevice, &device_, 0.5, 4.0},
                  {"edge", SiteRole::kEdge, &device_, 0, 2.0},
                  {"cloud", SiteRole::kCloud, &device_, 0, 0.5}};
    obs_.end = 0;
    obs_.cloud = 2;
    obs_.prior_mbps = 8;
    obs_.wait_ms = {0, 0, 0};
  }
  static Stage Send(SiteId from, SiteId to, std::vector<int> deps, int split = -1) {
    Stage t;
    t.kind = Stage::Kind::kTransfer;
    t.site = from;
    t.to = to;
    t.bytes = 1000;
    t.split = split;
    t.deps = std::move(deps);
    return t;
  }
  Graph graph_ = BigInputGraph();
  DeviceModel device_ = DeviceModel::FromCoefficients("d", 1, KindCoefficients{1000, 0, 0, 0});
  MeasuredCompression m_ = InputCodec(1000, 2000);  // 1 ms to encode, 2 ms to decode here
  Observation obs_;
};

TEST_F(CodecStagesTest, ASplitPlanEncodesOnTheDeviceAndDecodesInTheCloudAtTheirSlowdowns) {
  const Plan plan = MakeSplitPlan(obs_, 0);  // send the input, compute in the cloud
  ASSERT_EQ(plan.stages.size(), 5u);
  const Stage &encode = plan.stages[0], &send = plan.stages[1], &decode = plan.stages[2],
              &compute = plan.stages[3], &result = plan.stages[4];
  EXPECT_EQ(encode.work, Work::kEncode);
  EXPECT_EQ(encode.site, 0);
  EXPECT_TRUE(encode.deps.empty());
  EXPECT_EQ(send.deps, std::vector<int>{0});
  EXPECT_EQ(decode.work, Work::kDecode);
  EXPECT_EQ(decode.site, 2);
  EXPECT_EQ(decode.deps, std::vector<int>{1});
  EXPECT_EQ(compute.layers, std::vector<int>{0});
  EXPECT_EQ(compute.deps, std::vector<int>{2});
  EXPECT_TRUE(result.result);
  EXPECT_EQ(result.deps, std::vector<int>{3});
  // 1 ms here, 4 times slower on the end device, which is half taken: 8 ms;
  // 2 ms here, twice as fast in the cloud: 1 ms.
  EXPECT_DOUBLE_EQ(encode.predicted_ms, 8);
  EXPECT_DOUBLE_EQ(decode.predicted_ms, 1);
  EXPECT_DOUBLE_EQ(encode.work_ms, 4);
  double others = 0;
  for (const Stage& s : {send, compute, result}) others += s.predicted_ms;
  EXPECT_DOUBLE_EQ(plan.predicted_ms, others + 9);
}

TEST_F(CodecStagesTest, ARelayedTensorIsEncodedOnceAndDecodedWhereItIsUsed) {
  Plan plan;
  plan.split = 0;
  plan.stages = {Send(0, 1, {}, 0), Send(1, 2, {0}, 0)};
  Stage compute;
  compute.site = 2;
  compute.layers = {0};
  compute.deps = {1};
  plan.stages.push_back(compute);
  ASSERT_TRUE(InsertCodecStages(obs_, &plan));
  ASSERT_EQ(plan.stages.size(), 5u);
  EXPECT_EQ(plan.stages[0].work, Work::kEncode);
  EXPECT_EQ(plan.stages[0].site, 0);
  EXPECT_EQ(plan.stages[1].deps, std::vector<int>{0});
  EXPECT_EQ(plan.stages[2].deps, std::vector<int>{1});  // the relay follows the first hop
  EXPECT_EQ(plan.stages[3].work, Work::kDecode);
  EXPECT_EQ(plan.stages[3].site, 2);
  EXPECT_EQ(plan.stages[3].deps, std::vector<int>{2});
  EXPECT_EQ(plan.stages[4].deps, std::vector<int>{3});
  EXPECT_FALSE(InsertCodecStages(obs_, &plan));  // once only
  EXPECT_EQ(plan.stages.size(), 5u);
}

TEST_F(CodecStagesTest, WorkMeasuredAsFreeAndTransfersOfNoTensorGetNoStage) {
  Plan plan;
  plan.split = 0;  // a cut's split names its tensor only when one transfer sends it
  plan.stages = {Send(0, 2, {}), Send(0, 2, {})};
  EXPECT_FALSE(InsertCodecStages(obs_, &plan));
  m_ = InputCodec(1000, 0);
  plan.stages = {Send(0, 2, {}, 0)};
  ASSERT_TRUE(InsertCodecStages(obs_, &plan));
  ASSERT_EQ(plan.stages.size(), 2u);
  EXPECT_EQ(plan.stages[0].work, Work::kEncode);
  obs_.compression = nullptr;
  plan.stages = {Send(0, 2, {}, 0)};
  EXPECT_FALSE(InsertCodecStages(obs_, &plan));
}

TEST_F(CodecStagesTest, EachTensorIsDecodedBeforeTheStageThatReadsBoth) {
  m_.codecs = {"quant:8", "quant:4"};
  m_.at_split.push_back(m_.at_split[0]);
  m_.at_split[1][0].encode_us = 500;
  Plan plan;
  plan.stages = {Send(0, 2, {}, 0), Send(0, 2, {}, 0)};
  plan.stages[1].codec = 1;
  Stage both;
  both.site = 2;
  both.layers = {0};
  both.deps = {0, 1};
  plan.stages.push_back(both);
  ASSERT_TRUE(InsertCodecStages(obs_, &plan));
  ASSERT_EQ(plan.stages.size(), 7u);
  // encode A, send A, decode A, encode B, send B, decode B, compute.
  const std::vector<Work> work = {Work::kEncode, Work::kLayers, Work::kDecode, Work::kEncode,
                                  Work::kLayers, Work::kDecode, Work::kLayers};
  for (size_t i = 0; i < work.size(); ++i) EXPECT_EQ(plan.stages[i].work, work[i]) << i;
  EXPECT_TRUE(plan.stages[3].deps.empty());  // B's encoding does not wait for A
  EXPECT_EQ(plan.stages[3].codec, 1);
  EXPECT_DOUBLE_EQ(plan.stages[3].predicted_ms, 4);  // 0.5 ms here, 4x slower, half taken
  EXPECT_EQ(plan.stages[6].deps, (std::vector<int>{2, 5}));
}

TEST_F(CodecStagesTest, OneTensorSentToTwoSitesIsEncodedAndDecodedForEach) {
  Plan plan;
  plan.stages = {Send(0, 1, {}, 0), Send(0, 2, {}, 0)};  // side by side, not a relay
  ASSERT_TRUE(InsertCodecStages(obs_, &plan));
  ASSERT_EQ(plan.stages.size(), 6u);
  EXPECT_EQ(plan.stages[2].work, Work::kDecode);
  EXPECT_EQ(plan.stages[2].site, 1);
  EXPECT_EQ(plan.stages[5].work, Work::kDecode);
  EXPECT_EQ(plan.stages[5].site, 2);
}

TEST_F(CodecStagesTest, DadsAndCicPlansOfACutPredictTheirCodecWork) {
  Partition cloud_only;
  cloud_only.on_device = {false};
  cloud_only.bytes = 1000;
  cloud_only.offloads = true;
  const Plan plan = MakePartitionPlan(obs_, cloud_only);
  ASSERT_EQ(plan.split, 0);
  ASSERT_EQ(plan.stages.size(), 5u);
  EXPECT_EQ(plan.stages[0].work, Work::kEncode);
  EXPECT_DOUBLE_EQ(plan.stages[0].predicted_ms, 8);
  EXPECT_EQ(plan.stages[2].work, Work::kDecode);
  EXPECT_DOUBLE_EQ(plan.stages[2].predicted_ms, 1);
}

// A policy that sends the input to the cloud with codec stages of its own,
// all of them claiming an hour of work.
class ClaimsAnHourPolicy : public Policy {
 public:
  explicit ClaimsAnHourPolicy(bool with_codec_stages) : with_codec_stages_(with_codec_stages) {}
  std::string name() const override { return "claims-an-hour"; }
  Plan Decide(const Observation& obs) override {
    Plan plan = SplitPlanStages(obs, 0);
    if (with_codec_stages_) InsertCodecStages(obs, &plan);
    for (Stage& s : plan.stages) s.work_ms = 3.6e6;
    return plan;
  }

 private:
  bool with_codec_stages_;
};

class CodecEngineTest : public ::testing::Test {
 protected:
  // A request sent to the cloud over two-tier 10 Mbit/s links, 1 s in (once
  // the connections are up).
  RequestRecord RunOne(Policy& policy, const MeasuredCompression& m) {
    TwoTierTenMbps(&graph_, &end_, &cloud_, &config_);
    config_.sites[0].host_slowdown = 3;
    config_.sites[1].host_slowdown = 0.5;
    config_.compression = &m;
    config_.arrivals = {ArrivalConfig::Process::kPeriodic, 1};
    config_.duration_s = 2;
    RunStats stats;
    const auto records = RunEngine(config_, policy, &stats);
    EXPECT_EQ(records.size(), 2u);
    return records.at(1);
  }
  Graph graph_ = BigInputGraph();
  DeviceModel end_ = DeviceModel::FromCoefficients("end", 1, KindCoefficients{1000, 0, 0, 0}, 0,
                                                   DevicePower{1.0, 5.0, 3.0, 0});
  DeviceModel cloud_ = DeviceModel::FromCoefficients("cloud", 1, KindCoefficients{100, 0, 0, 0});
  EngineConfig config_;
};

TEST_F(CodecEngineTest, EncodingAndDecodingAddTheirScaledTimesAndTheDevicesComputeEnergy) {
  std::unique_ptr<Policy> cloud_only;
  ASSERT_TRUE(CreatePolicy("cloud-only", &cloud_only).ok());
  const RequestRecord free = RunOne(*cloud_only, InputCodec(0, 0));
  const RequestRecord paid = RunOne(*cloud_only, InputCodec(2000, 4000));
  ASSERT_TRUE(free.completed && paid.completed);
  // 2 ms here is 6 ms on the end device; 4 ms here is 2 ms in the cloud.
  EXPECT_NEAR(paid.actual_ms - free.actual_ms, 8, 1e-6);
  EXPECT_NEAR(paid.on(SiteRole::kEndDevice).compute_ms, 6, 1e-6);
  EXPECT_NEAR(paid.on(SiteRole::kCloud).compute_ms - free.on(SiteRole::kCloud).compute_ms, 2, 1e-6);
  EXPECT_NEAR(paid.transfer_ms, free.transfer_ms, 1e-6);
  EXPECT_NEAR(paid.predicted_ms - free.predicted_ms, 8, 1e-9);
  // 6 ms computing at 5 W, then 2 ms more idle at 1 W before the result.
  EXPECT_NEAR(paid.end_energy_j - free.end_energy_j, 0.006 * 5 + 0.002 * 1, 1e-9);
  ASSERT_EQ(paid.stages.size(), 5u);
  EXPECT_EQ(paid.stages[0].codec, "quant:8");
}

TEST_F(CodecEngineTest, TheEngineChargesTheCatalogsTimeWhateverThePlanClaims) {
  for (bool with_codec_stages : {true, false}) {
    ClaimsAnHourPolicy policy(with_codec_stages);
    const RequestRecord r = RunOne(policy, InputCodec(2000, 4000));
    ASSERT_TRUE(r.completed);
    ASSERT_EQ(r.stages.size(), 5u) << with_codec_stages;
    EXPECT_EQ(r.stages[0].stage.work, Work::kEncode);
    EXPECT_NEAR((r.stages[0].end_s - r.stages[0].start_s) * 1e3, 6, 1e-6);
    EXPECT_EQ(r.stages[2].stage.work, Work::kDecode);
    EXPECT_NEAR((r.stages[2].end_s - r.stages[2].start_s) * 1e3, 2, 1e-6);
    // Stages the engine had to add are unpredicted.
    if (!with_codec_stages) EXPECT_EQ(r.stages[0].stage.predicted_ms, 0);
  }
}

}  // namespace
}  // namespace coinfer
