// What a policy knows of the devices (policy.knowledge): the engine charges
// the device's measured times whatever the policy believes.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "dnn/zoo.h"
#include "policies/registry.h"
#include "sim/engine.h"
#include "tests/engine_fixtures.h"

namespace coinfer {
namespace {

class KnowledgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RecordZooGraph("small_vgg", &graph_).ok());
    // The whole model was measured at 99 ms; the device's regression says
    // 0.1 ms per layer.
    const std::string dir = ::testing::TempDir() + "knowledge_" + std::to_string(getpid()) + "_";
    std::ofstream(dir + "profile.csv")
        << "device,model,layer,name,kind,input_shape,output_shape,macs,param_bytes,output_bytes,"
           "threads,repeats,median_ms,p90_ms,framework,source,kernel\n"
        << "end,small_vgg,-1,model,model,1x1x28x28,1x10,0,0,0,1,1,99,99,t,s,\n";
    std::ofstream(dir + "end.device")
        << "name,end\ncores,1\nprofile," << dir << "profile.csv\n"
        << "kind,fixed_us,ns_per_mac,ns_per_io_byte,ns_per_param_byte\n"
        << "*,100,0,0,0\n";
    const Status st = DeviceModel::Load(dir + "end.device", &end_);
    ASSERT_TRUE(st.ok()) << st.message();
    TwoTierTenMbps(&graph_, &end_, &cloud_, &config_);
    config_.arrivals = {ArrivalConfig::Process::kPeriodic, 1};
    config_.duration_s = 5;
  }
  std::vector<RequestRecord> Run(const std::string& policy_name) {
    std::unique_ptr<Policy> policy;
    EXPECT_TRUE(CreatePolicy(policy_name, &policy).ok()) << policy_name;
    RunStats stats;
    return RunEngine(config_, *policy, &stats);
  }
  double RegressionMs() const { return graph_.size() * 0.1; }

  Graph graph_;
  DeviceModel end_;
  const DeviceModel cloud_ =
      DeviceModel::FromCoefficients("cloud", 4, KindCoefficients{10, 0, 0, 0});
  EngineConfig config_;
};

TEST_F(KnowledgeTest, TheEngineChargesMeasuredTimesWhateverThePolicyBelieves) {
  config_.knowledge = DeviceKnowledge::kRegression;
  for (const RequestRecord& r : Run("device-only")) {
    EXPECT_NEAR(r.predicted_ms, RegressionMs(), 1e-9) << r.id;
    EXPECT_NEAR(r.actual_ms, 99, 1e-6) << r.id;
  }
  config_.knowledge = DeviceKnowledge::kOracle;
  for (const RequestRecord& r : Run("device-only")) EXPECT_NEAR(r.predicted_ms, 99, 1e-9) << r.id;
}

// Sending the 3 kB input and getting the answer back takes a few tens of
// milliseconds: less than the measured 99 ms on the device, more than the
// regression's belief.
TEST_F(KnowledgeTest, NeurosurgeonDecidesWithItsPapersRegressionByDefault) {
  ASSERT_LT(RegressionMs(), 2);
  for (const RequestRecord& r : Run("neurosurgeon")) {
    EXPECT_EQ(r.bytes_sent, 0) << r.id;  // it believes the device takes 0.1 ms per layer
    EXPECT_NEAR(r.predicted_ms, RegressionMs(), 1e-9) << r.id;
  }
  config_.knowledge = DeviceKnowledge::kOracle;
  for (const RequestRecord& r : Run("neurosurgeon")) {
    EXPECT_GT(r.bytes_sent, 0) << r.id;
    EXPECT_LT(r.actual_ms, 99) << r.id;
  }
  // device-only's paper knows the profiled times.
  config_.knowledge.reset();
  for (const RequestRecord& r : Run("device-only")) EXPECT_NEAR(r.predicted_ms, 99, 1e-9) << r.id;
}

// Compute times vary per request with the spread the device's profile
// measured: on the shipped host, small_vgg's whole-model row has a median of
// 4.27226 ms and a p90 of 4.69104 ms; 2000 unqueued device-only requests
// reproduce both, seeded.
TEST(ComputeSpreadTest, RequestsSpreadAsTheProfileMeasured) {
  Graph graph;
  ASSERT_TRUE(RecordZooGraph("small_vgg", &graph).ok());
  DeviceModel host;
  const Status st =
      DeviceModel::Load(std::string(COINFER_SOURCE_DIR) + "/devices/data/host.device", &host);
  ASSERT_TRUE(st.ok()) << st.message();
  const DeviceModel cloud = DeviceModel::FromCoefficients("cloud", 4, {});
  EngineConfig config;
  config.graph = &graph;
  config.sites = {{"end", SiteRole::kEndDevice, &host}, {"cloud", SiteRole::kCloud, &cloud}};
  config.network.uplink.capacity.constant_mbps = config.network.downlink.capacity.constant_mbps =
      10;
  config.arrivals = {ArrivalConfig::Process::kPeriodic, 20};  // 50 ms apart: never queued
  config.duration_s = 100;
  auto latencies = [&config] {
    std::unique_ptr<Policy> policy;
    EXPECT_TRUE(CreatePolicy("device-only", &policy).ok());
    RunStats stats;
    std::vector<double> ms;
    for (const RequestRecord& r : RunEngine(config, *policy, &stats)) ms.push_back(r.actual_ms);
    return ms;
  };
  const double median = 4.27226, p90 = 4.69104;
  const double overhead = host.task_overhead_ms();
  std::vector<double> spread = latencies();
  ASSERT_EQ(spread.size(), 2000u);
  EXPECT_EQ(latencies(), spread);  // the same seed, the same draws
  std::sort(spread.begin(), spread.end());
  // The stage (model and task overhead) is drawn around its median: quantiles
  // of 2000 draws are within about 1 % of the distribution's.
  EXPECT_NEAR(spread[1000], median + overhead, 0.01 * median);
  EXPECT_NEAR(spread[1800], (median + overhead) * p90 / median, 0.015 * median);

  config.compute_spread = false;
  for (const double ms : latencies()) EXPECT_NEAR(ms, median + overhead, 1e-6);
}

}  // namespace
}  // namespace coinfer
