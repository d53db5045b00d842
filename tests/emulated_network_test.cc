// The coordinator's side of an emulation: site processes (here threads
// running the same RunSite) commanded over their control connections, the
// tensor crossing a shaped link for real. Checked against the catalog's
// batched measurement (bytes, answers) and the link's hand-computed timing.
#include "emulate/emulated_network.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/parse.h"
#include "emulate/link_relay.h"
#include "emulate/loopback.h"
#include "emulate/site_process.h"
#include "tests/emulation_fixtures.h"

namespace coinfer {
namespace {

constexpr SiteId kEnd = 0, kCloud = 1;

// Accepts a site's control connection and reads its `ready` line: the port.
UniqueFd AcceptSite(int listener, uint16_t* data_port) {
  UniqueFd control(accept(listener, nullptr, nullptr));
  ControlMessage message;
  EXPECT_TRUE(ReadControlMessage(control.get(), 60'000, &message).ok());
  EXPECT_EQ(message.verb, "ready");
  int64_t port = 0;
  EXPECT_TRUE(!message.words.empty() && ParseCount(message.words[0], &port));
  *data_port = static_cast<uint16_t>(port);
  return control;
}

TEST(EmulatedNetworkTest, RequestsRunAcrossSiteProcessesAndAShapedLink) {
  // The catalog's answer for the same cuts, measured in batches.
  constexpr int64_t kSamples = 20;
  std::vector<int> splits;
  const std::vector<CatalogEntry> entries = MeasureCuts(
      [](const std::vector<int>& s) {
        return std::vector<CaptureCuts>{{{s[2], kCodec}}, {{0, "none"}}};
      },
      kSamples, &splits);
  const int split = splits[2];
  const std::string codec = kCodec;

  UniqueFd listener;
  uint16_t control_port = 0;
  ASSERT_TRUE(ListenLoopback(/*nonblocking=*/false, &listener, &control_port).ok());

  std::thread cloud([&] { EXPECT_TRUE(RunSite({"cloud", kCard, control_port, 0}).ok()); });
  uint16_t cloud_port = 0;
  UniqueFd cloud_control = AcceptSite(listener.get(), &cloud_port);
  ASSERT_NE(cloud_port, 0);
  const RelayConfig link = EveryMsLink(cloud_port, 10);
  std::unique_ptr<LinkRelay> relay;
  ASSERT_TRUE(LinkRelay::Open(link, &relay).ok());
  std::thread relay_thread([&] { EXPECT_TRUE(relay->Run().ok()); });
  std::thread end([&] { EXPECT_TRUE(RunSite({"end", kCard, control_port, relay->port()}).ok()); });
  uint16_t unused = 0;
  UniqueFd end_control = AcceptSite(listener.get(), &unused);

  RealTimeLoop loop(SteadyNowNs());
  std::vector<UniqueFd> control;
  control.push_back(std::move(end_control));
  control.push_back(std::move(cloud_control));
  EmulatedNetwork network(&loop, std::move(control), kEnd);
  // Request 2k sends sample k's tensor, 2k + 1 answers it on the device;
  // one after another, 300 ms apart. Odd k hold no compute stage: the
  // coordinator says `send` before the sites have computed what to send.
  std::vector<double> sent_at(kSamples), arrived_at(kSamples, -1), result_sent_at(kSamples, -1),
      answered_at(kSamples, -1);
  int done = 0;
  for (int k = 0; k < kSamples; ++k) {
    loop.Schedule(0.3 * k, [&, k] {
      RequestPlan split_plan{2 * k, k, kSamples, "", {}};
      split_plan.transfers = {{1, kEnd, kCloud, false, split, codec},
                              {3, kCloud, kEnd, true, -1, ""}};
      network.Prepare(split_plan);
      network.Prepare({2 * k + 1, k, kSamples, "", {}});
      const double hold = k % 2 == 0 ? 1 : 0;    // times the stages below
      loop.Schedule(0.05 * hold, [&, k, hold] {  // the device's compute stage, say
        sent_at[k] = loop.Now();
        auto answered = [&, k] {
          answered_at[k] = loop.Now();
          if (++done == kSamples) loop.Stop();
        };
        // The cloud's compute stage, long enough for this host to have
        // resumed the model for real meanwhile.
        auto computed = [&, k, answered] {
          result_sent_at[k] = loop.Now();
          network.Send(kCloud, kEnd, 8, answered, false, {2 * k, 3});
        };
        network.Send(kEnd, kCloud, 0,
                     [&, k, computed, hold] {
                       arrived_at[k] = loop.Now();
                       loop.Schedule(0.1 * hold, computed);
                     },
                     false, {2 * k, 1});
      });
    });
  }
  ASSERT_TRUE(loop.Run(30.0));
  network.Quit();
  end.join();
  cloud.join();
  relay->Stop();
  relay_thread.join();

  EXPECT_TRUE(network.failures().empty()) << network.failures().front();
  ASSERT_EQ(done, kSamples);
  for (int k = 0; k < kSamples; ++k) {
    ASSERT_TRUE(network.answers().count(2 * k) && network.answers().count(2 * k + 1)) << k;
    EXPECT_EQ(network.answers().at(2 * k).correct, entries[0].correct[k]) << k;
    EXPECT_EQ(network.answers().at(2 * k + 1).correct, entries[1].correct[k]) << k;
    const int64_t bytes = entries[0].sample_bytes[k];
    EXPECT_EQ(network.sent_bytes().at(2 * k), bytes) << k;
    // The frame (its header and checksum are under 100 bytes more) crosses
    // after 10 ms, one opportunity per 1448 bytes; the answer comes back in
    // one more opportunity after 10 ms. Allowed: the host's lateness. For
    // odd k the sites' computation comes on top, which nothing held for and
    // which a loaded host stretches without bound: no upper bound there.
    const double frame_ms = 10 + static_cast<double>((bytes + 100) / 1448 + 1);
    EXPECT_GE((arrived_at[k] - sent_at[k]) * 1e3, 10 + static_cast<double>(bytes / 1448)) << k;
    EXPECT_GE((answered_at[k] - result_sent_at[k]) * 1e3, 10) << k;
    if (k % 2 == 1) continue;
    EXPECT_LT((arrived_at[k] - sent_at[k]) * 1e3, frame_ms + 20) << k;
    EXPECT_LT((answered_at[k] - result_sent_at[k]) * 1e3, 11 + 20) << k;
  }
}

}  // namespace
}  // namespace coinfer
