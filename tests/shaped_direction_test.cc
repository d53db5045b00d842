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

TEST(ShapedDirectionTest, BytesWaitTheDelayThenOneOpportunityEach) {
  ShapedDirection direction(EveryMillisecond(), 10 * kMs, 1 << 20, 0);
  direction.Enter(0, 7, 3000);
  EXPECT_TRUE(AdvanceTo(&direction, 10 * kMs - 1).empty());
  EXPECT_EQ(direction.NextChangeNs(), 10 * kMs);
  ExpectReleased(AdvanceTo(&direction, 10 * kMs), {{7, kFull}});
  EXPECT_EQ(direction.NextChangeNs(), 11 * kMs);
  ExpectReleased(AdvanceTo(&direction, 11 * kMs), {{7, kFull}});
  ExpectReleased(AdvanceTo(&direction, 12 * kMs), {{7, 3000 - 2 * kFull}});
  EXPECT_EQ(direction.NextChangeNs(), ShapedDirection::kNever);
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
  // 10, 11, ..., 20 ms: eleven opportunities.
  ExpectReleased(AdvanceTo(&direction, 20 * kMs), {{1, 11 * kFull}});
}

TEST(ShapedDirectionTest, BytesStillInTheDelayCannotUseAnEarlierOpportunity) {
  ShapedDirection direction(EveryMillisecond(), 5 * kMs, 1 << 20, 0);
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

TEST(ShapedDirectionTest, RoomIsTheLimitPlusOneDelaysCarriageLessWhatIsIn) {
  ShapedDirection direction(EveryMillisecond(), 10 * kMs, 2 * kFull, 0);
  // (0, 10 ms] holds ten opportunities.
  EXPECT_EQ(direction.Room(0), 12 * kFull);
  direction.Enter(0, 1, 2000);
  EXPECT_EQ(direction.Room(0), 12 * kFull - 2000);
  AdvanceTo(&direction, 10 * kMs);  // 1448 of them carried, 552 queued
  EXPECT_EQ(direction.Room(10 * kMs), 12 * kFull - (2000 - kFull));
  direction.Enter(10 * kMs, 1, 12 * kFull - (2000 - kFull));
  EXPECT_EQ(direction.Room(10 * kMs), 0u);
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
  // Opportunities from 40 ms (the first bytes' arrival) to 1040 ms: 1001 ms.
  EXPECT_EQ(carried, 1001 * 10 * kFull);
}

}  // namespace
}  // namespace coinfer
