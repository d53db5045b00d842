#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <tuple>

#include "sim/net/packet_network.h"
#include "sim/net/simulation.h"

namespace coinfer {
namespace {

const std::string kData = std::string(COINFER_SOURCE_DIR) + "/traces/data/";
constexpr SiteId kEnd = 0, kCloud = 1;  // two-tier

LinkCapacity Constant(double mbps) {
  LinkCapacity c;
  c.constant_mbps = mbps;
  return c;
}

LinkCapacity Traced(const std::string& file) {
  auto trace = std::make_shared<DeliveryTrace>();
  Status st = ReadMahimahiTrace(kData + file, trace.get());
  EXPECT_TRUE(st.ok()) << st.message();
  LinkCapacity c;
  c.trace = trace;
  return c;
}

// Every test runs on both link devices.
class NetworkTest : public ::testing::TestWithParam<NetworkConfig::LinkDevice> {
 protected:
  NetworkConfig Make() const {
    NetworkConfig config;
    config.link_device = GetParam();
    return config;
  }
};

INSTANTIATE_TEST_SUITE_P(Devices, NetworkTest,
                         ::testing::Values(NetworkConfig::LinkDevice::kPointToPoint,
                                           NetworkConfig::LinkDevice::kDirect),
                         [](const auto& info) {
                           return info.param == NetworkConfig::LinkDevice::kDirect ? "Direct"
                                                                                   : "PointToPoint";
                         });

// Seconds from t = 0 until a single message of `bytes` is delivered.
double TransferSeconds(const NetworkConfig& config, uint64_t bytes, uint64_t seed = 1) {
  Simulation sim(seed);
  PacketNetwork net(config);
  double done = -1;
  net.Send(kEnd, kCloud, bytes, [&] { done = Simulation::Now(); });
  sim.Run(600);
  return done;
}

TEST_P(NetworkTest, BulkTransferOverConstantLinkTakesBytesOverRate) {
  for (double mbps : {10.0, 50.0}) {
    NetworkConfig config = Make();
    config.uplink.capacity = Constant(mbps);
    config.downlink.capacity = Constant(mbps);
    config.uplink.delay_ms = config.downlink.delay_ms = 20;
    const uint64_t n = 10'000'000;
    // Formula check of ns-3: every 1448-byte segment carries 52 bytes of
    // TCP/IP headers and 2 of PPP; add the handshake, the last byte's one-way
    // trip, and the round trips slow start needs to grow from the initial
    // window (10 segments) to the bandwidth-delay product.
    const double wire_bytes = n * (1448.0 + 54.0) / 1448.0;
    const double rtt = 2 * config.uplink.delay_ms / 1e3;
    const double bdp_segments = mbps * 1e6 / 8 * rtt / 1448.0;
    const double slow_start_rtts = std::max(0.0, std::log2(bdp_segments / 10));
    const double expected = wire_bytes * 8 / (mbps * 1e6) + rtt * (1 + slow_start_rtts) + rtt / 2;
    const double t = TransferSeconds(config, n);
    EXPECT_NEAR(t, expected, 0.05 * expected) << mbps << " Mbit/s";
  }
}

TEST_P(NetworkTest, DelayAddsToSmallTransfers) {
  NetworkConfig config = Make();
  config.uplink.capacity = Constant(100);
  config.downlink.capacity = Constant(100);
  config.uplink.delay_ms = config.downlink.delay_ms = 50;
  // Handshake (one RTT) then one one-way trip for a message that fits the initial window.
  const double t = TransferSeconds(config, 1000);
  EXPECT_NEAR(t, 0.150, 0.005);
}

TEST_P(NetworkTest, ExactReplayFollowsTheMahimahiTraceSecondBySecond) {
  NetworkConfig config = Make();
  config.uplink.capacity = Traced("Verizon-LTE-short.up");
  config.downlink.capacity = Traced("Verizon-LTE-short.down");
  config.uplink.delay_ms = config.downlink.delay_ms = 10;
  // A deep queue, as Mahimahi's default (unbounded), so that TCP's reaction to
  // losses never leaves the link idle: this test measures the replay, not TCP.
  config.uplink.queue = "10000p";
  const DeliveryTrace& trace = *config.uplink.capacity.trace;
  const double horizon_s = trace.period_ms / 1e3;
  const uint64_t message = 10'000;

  Simulation sim(1);
  PacketNetwork net(config);
  std::vector<double> delivered(static_cast<size_t>(std::ceil(horizon_s)), 0.0);
  // Keep the uplink saturated: more bytes queued than the trace can carry.
  const int messages = static_cast<int>(trace.MeanMbps() * 2e6 / 8 * horizon_s / message);
  for (int i = 0; i < messages; ++i) {
    net.Send(kEnd, kCloud, message,
             [&] { delivered[static_cast<size_t>(Simulation::Now())] += message; });
  }
  sim.Run(horizon_s);

  // Each 1500-byte opportunity carries 1448 bytes of payload (52 of TCP/IP headers).
  const double payload = 1448.0 / 1500.0;
  std::vector<double> capacity = ThroughputPerSecondMbps(trace);
  double total_capacity = 0, total_delivered = 0;
  int close_bins = 0;
  for (size_t i = 0; i < delivered.size(); ++i) {
    const double bytes = capacity[i] * 1e6 / 8 * payload;
    total_capacity += bytes;
    total_delivered += delivered[i];
    // 10 kB messages and the one-way delay blur a bin by a few percent.
    if (std::abs(delivered[i] - bytes) <= 0.1 * bytes + 2 * message) ++close_bins;
  }
  EXPECT_NEAR(total_delivered, total_capacity, 0.01 * total_capacity);
  EXPECT_GE(close_bins, 0.9 * delivered.size());
}

// Payload bytes delivered by `horizon_s` to a sender that always has data queued.
uint64_t SaturatedDelivery(const NetworkConfig& config, double horizon_s) {
  Simulation sim(1);
  PacketNetwork net(config);
  uint64_t delivered = 0;
  const uint64_t message = 100'000;
  const double capacity_mbps = config.uplink.capacity.traced()
                                   ? config.uplink.capacity.trace->MeanMbps()
                                   : config.uplink.capacity.constant_mbps;
  const int messages = static_cast<int>(capacity_mbps * 2e6 / 8 * horizon_s / message) + 10;
  for (int i = 0; i < messages; ++i) net.Send(kEnd, kCloud, message, [&] { delivered += message; });
  sim.Run(horizon_s);
  return delivered;
}

TEST_P(NetworkTest, BinnedReplayDeliversTheTraceMeanToo) {
  NetworkConfig config = Make();
  config.uplink.capacity = Traced("Verizon-LTE-short.up");
  config.downlink.capacity = Constant(100);
  config.uplink.delay_ms = config.downlink.delay_ms = 10;
  config.replay = NetworkConfig::Replay::kBinned;
  const double horizon_s = 60;
  const double capacity_bytes =
      config.uplink.capacity.MeanMbpsBetween(0, horizon_s) * 1e6 / 8 * horizon_s * 1448.0 / 1502.0;
  const double delivered = SaturatedDelivery(config, horizon_s);
  // Binned replay serialises at the bin's rate, PPP header included (2 more bytes per packet).
  EXPECT_NEAR(delivered, capacity_bytes, 0.02 * capacity_bytes);
}

TEST_P(NetworkTest, TwoBulkFlowsShareTheBottleneck) {
  NetworkConfig config = Make();
  config.uplink.capacity = Constant(10);
  config.downlink.capacity = Constant(10);
  config.uplink.delay_ms = config.downlink.delay_ms = 10;
  CrossTraffic bulk;
  bulk.kind = CrossTraffic::Kind::kBulk;
  bulk.start_s = 0;
  bulk.stop_s = 60;
  config.cross_traffic.push_back(bulk);
  const double horizon_s = 60;
  const double half = 10e6 / 8 * horizon_s * 1448.0 / 1502.0 / 2;
  const double ours = SaturatedDelivery(config, horizon_s);
  EXPECT_NEAR(ours, half, 0.2 * half);
}

TEST_P(NetworkTest, LossMakesTransfersSlower) {
  // One loss pattern can be lucky; the mean over seeds grows with the loss rate.
  double previous = 0;
  for (double loss : {0.0, 0.002, 0.01, 0.03}) {
    NetworkConfig config = Make();
    config.uplink.capacity = Constant(20);
    config.downlink.capacity = Constant(20);
    config.uplink.delay_ms = config.downlink.delay_ms = 20;
    config.uplink.loss = loss;
    double mean = 0;
    for (uint64_t seed = 1; seed <= 10; ++seed)
      mean += TransferSeconds(config, 2'000'000, seed) / 10;
    EXPECT_GT(mean, previous) << "loss " << loss;
    previous = mean;
  }
}

TEST_P(NetworkTest, CoDelKeepsTheQueueShortUnderCrossTraffic) {
  // A small message behind a bulk flow waits for the queue: CoDel keeps it short.
  double waited[2];
  for (int codel = 0; codel < 2; ++codel) {
    NetworkConfig config = Make();
    config.uplink.capacity = Constant(5);
    config.downlink.capacity = Constant(5);
    config.uplink.delay_ms = config.downlink.delay_ms = 10;
    config.uplink.queue = "1000p";
    config.uplink.discipline = codel ? QueueDiscipline::kCoDel : QueueDiscipline::kDropTail;
    config.cross_traffic.push_back({CrossTraffic::Kind::kBulk, 0, 1, 0, 0, 30});
    Simulation sim(1);
    PacketNetwork net(config);
    double sent = 0, done = -1;
    Simulation::Schedule(20, [&] {
      sent = Simulation::Now();
      net.Send(kEnd, kCloud, 1000, [&] { done = Simulation::Now(); });
    });
    sim.Run(40);
    waited[codel] = done - sent;
  }
  EXPECT_GT(waited[0], 0.2);  // hundreds of packets of drop-tail queue at 5 Mbit/s
  EXPECT_LT(waited[1], 0.1);
}

// Seconds until each of `messages` (from, to, bytes), all sent at t = 1 s, arrives.
std::vector<double> DeliveryTimes(const NetworkConfig& config,
                                  const std::vector<std::tuple<int, int, uint64_t>>& messages) {
  Simulation sim(1);
  PacketNetwork net(config);
  std::vector<double> done(messages.size(), -1);
  Simulation::Schedule(1, [&] {
    for (size_t i = 0; i < messages.size(); ++i) {
      const auto [from, to, bytes] = messages[i];
      net.Send(from, to, bytes, [&done, i] { done[i] = Simulation::Now() - 1; });
    }
  });
  sim.Run(100);
  return done;
}

TEST_P(NetworkTest, ThreeTierRoutesEndToCloudThroughTheEdge) {
  NetworkConfig config = Make();
  config.topology = NetworkConfig::Topology::kThreeTier;
  config.uplink.capacity = Constant(50);
  config.downlink.capacity = Constant(50);
  config.uplink.delay_ms = config.downlink.delay_ms = 5;  // end - edge
  config.wan_up.capacity.constant_mbps = config.wan_down.capacity.constant_mbps = 10;
  config.wan_up.delay_ms = config.wan_down.delay_ms = 30;  // edge - cloud
  const std::vector<Site> sites = TopologySites(config);
  ASSERT_EQ(sites.size(), 3u);
  EXPECT_EQ(sites[1].name, "edge");
  EXPECT_EQ(sites[1].role, SiteRole::kEdge);
  const int end = 0, edge = 1, cloud = 2;
  // One small message per pair: each takes its path's one-way delay.
  const auto small =
      DeliveryTimes(config, {{end, edge, 100}, {edge, cloud, 100}, {end, cloud, 100}});
  EXPECT_NEAR(small[0], 0.005, 0.001);
  EXPECT_NEAR(small[1], 0.030, 0.001);
  EXPECT_NEAR(small[2], 0.035, 0.001);  // through the edge
  // A large end -> cloud transfer is limited by the slower WAN hop (10 Mbit/s).
  const auto large = DeliveryTimes(config, {{end, cloud, 2'000'000}});
  const double wan_s = 2e6 * 8 / 10e6 * 1502 / 1448;
  EXPECT_GT(large[0], wan_s);
  EXPECT_LT(large[0], wan_s * 1.15);
}

TEST_P(NetworkTest, ClusterLeaderSendsParallelStripsAtLanRate) {
  for (int devices : {2, 4}) {
    for (double lan : {100.0, 1000.0}) {
      NetworkConfig config = Make();
      config.topology = NetworkConfig::Topology::kCluster;
      config.cluster_devices = devices;
      config.lan_mbps = lan;
      const uint64_t strip = 2'000'000;
      std::vector<std::tuple<int, int, uint64_t>> strips;
      for (int d = 0; d < devices; ++d) strips.emplace_back(0, 1 + d, strip);
      const auto done = DeliveryTimes(config, strips);
      // The leader's link to the switch carries every strip: bytes / link rate.
      const double expected = devices * strip * 8 / (lan * 1e6) * 1502 / 1448;
      const double last = *std::max_element(done.begin(), done.end());
      EXPECT_NEAR(last, expected, 0.1 * expected) << devices << " devices, " << lan << " Mbit/s";
    }
  }
}

TEST_P(NetworkTest, EachDirectionHasItsOwnDelay) {
  for (auto [up_ms, down_ms] : {std::pair{50.0, 10.0}, std::pair{5.0, 80.0}}) {
    NetworkConfig config = Make();
    config.uplink.capacity = Constant(50);
    config.downlink.capacity = Constant(50);
    config.uplink.delay_ms = up_ms;
    config.downlink.delay_ms = down_ms;
    const auto t = DeliveryTimes(config, {{0, 1, 100}, {1, 0, 100}});
    EXPECT_NEAR(t[0], up_ms / 1e3, 0.001);
    EXPECT_NEAR(t[1], down_ms / 1e3, 0.001);
  }
}

TEST_P(NetworkTest, ClusterDevicesTalkOverTheLanOnDemand) {
  NetworkConfig config = Make();
  config.topology = NetworkConfig::Topology::kCluster;
  config.cluster_devices = 3;
  config.cluster_upstream = true;
  config.lan_mbps = 100;
  config.uplink.capacity = Constant(1);  // the leader's access link: 800x slower for 1 MB
  config.downlink.capacity = Constant(1);
  const std::vector<Site> sites = TopologySites(config);
  ASSERT_EQ(sites.size(), 5u);  // leader, device0..2, cloud
  EXPECT_EQ(sites[2].name, "device1");
  EXPECT_EQ(sites[4].role, SiteRole::kCloud);
  // device1 -> device2 was never connected: it opens (one LAN round trip of
  // 4 x 0.05 ms) and crosses the switch at 100 Mbit/s, not the 1 Mbit/s uplink.
  const auto t = DeliveryTimes(config, {{2, 3, 1'000'000}});
  const double lan_s = 1e6 * 8 / 100e6 * 1502 / 1448;
  EXPECT_GT(t[0], lan_s);
  EXPECT_LT(t[0], lan_s * 1.1);
}

TEST_P(NetworkTest, SitesTheTopologyLacksAreRejected) {
  NetworkConfig config = Make();
  config.topology = NetworkConfig::Topology::kCluster;
  config.cluster_devices = 3;
  config.cluster_upstream = false;
  EXPECT_EQ(TopologySites(config).size(), 4u);  // no cloud
  Simulation sim(1);
  PacketNetwork net(config);
  EXPECT_THROW(net.Send(0, 4, 100, [] {}), std::invalid_argument);   // no such site
  EXPECT_THROW(net.Send(1, 1, 100, [] {}), std::invalid_argument);   // to itself
  EXPECT_THROW(net.Send(-1, 0, 100, [] {}), std::invalid_argument);  // no such site
}

TEST_P(NetworkTest, TraceOutageStallsTransfers) {
  // A trace with a 2-second gap: 100 packets in the first ms, then nothing until 2000 ms.
  auto trace = std::make_shared<DeliveryTrace>();
  trace->opportunities.assign(100, 1);
  for (int ms = 2000; ms < 3000; ++ms) trace->opportunities.push_back(ms);
  trace->period_ms = trace->opportunities.back();
  NetworkConfig config = Make();
  config.uplink.capacity.trace = trace;
  config.downlink.capacity = Constant(100);
  config.uplink.delay_ms = config.downlink.delay_ms = 5;
  // 300 kB cannot cross before the outage ends at 2 s.
  const double t = TransferSeconds(config, 300'000);
  EXPECT_GT(t, 2.0);
  EXPECT_LT(t, 3.0);
}

}  // namespace
}  // namespace coinfer

namespace coinfer {
namespace {

// Direct links compute the times of the point-to-point chain they stand for
// (sim/net/direct_link.h), drops included: every message arrives when it
// does on ns-3's point-to-point devices, to the nanosecond.
// The independent answer is ns-3's own devices.
TEST(DirectLinkTest, DeliversEveryMessageWhenPointToPointDoes) {
  NetworkConfig traced;  // the WAN (1 Gbit/s, no delay) becomes a hop
  traced.uplink.capacity = Traced("Verizon-LTE-short.up");
  traced.downlink.capacity = Traced("Verizon-LTE-short.down");
  NetworkConfig shallow = traced;  // drops, and part of a delay before the queue
  shallow.uplink.queue = "20p";
  shallow.downlink.queue = "30000B";
  shallow.uplink.delay_ms = 35;
  shallow.downlink.delay_ms = 5;
  NetworkConfig wan_line = traced;  // a WAN with a delay of its own, still only a line
  wan_line.wan_up.delay_ms = 15;
  wan_line.wan_down.delay_ms = 5;
  // Folded only at or above the trace's peak (43 opportunities in one ms of Verizon up).
  wan_line.wan_up.capacity.constant_mbps = wan_line.wan_down.capacity.constant_mbps = 600;
  NetworkConfig slow_wan = traced;  // a WAN that queues keeps its router
  slow_wan.wan_up.capacity.constant_mbps = slow_wan.wan_down.capacity.constant_mbps = 8;
  slow_wan.wan_up.delay_ms = 10;
  NetworkConfig three_tier = traced;  // end - edge direct, edge - cloud point-to-point
  three_tier.topology = NetworkConfig::Topology::kThreeTier;
  three_tier.wan_up.capacity.constant_mbps = three_tier.wan_down.capacity.constant_mbps = 5;
  three_tier.wan_up.delay_ms = three_tier.wan_down.delay_ms = 30;
  // Links that stay point-to-point on direct: binned replay, a CoDel queue.
  // (Random loss stays point-to-point too, but two lossy simulations in one
  // process draw from different streams, so it cannot be compared here.)
  NetworkConfig binned = traced;
  binned.replay = NetworkConfig::Replay::kBinned;
  NetworkConfig codel = traced;
  codel.uplink.discipline = QueueDiscipline::kCoDel;
  codel.cross_traffic.push_back({CrossTraffic::Kind::kConstant, 0, 1, 4, 0, 30});

  const std::vector<std::tuple<int, int, uint64_t>> messages = {
      {0, 1, 1000}, {0, 1, 300'000}, {1, 0, 50'000}, {0, 1, 3'000'000}};
  const std::vector<std::pair<std::string, NetworkConfig>> cases = {
      {"traced", traced},     {"shallow", shallow},       {"WAN line", wan_line},
      {"slow WAN", slow_wan}, {"three-tier", three_tier}, {"binned", binned},
      {"CoDel", codel}};
  for (auto [name, config] : cases) {
    config.link_device = NetworkConfig::LinkDevice::kPointToPoint;
    const std::vector<double> p2p = DeliveryTimes(config, messages);
    config.link_device = NetworkConfig::LinkDevice::kDirect;
    const std::vector<double> direct = DeliveryTimes(config, messages);
    for (size_t i = 0; i < messages.size(); ++i) {
      EXPECT_GT(p2p[i], 0) << name << " message " << i;
      EXPECT_EQ(direct[i], p2p[i]) << name << " message " << i;
    }
  }
}

}  // namespace
}  // namespace coinfer
