#include <gtest/gtest.h>

#include <set>

#include "dnn/zoo.h"
#include "policies/registry.h"
#include "sim/engine.h"

namespace coinfer {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RecordZooGraph("small_vgg", &graph_).ok());
    KindCoefficients each_layer_10ms;
    each_layer_10ms.fixed_us = 10'000;
    end_ = DeviceModel::FromCoefficients("end", 1, each_layer_10ms);
    cloud_ = DeviceModel::FromCoefficients("cloud", 1, KindCoefficients{100, 0, 0, 0});
    config_.graph = &graph_;
    config_.end_device = &end_;
    config_.cloud = &cloud_;
    config_.network.uplink.constant_mbps = 10;
    config_.network.downlink.constant_mbps = 10;
    config_.network.one_way_delay_ms = 10;
  }
  std::vector<RequestRecord> Run(const std::string& policy_name) {
    auto policy = CreatePolicy(policy_name);
    RunStats stats;
    return RunEngine(config_, *policy, &stats);
  }
  Graph graph_;
  DeviceModel end_, cloud_;
  EngineConfig config_;
};

TEST_F(EngineTest, RequestsArrivingTogetherOnOneCoreFinishOneAfterTheOther) {
  config_.arrivals = {ArrivalConfig::Process::kPeriodic, 1e6};  // at 0 and 1 us
  config_.duration_s = 2e-6;
  const auto records = Run("device-only");
  ASSERT_EQ(records.size(), 2u);
  const double one_ms = graph_.size() * 10.0;
  ASSERT_TRUE(records[0].completed && records[1].completed);
  EXPECT_NEAR(records[0].actual_ms, one_ms, 1e-6);
  EXPECT_NEAR(records[1].end_wait_ms, one_ms, 0.01);
  EXPECT_NEAR(records[1].actual_ms, 2 * one_ms, 0.01);
}

TEST_F(EngineTest, CloudOnlySendsTheInputOverTcp) {
  config_.arrivals = {ArrivalConfig::Process::kPeriodic, 1};
  config_.duration_s = 3;
  const auto records = Run("cloud-only");
  ASSERT_EQ(records.size(), 3u);
  for (const RequestRecord& r : records) {
    ASSERT_TRUE(r.completed);
    EXPECT_EQ(r.bytes_sent, graph_.input_bytes);
    // 3136 bytes at 10 Mbit/s plus the one-way delay; the request at t = 0
    // also waits for the connection's handshake (one round trip).
    const double handshake_ms = r.id == 0 ? 20 : 0;
    EXPECT_GT(r.transfer_ms, 10.0 + handshake_ms);
    EXPECT_LT(r.transfer_ms, 20.0 + handshake_ms);
    EXPECT_NEAR(r.uplink_capacity_mbps, 10, 1e-9);
  }
  // The estimator learnt from the first transfer: the later requests saw another estimate.
  EXPECT_DOUBLE_EQ(records[0].uplink_estimate_mbps, config_.estimator_prior_mbps);
  EXPECT_NE(records[1].uplink_estimate_mbps, config_.estimator_prior_mbps);
}

TEST(ArrivalTest, PoissonIsSeededAndHasTheRequestedRate) {
  const ArrivalConfig poisson{ArrivalConfig::Process::kPoisson, 5};
  const auto a = ArrivalTimes(poisson, 1000, 1);
  EXPECT_EQ(a, ArrivalTimes(poisson, 1000, 1));
  EXPECT_NE(a, ArrivalTimes(poisson, 1000, 2));
  EXPECT_NEAR(a.size() / 1000.0, 5, 0.25);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
}

TEST(ArrivalTest, PeriodicIsEvenlySpaced) {
  const auto a = ArrivalTimes({ArrivalConfig::Process::kPeriodic, 4}, 1, 9);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_DOUBLE_EQ(a[3], 0.75);
}

}  // namespace
}  // namespace coinfer
