#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "sim/net/delivery_estimator.h"
#include "sim/net/delivery_rate_sampler.h"
#include "sim/net/packet_network.h"
#include "sim/net/simulation.h"
#include "sim/transfer_time.h"

namespace coinfer {
namespace {

constexpr SiteId kEnd = 0, kCloud = 1;  // two-tier

// A window-limited sender behind a bottleneck, by hand: `window` segments of
// 1000 bytes in flight, the bottleneck passes one every 10 ms, and a
// segment's ACK comes back 100 ms after it leaves the bottleneck. A window
// that covers the pipe (11 segments) keeps the bottleneck busy: the rate is
// 1000 bytes / 10 ms; a smaller one delivers a window per 110 ms.
TEST(DeliveryRateSamplerTest, AnAckClockGivesTheBottleneckRate) {
  for (int window : {4, 12}) {
    DeliveryRateSampler sampler;
    const double service_s = 0.010, rtt_s = 0.100;
    uint64_t next_seq = 1000;
    double bottleneck_free_s = 0;
    std::vector<std::pair<double, uint64_t>> acks;  // (when, cumulative ack), in time order
    auto send = [&](double now) {
      sampler.OnSend(next_seq, 1000, now, /*backlog=*/1 << 20, /*cwnd=*/window * 1000);
      next_seq += 1000;
      bottleneck_free_s = std::max(bottleneck_free_s, now) + service_s;
      acks.push_back({bottleneck_free_s + rtt_s, next_seq});
    };
    for (int i = 0; i < window; ++i) send(0);
    std::vector<DeliveryRateSampler::Sample> samples;
    for (size_t a = 0; a < acks.size() && a < 200; ++a) {
      const auto [when, ack] = acks[a];
      if (auto s = sampler.OnAck(ack, when)) samples.push_back(*s);
      send(when);  // one out, one in
    }
    ASSERT_EQ(samples.size(), 200u);
    // The pipe is full when the window covers the bottleneck's round trip
    // (11 segments); a smaller window leaves it idle a part of each round.
    const double expected = window >= 11 ? 1000 / service_s : window * 1000 / (rtt_s + service_s);
    for (size_t i = 2 * window; i < samples.size(); ++i) {
      EXPECT_NEAR(samples[i].bytes_per_s, expected, 1e-6 * expected) << window << " " << i;
      EXPECT_FALSE(samples[i].app_limited);
    }
    EXPECT_NEAR(samples.back().rtt_s, window >= 11 ? window * service_s : rtt_s + service_s, 1e-9);
  }
}

TEST(DeliveryRateSamplerTest, ASenderWithNothingMoreToSendIsAppLimited) {
  DeliveryRateSampler sampler;
  sampler.OnSend(1, 1000, 0, /*backlog=*/0, /*cwnd=*/14480);
  const std::optional<DeliveryRateSampler::Sample> s = sampler.OnAck(1001, 0.05);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->app_limited);
  EXPECT_DOUBLE_EQ(s->bytes_per_s, 1000 / 0.05);
  EXPECT_DOUBLE_EQ(s->rtt_s, 0.05);
  // A retransmitted segment gives no round trip (Karn).
  sampler.OnSend(1001, 1000, 1, 1 << 20, 1000);
  sampler.OnSend(1001, 1000, 2, 1 << 20, 1000);
  const std::optional<DeliveryRateSampler::Sample> again = sampler.OnAck(2001, 2.05);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->rtt_s, 0);
}

// A probe's bytes are a measurement: its segments, the last included, are
// not app-limited, and the application's own message after it is again.
TEST(DeliveryRateSamplerTest, AProbesSegmentsAreAMeasurement) {
  DeliveryRateSampler sampler;
  // The stream's first data byte is sequence 1; the probe is its bytes [0, 3000).
  sampler.MarkMeasurement(0, 3000);
  for (uint64_t seq = 1; seq < 3001; seq += 1000)
    sampler.OnSend(seq, 1000, 0, /*backlog=*/3001 - seq - 1000, /*cwnd=*/14480);
  for (uint64_t ack = 1001; ack <= 3001; ack += 1000) {
    const std::optional<DeliveryRateSampler::Sample> s = sampler.OnAck(ack, 0.05 + ack * 1e-6);
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->app_limited) << ack;
  }
  // The next message, alone on an idle connection, is app-limited.
  sampler.OnSend(3001, 1000, 1, 0, 14480);
  const std::optional<DeliveryRateSampler::Sample> after = sampler.OnAck(4001, 1.05);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->app_limited);
}

