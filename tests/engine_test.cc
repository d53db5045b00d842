#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "dnn/zoo.h"
#include "policies/registry.h"
#include "sim/energy.h"
#include "sim/engine.h"
#include "sim/site_queue.h"
#include "tests/engine_fixtures.h"
#include "traces/trace_loader.h"

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
    TwoTierTenMbps(&graph_, &end_, &cloud_, &config_);
  }
  std::vector<RequestRecord> Run(const std::string& policy_name) {
    std::unique_ptr<Policy> policy;
    EXPECT_TRUE(CreatePolicy(policy_name, &policy).ok()) << policy_name;
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
  EXPECT_NEAR(records[1].on(SiteRole::kEndDevice).wait_ms, one_ms, 0.01);
  EXPECT_NEAR(records[1].actual_ms, 2 * one_ms, 0.01);
}

// Periodic arrivals faster than the end device computes: request i waits for
// the i before it, i * (one request's time - the period), and the policy's
// prediction, from the queue's committed work, says so.
TEST_F(EngineTest, PredictionsIncludeTheWaitBehindEarlierRequests) {
  config_.arrivals = {ArrivalConfig::Process::kPeriodic, 10};  // every 100 ms
  config_.duration_s = 0.95;
  const auto records = Run("device-only");
  ASSERT_EQ(records.size(), 10u);
  const double one_ms = graph_.size() * 10.0;
  ASSERT_GT(one_ms, 100);
  for (const RequestRecord& r : records) {
    const double expected = one_ms + r.id * (one_ms - 100);
    EXPECT_NEAR(r.actual_ms, expected, 1e-6) << r.id;
    EXPECT_NEAR(r.predicted_ms, expected, 1e-6) << r.id;
  }
}

// Alone, a request is faster on the end device than over a 0.1 Mbit/s
// uplink; behind a backlog on the end device, sending it is faster, and
// Neurosurgeon, DADS and CIC, counting the wait, do (DADS in its light-load
// mode: at this rate it is heavily loaded, and balances stages instead).
TEST_F(EngineTest, LatencyPoliciesOffloadWhenTheEndDeviceIsBacklogged) {
  config_.network.uplink.capacity.constant_mbps = 0.1;
  config_.estimator.prior_mbps = 0.1;
  config_.arrivals = {ArrivalConfig::Process::kPeriodic, 20};  // every 50 ms
  config_.duration_s = 0.5;
  const double one_ms = graph_.size() * 10.0;
  const double send_ms = graph_.input_bytes * 8 / 100.0;  // at the estimate, in ms
  ASSERT_LT(one_ms, send_ms);
  ASSERT_GT(2 * one_ms, send_ms);
  for (const char* policy : {"neurosurgeon", "dads@light", "cic"}) {
    const auto records = Run(policy);
    EXPECT_EQ(records[0].bytes_sent, 0) << policy;
    int offloaded = 0;
    for (const RequestRecord& r : records) offloaded += r.split == 0;
    EXPECT_GT(offloaded, 0) << policy;
  }
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
    // also waits for the connection's handshake (one round trip). Then the
    // result, 40 bytes, comes back over the downlink's 10 ms.
    ASSERT_EQ(r.stages.size(), 3u);
    const double up_ms = (r.stages[0].end_s - r.stages[0].start_s) * 1e3;
    const double handshake_ms = r.id == 0 ? 20 : 0;
    EXPECT_GT(up_ms, 10.0 + handshake_ms);
    EXPECT_LT(up_ms, 20.0 + handshake_ms);
    const StageRecord& back = r.stages[2];
    EXPECT_TRUE(back.stage.result);
    EXPECT_EQ(back.stage.bytes, 40);
    EXPECT_GT((back.end_s - back.start_s) * 1e3, 10.0);
    EXPECT_LT((back.end_s - back.start_s) * 1e3, 10.5);
    EXPECT_NEAR(r.actual_ms * 1e-3, back.end_s - r.arrival_s, 1e-9);  // latency ends with it
    EXPECT_NEAR(r.uplink_capacity_mbps, 10, 1e-9);
  }
  // The estimator learnt from the first transfer: the later requests saw another estimate.
  EXPECT_DOUBLE_EQ(records[0].uplink_estimate_mbps, config_.estimator.prior_mbps);
  EXPECT_NE(records[1].uplink_estimate_mbps, config_.estimator.prior_mbps);
}

// A measured codec at every split of small_vgg: sample i sends 100 + i bytes
// and is correct when i is even; the plain model is always right.
MeasuredCompression FakeCompression(const Graph& graph, int samples) {
  MeasuredCompression m;
  m.codecs = {"quant:8"};
  m.samples = samples;
  m.plain_correct.assign(samples, 1);
  std::map<int, CatalogEntry>& entries = m.at_split.emplace_back();
  for (const SplitPoint& p : graph.SplitPoints()) {
    if (p.index == graph.size()) continue;
    CatalogEntry& e = entries[p.index];
    for (int i = 0; i < samples; ++i) {
      e.sample_bytes.push_back(100 + i);
      e.correct.push_back(i % 2 == 0);
      e.agrees.push_back(i % 2 == 0);
    }
  }
  return m;
}

