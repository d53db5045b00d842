#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "sim/network.h"
#include "sim/simulation.h"

namespace coinfer {
namespace {

const std::string kData = std::string(COINFER_SOURCE_DIR) + "/traces/data/";

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

// Seconds from t = 0 until a single message of `bytes` is delivered.
double TransferSeconds(const NetworkConfig& config, uint64_t bytes) {
  Simulation sim(1);
  Network net(config);
  double done = -1;
  net.Send(Site::kEndDevice, Site::kCloud, bytes, [&] { done = Simulation::Now(); });
  sim.Run(600);
  return done;
}

TEST(NetworkTest, BulkTransferOverConstantLinkTakesBytesOverRate) {
  for (double mbps : {10.0, 50.0}) {
    NetworkConfig config;
    config.uplink = Constant(mbps);
    config.downlink = Constant(mbps);
    config.one_way_delay_ms = 20;
    const uint64_t n = 10'000'000;
    // Formula check of ns-3: every 1448-byte segment carries 52 bytes of
    // TCP/IP headers and 2 of PPP; add the handshake, the last byte's one-way
    // trip, and the round trips slow start needs to grow from the initial
    // window (10 segments) to the bandwidth-delay product.
    const double wire_bytes = n * (1448.0 + 54.0) / 1448.0;
    const double rtt = 2 * config.one_way_delay_ms / 1e3;
    const double bdp_segments = mbps * 1e6 / 8 * rtt / 1448.0;
    const double slow_start_rtts = std::max(0.0, std::log2(bdp_segments / 10));
    const double expected = wire_bytes * 8 / (mbps * 1e6) + rtt * (1 + slow_start_rtts) + rtt / 2;
    const double t = TransferSeconds(config, n);
    EXPECT_NEAR(t, expected, 0.05 * expected) << mbps << " Mbit/s";
  }
}

TEST(NetworkTest, DelayAddsToSmallTransfers) {
  NetworkConfig config;
  config.uplink = Constant(100);
  config.downlink = Constant(100);
  config.one_way_delay_ms = 50;
  // Handshake (one RTT) then one one-way trip for a message that fits the initial window.
  const double t = TransferSeconds(config, 1000);
  EXPECT_NEAR(t, 0.150, 0.005);
}

TEST(NetworkTest, DeliveredBytesFollowTheMahimahiTrace) {
  NetworkConfig config;
  config.uplink = Traced("Verizon-LTE-short.up");
  config.downlink = Traced("Verizon-LTE-short.down");
  config.one_way_delay_ms = 10;
  const double horizon_s = 60;
  const uint64_t message = 100'000;

  Simulation sim(1);
  Network net(config);
  uint64_t delivered = 0;
  // Keep the uplink saturated: more bytes queued than the trace can carry.
  const int messages =
      static_cast<int>(config.uplink.trace->MeanMbps() * 2 * 1e6 / 8 * horizon_s / message);
  for (int i = 0; i < messages; ++i)
    net.Send(Site::kEndDevice, Site::kCloud, message, [&] { delivered += message; });
  sim.Run(horizon_s);

  // Capacity in payload bytes: each 1500-byte opportunity carries 1448 payload bytes.
  const double capacity_bytes =
      config.uplink.MeanMbpsBetween(0, horizon_s) * 1e6 / 8 * horizon_s * 1448.0 / 1500.0;
  EXPECT_NEAR(delivered, capacity_bytes, 0.02 * capacity_bytes);
}

TEST(NetworkTest, TraceOutageStallsTransfers) {
  // A trace with a 2-second gap: 100 packets in the first ms, then nothing until 2000 ms.
  auto trace = std::make_shared<DeliveryTrace>();
  trace->opportunities.assign(100, 1);
  for (int ms = 2000; ms < 3000; ++ms) trace->opportunities.push_back(ms);
  trace->period_ms = trace->opportunities.back();
  NetworkConfig config;
  config.uplink.trace = trace;
  config.downlink = Constant(100);
  config.one_way_delay_ms = 5;
  // 300 kB cannot cross before the outage ends at 2 s.
  const double t = TransferSeconds(config, 300'000);
  EXPECT_GT(t, 2.0);
  EXPECT_LT(t, 3.0);
}

}  // namespace
}  // namespace coinfer