TEST(DeliveryEstimatorTest, KeepsTheMaximumRateOfTenRoundsAndTheMinimumRtt) {
  DeliveryEstimator estimator(DeliveryFilter{10, 10});
  auto sample = [](double mbps, double rtt_s, bool app_limited) {
    DeliveryRateSampler::Sample s;
    s.bytes_per_s = mbps * 1e6 / 8;
    s.interval_s = 1;
    s.rtt_s = rtt_s;
    s.app_limited = app_limited;
    s.round_start = true;
    return s;
  };
  estimator.OnSample(sample(8, 0.2, false), 0);
  estimator.OnSample(sample(4, 0.1, false), 1);
  EXPECT_DOUBLE_EQ(estimator.PathMbps(), 8);
  EXPECT_DOUBLE_EQ(estimator.MinRttS(), 0.1);
  estimator.OnSample(sample(2, 0.3, true), 2);  // app-limited and lower: ignored
  EXPECT_DOUBLE_EQ(estimator.AppLimitedMbps(), 0);
  for (int round = 3; round < 12; ++round) estimator.OnSample(sample(3, 0.3, false), round);
  EXPECT_DOUBLE_EQ(estimator.PathMbps(), 3);   // the 8 and the 4 are ten rounds old
  EXPECT_DOUBLE_EQ(estimator.MinRttS(), 0.1);  // 10 s
  estimator.OnSample(sample(3, 0.3, false), 12);
  EXPECT_DOUBLE_EQ(estimator.MinRttS(), 0.3);
}

