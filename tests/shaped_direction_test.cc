// One emulated link direction's arithmetic, against hand-computed releases.
#include "emulate/shaped_direction.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace coinfer {
namespace {

constexpr int64_t kMs = 1000000;
constexpr size_t kFull = ShapedDirection::kPayloadPerOpportunity;

// One opportunity every millisecond: 1, 2, 3... ms.
std::shared_ptr<const DeliveryTrace> EveryMillisecond() {
  auto trace = std::make_shared<DeliveryTrace>();
  trace->opportunities = {1};
  trace->period_ms = 1;
  return trace;
}

using Released = std::vector<ShapedDirection::Released>;

Released AdvanceTo(ShapedDirection* direction, int64_t now_ns) {
  Released out;
  direction->Advance(now_ns, &out);
  return out;
}

void ExpectReleased(const Released& got, const Released& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].stream, want[i].stream) << i;
    EXPECT_EQ(got[i].bytes, want[i].bytes) << i;
  }
}

TEST(ShapedDirectionTest, BytesLeaveOneOpportunityEachThenTakeTheDelay) {
  ShapedDirection direction(EveryMillisecond(), 10 * kMs, 1 << 20, 0);
  direction.Enter(0, 7, 3000);
  EXPECT_EQ(direction.NextChangeNs(), 0);  // joins the queue
  EXPECT_TRUE(AdvanceTo(&direction, 0).empty());
  EXPECT_EQ(direction.NextChangeNs(), 1 * kMs);  // the first opportunity
  // Carried at 1, 2 and 3 ms; across at 11, 12 and 13 ms.
  EXPECT_TRUE(AdvanceTo(&direction, 11 * kMs - 1).empty());
  EXPECT_EQ(direction.NextChangeNs(), 11 * kMs);
  ExpectReleased(AdvanceTo(&direction, 11 * kMs), {{7, kFull}});
  EXPECT_EQ(direction.NextChangeNs(), 12 * kMs);
  ExpectReleased(AdvanceTo(&direction, 12 * kMs), {{7, kFull}});
  ExpectReleased(AdvanceTo(&direction, 13 * kMs), {{7, 3000 - 2 * kFull}});
  EXPECT_EQ(direction.NextChangeNs(), ShapedDirection::kNever);
}

// The simulator's order (queue, then delay), not the delay first: bytes that
// meet an outage leave with its end and arrive one delay later.
TEST(ShapedDirectionTest, AnOutageHoldsBytesWhichThenTakeTheDelay) {
  auto trace = std::make_shared<DeliveryTrace>();
  trace->opportunities = {5, 30};  // an outage from 5 to 30 ms, every 40 ms
  trace->period_ms = 40;
  ShapedDirection direction(trace, 20 * kMs, 1 << 20, 0);
  direction.Enter(0, 1, 10);         // leaves at 5 ms: across at 25
  direction.Enter(10 * kMs, 2, 10);  // leaves at 30 ms: across at 50
  // Delay first, both would arrive at 30 ms.
  ExpectReleased(AdvanceTo(&direction, 25 * kMs), {{1, 10}});
  EXPECT_TRUE(AdvanceTo(&direction, 50 * kMs - 1).empty());
  ExpectReleased(AdvanceTo(&direction, 50 * kMs), {{2, 10}});
}

TEST(ShapedDirectionTest, StreamsShareOpportunitiesInArrivalOrder) {
  ShapedDirection direction(EveryMillisecond(), 0, 1 << 20, 0);
  direction.Enter(0, 1, 1000);
  direction.Enter(0, 2, 1000);
  ExpectReleased(AdvanceTo(&direction, 1 * kMs), {{1, 1000}, {2, kFull - 1000}});
  ExpectReleased(AdvanceTo(&direction, 2 * kMs), {{2, 2000 - kFull}});
}

TEST(ShapedDirectionTest, AnIdleLinkStoresNoCapacity) {
  ShapedDirection direction(EveryMillisecond(), 0, 1 << 20, 0);
  direction.Enter(100 * kMs, 1, 5 * kFull);
  // Opportunities 1..99 ms passed unused: at 100 ms only one carries bytes.
  ExpectReleased(AdvanceTo(&direction, 100 * kMs), {{1, kFull}});
  ExpectReleased(AdvanceTo(&direction, 104 * kMs), {{1, 4 * kFull}});
}

TEST(ShapedDirectionTest, ALateCallCatchesUpEveryOpportunityItMissed) {
  ShapedDirection direction(EveryMillisecond(), 10 * kMs, 1 << 20, 0);
  direction.Enter(0, 1, 100 * kFull);
  // Across by 20 ms: what 1, 2, ..., 10 ms carried.
  ExpectReleased(AdvanceTo(&direction, 20 * kMs), {{1, 10 * kFull}});
}

