// Probing (sim/engine.h ProbeConfig): when the end device's connection has
// been idle for the interval it sends a probe, and the probe's samples keep a
// policy's estimate of the link current, in both directions of a change.
#include <gtest/gtest.h>

#include <algorithm>

#include "policies/registry.h"
#include "sim/energy.h"
#include "sim/engine.h"
#include "tests/engine_fixtures.h"
#include "traces/trace_loader.h"

namespace coinfer {
namespace {

class ProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.graph = &graph_;
    config_.sites = {{"end", SiteRole::kEndDevice, &end_}, {"cloud", SiteRole::kCloud, &cloud_}};
    config_.network.downlink.capacity.constant_mbps = 20;
    config_.network.uplink.delay_ms = config_.network.downlink.delay_ms = 10;
    config_.arrivals = {ArrivalConfig::Process::kPeriodic, 1};
    config_.estimator.prior_mbps = 20;
  }
  void UplinkSteps(const std::string& spec) {
    TraceRequest steps;
    steps.spec = spec;
    steps.horizon_s = config_.duration_s + config_.drain_s;
    auto trace = std::make_shared<DeliveryTrace>();
    ASSERT_TRUE(LoadTrace(steps, trace.get()).ok());
    config_.network.uplink.capacity.trace = trace;
  }
  std::vector<RequestRecord> Run(const std::string& policy_name) {
    std::unique_ptr<Policy> policy;
    EXPECT_TRUE(CreatePolicy(policy_name, &policy).ok()) << policy_name;
    return RunEngine(config_, *policy, &stats_);
  }