TEST(TransferTimeTest, SlowStartRoundsByHand) {
  LinkEstimate link;
  link.mbps = 8;                                            // 1000 bytes per ms
  EXPECT_DOUBLE_EQ(PredictTransferMs(link, 100'000), 100);  // a rate alone: bytes / rate
  link.min_rtt_ms = 100;                                    // a BDP of 100 kB
  link.cwnd_bytes = 10'000;
  // Windows of 10, 15, 22.5 and 33.75 kB take a round trip each (81.25 kB);
  // the window of 50.6 kB holds the remaining 18.75 kB.
  EXPECT_DOUBLE_EQ(PredictTransferMs(link, 100'000), 400 + 18.75 + 50);
  link.cwnd_bytes = 200'000;
  link.backlog_bytes = 50'000;  // goes first
  EXPECT_DOUBLE_EQ(PredictTransferMs(link, 100'000), 150 + 50);
}

LinkCapacity Constant(double mbps) {
  LinkCapacity c;
  c.constant_mbps = mbps;
  return c;
}

// A trace-driven link at a steady rate: `per_ms` opportunities every ms.
LinkCapacity SteadyTrace(int per_ms) {
  auto trace = std::make_shared<DeliveryTrace>();
  for (uint32_t ms = 1; ms <= 1000; ++ms)
    for (int i = 0; i < per_ms; ++i) trace->opportunities.push_back(ms);
  trace->period_ms = 1000;
  LinkCapacity c;
  c.trace = trace;
  return c;
}

struct PredictedAndActual {
  double predicted_s, actual_s, rtt_s;
};

// Warms the connection with a few transfers, then predicts a message of
// `bytes` from the sender's estimate and sends it.
PredictedAndActual Transfer(const NetworkConfig& config, uint64_t bytes) {
  Simulation sim(1);
  PacketNetwork net(config, DeliveryFilter());
  PredictedAndActual out{};
  double sent_at = 0;
  auto send_measured = [&] {
    const DeliveryEstimate e = *net.Estimate(kEnd, kCloud);
    LinkEstimate link{kEnd, kCloud, e.path_mbps};
    link.min_rtt_ms = e.min_rtt_s * 1e3;
    link.cwnd_bytes = e.cwnd_bytes;
    link.backlog_bytes = static_cast<double>(e.backlog_bytes);
    out.predicted_s = PredictTransferMs(link, static_cast<int64_t>(bytes)) / 1e3;
    out.rtt_s = e.min_rtt_s;
    sent_at = Simulation::Now();
    net.Send(kEnd, kCloud, bytes, [&] { out.actual_s = Simulation::Now() - sent_at; });
  };
  for (int i = 0; i < 3; ++i) net.Send(kEnd, kCloud, 500'000, [] {});
  Simulation::Schedule(20, send_measured);
  sim.Run(120);
  return out;
}

TEST(DeliveryEstimateTest, PredictsTransfersFromOneKilobyteToTenMegabytes) {
  struct Link {
    const char* name;
    LinkCapacity capacity;
    double delay_ms;
  };
  const std::vector<Link> links = {{"10 Mbit/s, 20 ms", Constant(10), 20},
                                   {"50 Mbit/s, 40 ms", Constant(50), 40},
                                   {"trace at 12 Mbit/s, 30 ms", SteadyTrace(1), 30},
                                   {"trace at 36 Mbit/s, 10 ms", SteadyTrace(3), 10}};
  for (const Link& l : links) {
    NetworkConfig config;
    config.uplink.capacity = config.downlink.capacity = l.capacity;
    config.uplink.delay_ms = config.downlink.delay_ms = l.delay_ms;
    config.uplink.queue = "1000p";
    for (uint64_t bytes : {1'000, 10'000, 100'000, 300'000, 1'000'000, 3'000'000, 10'000'000}) {
      const PredictedAndActual t = Transfer(config, bytes);
      ASSERT_GT(t.actual_s, 0) << l.name << ", " << bytes << " B";
      std::printf("%s %lu B: predicted %.4f s, simulated %.4f s, rtt %.4f\n", l.name, bytes,
                  t.predicted_s, t.actual_s, t.rtt_s);
      // The issue asks for 10 % above 100 kB and one round trip below; a
      // tenth of one holds, and fails a prediction without the half round trip.
      if (bytes > 100'000) {
        EXPECT_NEAR(t.predicted_s, t.actual_s, 0.1 * t.actual_s) << l.name << ", " << bytes << " B";
      } else {
        EXPECT_NEAR(t.predicted_s, t.actual_s, 0.1 * t.rtt_s) << l.name << ", " << bytes << " B";
      }
    }
  }
}

// A sender that has only sent one small message has one round trip sample;
// when the link stalled during it (here a 300 ms outage in the trace), that
// sample is no round trip of the path. The handshake's is: the prediction
// of the next small message stays at its one-way trip.
TEST(DeliveryEstimateTest, OneStalledSampleDoesNotStandForTheRoundTrip) {
  auto trace = std::make_shared<DeliveryTrace>();
  for (uint32_t ms = 1; ms <= 10'000; ++ms)
    if (ms < 1000 || ms >= 1300) trace->opportunities.push_back(ms);
  trace->period_ms = 10'000;
  NetworkConfig config;
  config.uplink.capacity.trace = trace;
  config.downlink.capacity = SteadyTrace(1);
  config.uplink.delay_ms = config.downlink.delay_ms = 20;
  Simulation sim(1);
  PacketNetwork net(config, DeliveryFilter());
  Simulation::Schedule(1.0, [&] { net.Send(kEnd, kCloud, 200, [] {}); });
  double predicted_s = 0, sent_at = 0, actual_s = 0;
  Simulation::Schedule(5, [&] {
    const DeliveryEstimate e = *net.Estimate(kEnd, kCloud);
    LinkEstimate link{kEnd, kCloud, 12};
    link.min_rtt_ms = e.min_rtt_s * 1e3;
    link.cwnd_bytes = e.cwnd_bytes;
    link.backlog_bytes = static_cast<double>(e.backlog_bytes);
    predicted_s = PredictTransferMs(link, 200) / 1e3;
    sent_at = Simulation::Now();
    net.Send(kEnd, kCloud, 200, [&] { actual_s = Simulation::Now() - sent_at; });
  });
  sim.Run(20);
  ASSERT_GT(actual_s, 0.02);
  EXPECT_NEAR(predicted_s, actual_s, 0.004);
}

}  // namespace
}  // namespace coinfer