TEST(ShapedDirectionTest, BytesStillInTheIngressDelayCannotUseAnEarlierOpportunity) {
  ShapedDirection direction(EveryMillisecond(), 0, 1 << 20, 0, /*ingress_ns=*/5 * kMs);
  direction.Enter(0, 1, 2 * kFull);
  direction.Enter(3 * kMs, 2, 10);
  // Stream 1 leaves at 5 and 6 ms; stream 2 joins the queue at 8 ms.
  ExpectReleased(AdvanceTo(&direction, 7 * kMs), {{1, 2 * kFull}});
  EXPECT_EQ(direction.NextChangeNs(), 8 * kMs);
  ExpectReleased(AdvanceTo(&direction, 8 * kMs), {{2, 10}});
}

TEST(ShapedDirectionTest, ATraceWithGapsIsReplayedInALoop) {
  auto trace = std::make_shared<DeliveryTrace>();
  trace->opportunities = {5, 6, 20};  // then 25, 26, 40, 45...
  trace->period_ms = 20;
  ShapedDirection direction(trace, 0, 1 << 20, 1000 * kMs);  // the trace starts at 1 s
  direction.Enter(1000 * kMs, 1, 5 * kFull);
  EXPECT_TRUE(AdvanceTo(&direction, 1000 * kMs).empty());  // joins the queue
  const std::vector<int64_t> expected_ms = {5, 6, 20, 25, 26};
  for (int64_t ms : expected_ms) {
    EXPECT_EQ(direction.NextChangeNs(), (1000 + ms) * kMs);
    ExpectReleased(AdvanceTo(&direction, (1000 + ms) * kMs), {{1, kFull}});
  }
}

TEST(ShapedDirectionTest, RoomIsTheLimitPlusOneIngressDelaysCarriageLessWhatIsIn) {
  ShapedDirection direction(EveryMillisecond(), 0, 2 * kFull, 0, /*ingress_ns=*/10 * kMs);
  // (0, 10 ms] holds ten opportunities.
  EXPECT_EQ(direction.Room(0), 12 * kFull);
  direction.Enter(0, 1, 2000);
  EXPECT_EQ(direction.Room(0), 12 * kFull - 2000);
  AdvanceTo(&direction, 10 * kMs);  // 1448 of them carried, 552 queued
  EXPECT_EQ(direction.Room(10 * kMs), 12 * kFull - (2000 - kFull));
  direction.Enter(10 * kMs, 1, 12 * kFull - (2000 - kFull));
  EXPECT_EQ(direction.Room(10 * kMs), 0u);
}

TEST(ShapedDirectionTest, BytesCarriedNoLongerCountAgainstTheQueue) {
  ShapedDirection direction(EveryMillisecond(), 10 * kMs, 2 * kFull, 0);
  EXPECT_EQ(direction.Room(0), 2 * kFull);
  direction.Enter(0, 1, 2000);
  EXPECT_EQ(direction.Room(0), 2 * kFull - 2000);
  // 1448 bytes left at 1 ms: on their way for 10 ms, out of the queue.
  EXPECT_TRUE(AdvanceTo(&direction, 1 * kMs).empty());
  EXPECT_EQ(direction.Room(1 * kMs), 2 * kFull - (2000 - kFull));
}

// A greedy sender, read whenever there is room, every 100 µs: the link
// carries its trace's full rate whatever its delay, 116 Mbit/s here through
// a 100-packet queue and 40 ms of delay (were the delay line counted in the
// queue's limit, it would carry 100 packets per 40 ms: 29 Mbit/s).
TEST(ShapedDirectionTest, AGreedySenderGetsTheTracesRateWhateverTheDelay) {
  auto trace = std::make_shared<DeliveryTrace>();
  trace->opportunities.assign(10, 1);  // ten opportunities every millisecond
  trace->period_ms = 1;
  ShapedDirection direction(trace, 40 * kMs, 100 * kFull, 0);
  size_t carried = 0;
  for (int64_t now = 0; now <= 1040 * kMs; now += kMs / 10) {
    direction.Enter(now, 1, direction.Room(now));
    Released out;
    direction.Advance(now, &out);
    for (const auto& r : out) carried += r.bytes;
  }
  // Across by 1040 ms: what the opportunities from 1 ms to 1000 ms carried.
  EXPECT_EQ(carried, 1000 * 10 * kFull);
}

}  // namespace
}  // namespace coinfer