TEST_F(EngineTest, MeasuredCompressionSendsEachSamplesBytesAndRecordsItsCorrectness) {
  const MeasuredCompression m = FakeCompression(graph_, 50);
  config_.compression = &m;
  config_.arrivals = {ArrivalConfig::Process::kPeriodic, 2};
  config_.duration_s = 10;
  std::set<int> samples;
  for (const char* policy : {"cloud-only", "device-only"}) {
    const auto records = Run(policy);
    ASSERT_EQ(records.size(), 20u);
    for (const RequestRecord& r : records) {
      ASSERT_TRUE(r.completed);
      ASSERT_GE(r.sample, 0);
      ASSERT_LT(r.sample, 50);
      samples.insert(r.sample);
      if (std::string(policy) == "cloud-only") {
        EXPECT_EQ(r.bytes_sent, 100 + r.sample);
        EXPECT_EQ(r.correct, r.sample % 2 == 0 ? 1 : 0);
      } else {
        EXPECT_EQ(r.bytes_sent, 0);
        EXPECT_EQ(r.correct, 1);  // nothing encoded: the plain model's answer
      }
    }
  }
  EXPECT_GT(samples.size(), 10u);  // drawn, not fixed
  // Same seed, same samples.
  EXPECT_EQ(Run("cloud-only")[7].sample, Run("cloud-only")[7].sample);
}