  const Graph graph_ = BigInputGraph();
  // 600 ms on the device: offloading 500 kB wins at 20 Mbit/s (about 220 ms)
  // and loses at 1 Mbit/s (about 4 s).
  const DeviceModel end_ =
      DeviceModel::FromCoefficients("end", 1, KindCoefficients{600'000, 0, 0, 0});
  const DeviceModel cloud_ =
      DeviceModel::FromCoefficients("cloud", 4, KindCoefficients{10, 0, 0, 0});
  EngineConfig config_;
  RunStats stats_;
};

// A span of time the end device's access uplink carried something.
struct Busy {
  double start_s, end_s;
  bool probe;
};

// Two-tier, and three-tier, where cloud-only's requests go to the cloud and
// the probes to the edge over the same access uplink: a probe goes out only
// when nothing has crossed it for the interval.
class ProbeTimingTest : public ProbeTest, public ::testing::WithParamInterface<bool> {};

TEST_P(ProbeTimingTest, ProbesGoOutExactlyWhenTheUplinkHasBeenIdleForTheInterval) {
  if (GetParam()) {
    config_.network.topology = NetworkConfig::Topology::kThreeTier;
    config_.sites = TopologySites(config_.network);  // end, edge, cloud
    config_.sites[0].device = &end_;
    config_.sites[1].device = config_.sites[2].device = &cloud_;
  }
  config_.network.uplink.capacity.constant_mbps = 10;
  config_.arrivals.rate_per_s = 0.2;  // a request every 5 s, each sending its input
  config_.duration_s = 30;
  config_.probe = {1.0, 20'000};
  const auto records = Run("cloud-only");

  std::vector<Busy> busy;
  for (const RequestRecord& r : records) {
    ASSERT_TRUE(r.completed);
    for (const StageRecord& s : r.stages)
      if (s.stage.kind == Stage::Kind::kTransfer && s.stage.site == 0)
        busy.push_back({s.start_s, s.end_s, false});
  }
  for (const DeviceTransfer& p : stats_.probe_log) {
    ASSERT_GE(p.end_s, 0);
    EXPECT_LT(p.start_s, config_.duration_s);
    EXPECT_EQ(p.bytes, 20'000u);
    busy.push_back({p.start_s, p.end_s, true});
  }
  std::sort(busy.begin(), busy.end(),
            [](const Busy& a, const Busy& b) { return a.start_s < b.start_s; });
  // Walk the connection's busy and idle spans: after each idle moment, the
  // next message is a probe sent exactly one interval later, unless a request
  // came sooner or the arrivals were over by then.
  double idle_since = 0, busy_until = 0;
  int probes = 0;
  for (const Busy& b : busy) {
    if (b.start_s > busy_until + 1e-9) {  // idle since busy_until
      idle_since = busy_until;
      const double due = idle_since + 1.0;
      if (b.probe) {
        EXPECT_NEAR(b.start_s, due, 1e-6) << "probe at " << b.start_s;
        ++probes;
      } else {
        EXPECT_LE(b.start_s, due + 1e-6) << "a probe was due before the request at " << b.start_s;
      }
    } else {
      EXPECT_FALSE(b.probe) << "probe at " << b.start_s << " on a busy connection";
    }
    busy_until = std::max(busy_until, b.end_s);
  }
  EXPECT_EQ(probes, stats_.probes);
  // Four of every five seconds are idle: 4 probes per request gap at least.
  EXPECT_GE(stats_.probes, 4 * 5);
  EXPECT_EQ(stats_.probe_bytes, 20'000u * stats_.probes);
}

INSTANTIATE_TEST_SUITE_P(TwoAndThreeTiers, ProbeTimingTest, ::testing::Bool());

TEST_F(ProbeTest, ProbesLetAPolicySeeTheLinkRecoverAndNeverMislead) {
  config_.duration_s = 60;
  UplinkSteps("step:20Mbps@0s,1Mbps@20s,20Mbps@40s");
  auto offloads = [](const RequestRecord& r) { return r.bytes_sent > 0; };

  // Without probes Neurosurgeon keeps the model on the device once its
  // transfers have seen the slow link: it never learns of the recovery.
  const auto blind = Run("neurosurgeon");
  EXPECT_EQ(stats_.probes, 0);
  for (const RequestRecord& r : blind)
    if (r.arrival_s >= 26) EXPECT_FALSE(offloads(r)) << r.arrival_s;

  config_.probe = {1.0, 64 << 10};
  const auto probed = Run("neurosurgeon");
  EXPECT_GT(stats_.probes, 0);
  for (const RequestRecord& r : probed) {
    // Before the drop it offloads; from a few seconds after it to the
    // recovery the probes' samples of 1 Mbit/s keep it on the device (a
    // probe read as app-limited would let the estimate fall back to the
    // prior and send 500 kB into the slow link); a few seconds after the
    // recovery (a second idle, half a second of probe, the next arrival)
    // it offloads again.
    if (r.arrival_s < 20) EXPECT_TRUE(offloads(r)) << r.arrival_s;
    if (r.arrival_s >= 26 && r.arrival_s < 40) EXPECT_FALSE(offloads(r)) << r.arrival_s;
    if (r.arrival_s >= 43) EXPECT_TRUE(offloads(r)) << r.arrival_s;
  }
}

// A probe shares the radio with a request's transfer that overlaps it and
// pays its own bits; one never delivered is charged nothing.
TEST(ProbeEnergyTest, ProbesShareTheRadioAndPayTheirBits) {
  const DevicePower p{1.0, 5.0, 3.0, 0.5};  // idle, compute, transmit, per Mbit/s
  std::vector<RequestRecord> requests = {OffloadedRequest()};
  const RequestRecord& r = requests[0];
  const std::vector<DeviceTransfer> probes = {{0.5, 0.9, 100'000}, {0.95, -1, 100'000}};
  const double probe_j = AssignEndDeviceEnergy(p, 0, probes, &requests);
  // Radio above idle, 2 W: the request alone 0.3-0.5 s, shared 0.5-0.7 s,
  // the probe alone 0.7-0.9 s.
  // Request: compute 4 W · 0.3 s + radio 0.4 + 0.2 + bits 0.5 · 2 + idle 1 W · 1 s.
  EXPECT_NEAR(r.end_energy_j, 1.2 + 0.6 + 1.0 + 1.0, 1e-12);
  // Probe: radio 0.2 + 0.4 + bits 0.5 · 0.8.
  EXPECT_NEAR(probe_j, 0.6 + 0.4, 1e-12);
  EXPECT_EQ(AssignEndDeviceEnergy(DevicePower{}, 0, probes, &requests), -1);
}

}  // namespace
}  // namespace coinfer