TEST(MeasuredCompressionTest, PoliciesPriceCrossingTensorsAtMeasuredMeanBytes) {
  Graph graph;
  ASSERT_TRUE(RecordZooGraph("small_vgg", &graph).ok());
  ApplyMeanSentBytes(FakeCompression(graph, 3), &graph);  // mean of 100, 101, 102
  for (const SplitPoint& p : graph.SplitPoints()) {
    if (p.index < graph.size()) {
      EXPECT_EQ(p.bytes, 101) << p.index;
    }
  }
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

namespace coinfer {
namespace {

class EstimatorStepTest : public ::testing::TestWithParam<const char*> {};

TEST_P(EstimatorStepTest, LearnsAStepDropOnlyFromTransfersThatSawIt) {
  const Graph graph = BigInputGraph();
  const DeviceModel fast = DeviceModel::FromCoefficients("fast", 4, KindCoefficients{10, 0, 0, 0});
  EngineConfig config;
  config.graph = &graph;
  config.sites = {{"end", SiteRole::kEndDevice, &fast}, {"cloud", SiteRole::kCloud, &fast}};
  TraceRequest step;
  step.spec = "step:20Mbps@0s,2Mbps@20s";
  step.horizon_s = 120;
  auto trace = std::make_shared<DeliveryTrace>();
  ASSERT_TRUE(LoadTrace(step, trace.get()).ok());
  config.network.uplink.capacity.trace = trace;
  config.network.downlink.capacity.constant_mbps = 20;
  config.network.uplink.delay_ms = config.network.downlink.delay_ms = 10;
  config.arrivals = {ArrivalConfig::Process::kPeriodic, 0.25};
  config.duration_s = 80;
  ASSERT_TRUE(ParseEstimatorKind(GetParam(), &config.estimator.kind));
  config.estimator.prior_mbps = 10;
  std::unique_ptr<Policy> policy;
  ASSERT_TRUE(CreatePolicy("cloud-only", &policy).ok());
  RunStats stats;
  const auto records = RunEngine(config, *policy, &stats);
  ASSERT_EQ(records.size(), 20u);

  // The first transfer that ends after the drop is the first to see it.
  double seen_at = -1;
  int after = 0;
  for (const RequestRecord& r : records) {
    ASSERT_TRUE(r.completed);
    const double end = r.stages[0].end_s;
    if (r.id > 0 && r.arrival_s < 20) {
      EXPECT_GT(r.uplink_estimate_mbps, 15) << r.id;
    }
    if (seen_at < 0 && end > 20) seen_at = end;
    if (seen_at >= 0 && r.arrival_s < seen_at) {
      EXPECT_GT(r.uplink_estimate_mbps, 10) << r.id;
    }
    if (seen_at >= 0 && r.arrival_s > seen_at) ++after;
    // Ten transfers after the drop every estimator has settled near 2 Mbit/s of goodput.
    if (after > 10) {
      EXPECT_NEAR(r.uplink_estimate_mbps, 1.9, 0.3) << r.id;
    }
  }
  EXPECT_GT(after, 10);
}

INSTANTIATE_TEST_SUITE_P(Kinds, EstimatorStepTest, ::testing::Values("last", "ewma", "harmonic"));

TEST(EstimatorTest, KindsCombineSamplesAsDocumented) {
  EstimatorConfig c;
  c.prior_mbps = 7;
  c.alpha = 0.5;
  c.window = 2;
  for (auto kind : {EstimatorConfig::Kind::kLast, EstimatorConfig::Kind::kEwma,
                    EstimatorConfig::Kind::kHarmonic}) {
    c.kind = kind;
    BandwidthEstimator e(c);
    EXPECT_EQ(e.EstimateMbps(), 7);
    e.OnTransferComplete(1e6 / 8 * 4, 1);  // 4 Mbit/s
    e.OnTransferComplete(1e6 / 8 * 1, 1);  // 1 Mbit/s
    e.OnTransferComplete(1e6 / 8 * 2, 1);  // 2 Mbit/s
    const double expected[] = {2.0, 0.5 * 2 + 0.5 * (0.5 * 1 + 0.5 * 4), 2 / (1.0 / 1 + 1.0 / 2)};
    EXPECT_NEAR(e.EstimateMbps(), expected[static_cast<int>(kind)], 1e-12);
  }
}

}  // namespace
}  // namespace coinfer

namespace coinfer {
namespace {

TEST(SiteQueueTest, StagesWaitForEnoughCoresInArrivalOrder) {
  SiteQueue q(4);
  std::vector<int> started;
  q.Acquire(0, 3, 100, [&] { started.push_back(1); });
  q.Acquire(0, 2, 100, [&] { started.push_back(2); });  // 1 core free: waits
  q.Acquire(0, 1, 100, [&] { started.push_back(3); });  // would fit, but may not overtake
  EXPECT_EQ(started, std::vector<int>{1});
  EXPECT_EQ(q.load(), 3);
  q.Release(0.1, 3);
  EXPECT_EQ(started, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(q.busy_cores(), 3);
  EXPECT_THROW(q.Acquire(0.1, 5, 1, [] {}), std::invalid_argument);
}

// By hand, on 2 cores at t = 1 s: A (1 core) runs until 1.3 s and B (2 cores,
// 500 ms) waits behind it. C (1 core, 200 ms) waits behind B, which starts at
// 1.3 s and ends at 1.8 s. A one-core stage queued now starts when C has one
// core and the other is free: 1.8 s, 800 ms from now; after C starts, a
// two-core stage waits for C too: 2.0 s.
TEST(SiteQueueTest, ForecastsTheWaitFromTheCommittedWork) {
  SiteQueue q(2);
  q.Acquire(0.9, 1, 400, [] {});  // A: due at 1.3 s
  EXPECT_DOUBLE_EQ(q.WaitMs(1.0, 1), 0);
  q.Acquire(1.0, 2, 500, [] {});  // B
  q.Acquire(1.0, 1, 200, [] {});  // C
  EXPECT_NEAR(q.WaitMs(1.0, 1), 800, 1e-9);
  EXPECT_NEAR(q.WaitMs(1.0, 2), 1000, 1e-9);
  q.Release(1.3, 1);  // A ends, B runs until 1.8 s
  EXPECT_NEAR(q.WaitMs(1.3, 1), 500, 1e-9);
  q.Release(1.8, 2);  // B ends, C runs until 2.0 s, a core is free
  EXPECT_NEAR(q.WaitMs(1.8, 1), 0, 1e-9);
  EXPECT_NEAR(q.WaitMs(1.8, 2), 200, 1e-9);
}

TEST(EnergyTest, RequestEnergyIsTheSumOfStagePowerTimesTime) {
  const DevicePower p{2.0, 5.0, 1.0, 0.5};
  std::vector<RequestRecord> alone = {OffloadedRequest()};  // its 2 Mbit at 5 Mbit/s
  const RequestRecord& r = alone[0];
  // Compute 5 W · 0.3 s + radio (1 + 0.5·5) W · 0.4 s + idle 2 W · (1 − 0.7) s.
  AssignEndDeviceEnergy(p, 0, {}, &alone);
  EXPECT_NEAR(r.end_energy_j, 1.5 + 1.4 + 0.6, 1e-12);
  AssignEndDeviceEnergy(DevicePower{}, 0, {}, &alone);
  EXPECT_LT(r.end_energy_j, 0);  // unknown power
}

// Two requests in flight together share the device's idle draw and its radio:
// their energies add up to what the device drew, not more.
TEST(EnergyTest, OverlappingRequestsShareTheDeviceTheyDrewFrom) {
  const DevicePower p{2.0, 5.0, 3.0, 0.5};
  std::vector<RequestRecord> requests(3);
  Stage compute;
  Stage send;
  send.kind = Stage::Kind::kTransfer;
  send.bytes = 250'000;          // over 0.4 s: 5 Mbit/s
  requests[0].completed = true;  // A computes 0–0.4 s, done at 1 s
  requests[0].actual_ms = 1000;
  requests[0].stages = {{compute, 0, 0.0, 0.4}};
  requests[1].completed = true;  // B arrives at 0.2 s, sends 0.2–0.6 s, done at 1 s
  requests[1].arrival_s = 0.2;
  requests[1].actual_ms = 800;
  requests[1].stages = {{send, 0.2, 0.2, 0.6}};
  requests[2].arrival_s = 0.1;  // never finished: no energy, no share
  requests[2].stages = {{compute, 0.1, 0.5, -1}};
  AssignEndDeviceEnergy(p, 0, {}, &requests);
  // The device: A alone computing 0–0.2 s (5 W); A computing while B sends
  // 0.2–0.4 s (idle 2 + compute 3 + radio 1 + 0.5·5 W per the rate); B sending
  // 0.4–0.6 s (2 + 1 + 2.5 W); both waiting 0.6–1 s (2 W).
  const double device_j = 5 * 0.2 + 8.5 * 0.2 + 5.5 * 0.2 + 2 * 0.4;
  // A: its compute above idle, 3 W · 0.4 s; idle alone 0.2 s, then half of it.
  EXPECT_NEAR(requests[0].end_energy_j, 3 * 0.4 + 2 * 0.2 + 2 * 0.8 / 2, 1e-12);
  // B: the radio above idle, 1 W · 0.4 s; 0.5 J per Mbit of its 2 Mbit; half the idle.
  EXPECT_NEAR(requests[1].end_energy_j, 1 * 0.4 + 0.5 * 2 + 2 * 0.8 / 2, 1e-12);
  EXPECT_NEAR(requests[0].end_energy_j + requests[1].end_energy_j, device_j, 1e-12);
  EXPECT_LT(requests[2].end_energy_j, 0);
}

TEST_F(EngineTest, BackgroundLoadStretchesComputeAndEnergyIsRecorded) {
  end_ = DeviceModel::FromCoefficients("end", 1, KindCoefficients{10'000, 0, 0, 0});
  config_.arrivals = {ArrivalConfig::Process::kPeriodic, 1};
  config_.duration_s = 1;
  const double alone = Run("device-only")[0].actual_ms;
  config_.sites[0].load = 0.5;
  const auto loaded = Run("device-only");
  EXPECT_NEAR(loaded[0].actual_ms, 2 * alone, 1e-6);
  EXPECT_NEAR(loaded[0].predicted_ms, 2 * alone, 1e-6);  // the policy knows its device's load
  EXPECT_LT(loaded[0].end_energy_j, 0);  // FromCoefficients devices have no power figures
  // Neurosurgeon and DADS weigh the stretched time too: over 0.1 Mbit/s
  // the input takes longer to send than the device takes to compute, but
  // not than the device takes at half its capacity.
  config_.network.uplink.capacity.constant_mbps = 0.1;
  config_.estimator.prior_mbps = 0.1;
  const double send_ms = graph_.input_bytes * 8 / 100.0;
  ASSERT_LT(alone, send_ms);
  ASSERT_GT(2 * alone, send_ms + 20);
  for (const char* policy : {"neurosurgeon", "dads"}) {
    config_.sites[0].load = 0;
    EXPECT_EQ(Run(policy)[0].bytes_sent, 0) << policy;
    config_.sites[0].load = 0.5;
    EXPECT_EQ(Run(policy)[0].split, 0) << policy;
  }
}

// EdgeLD's Raspberry Pi model: a fixed cost per compute task on top of the
// layers, paid once per stage and predicted by the plan.
TEST_F(EngineTest, TaskOverheadIsPaidOncePerComputeStage) {
  const std::string path = ::testing::TempDir() + "overhead.device";
  std::ofstream(path) << "name,slow\ncores,1\ntask_overhead_ms,25\n"
                      << "kind,fixed_us,ns_per_mac,ns_per_io_byte,ns_per_param_byte\n"
                      << "*,10000,0,0,0\n";
  Status st = DeviceModel::Load(path, &end_);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_DOUBLE_EQ(end_.TaskLatencyMs(graph_, 0, 3), 3 * 10.0 + 25);
  EXPECT_DOUBLE_EQ(end_.TaskLatencyMs(graph_, 3, 3), 0);
  config_.arrivals = {ArrivalConfig::Process::kPeriodic, 1};
  config_.duration_s = 1;
  const auto records = Run("device-only");
  ASSERT_TRUE(records[0].completed);
  EXPECT_NEAR(records[0].actual_ms, graph_.size() * 10.0 + 25, 1e-6);
  EXPECT_NEAR(records[0].predicted_ms, records[0].actual_ms, 1e-6);
}

}  // namespace
}  // namespace coinfer
