// The emulation's clock: timers at their real times, logical time that does
// not drift, sockets served in the same loop.
#include "emulate/real_time_loop.h"

#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "emulate/steady_now.h"
#include "emulate/unique_fd.h"

namespace coinfer {
namespace {

constexpr double kMs = 1e-3;

double RealSince(int64_t origin_ns) { return (SteadyNowNs() - origin_ns) * 1e-9; }

void BusyFor(double seconds) {
  const int64_t until = SteadyNowNs() + static_cast<int64_t>(seconds * 1e9);
  while (SteadyNowNs() < until) {
  }
}

TEST(RealTimeLoopTest, TimersRunInOrderAtTheirRealTimes) {
  const int64_t origin = SteadyNowNs() + 5'000'000;  // 5 ms ahead: Run waits for it
  RealTimeLoop loop(origin);
  std::vector<double> logical, real;
  std::vector<int> order;
  for (int ms : {30, 10, 20, 10}) {
    loop.Schedule(ms * kMs, [&, ms] {
      order.push_back(ms);
      logical.push_back(loop.Now());
      real.push_back(RealSince(origin));
    });
  }
  ASSERT_TRUE(loop.Run(1.0));  // nothing stops it: runs to 1 s
  EXPECT_EQ(order, (std::vector<int>{10, 10, 20, 30}));
  for (size_t i = 0; i < order.size(); ++i) {
    EXPECT_DOUBLE_EQ(logical[i], order[i] * kMs);
    EXPECT_GE(real[i], order[i] * kMs);
    EXPECT_LT(real[i], order[i] * kMs + 20 * kMs);  // the host's lateness, under load
  }
  EXPECT_DOUBLE_EQ(loop.Now(), 1.0);
}

TEST(RealTimeLoopTest, AChainOfDelaysDoesNotAccumulateTheHostsLateness) {
  const int64_t origin = SteadyNowNs();
  RealTimeLoop loop(origin);
  int hops = 0;
  std::function<void()> hop = [&] {
    BusyFor(4 * kMs);  // each callback costs the host 4 ms
    if (++hops < 20) {
      loop.Schedule(5 * kMs, hop);
    } else {
      loop.Stop();
    }
  };
  loop.Schedule(5 * kMs, hop);
  ASSERT_TRUE(loop.Run(10.0));
  // Twenty hops of 5 ms: logical time 100 ms; the host ends about 4 ms after
  // the last one started, plus its own lateness. A clock that counted from
  // when each callback ran would end at 20 × 9 = 180 ms at the earliest;
  // up to 75 ms of lateness is allowed (a CI run's load took 57).
  EXPECT_DOUBLE_EQ(loop.Now(), 100 * kMs);
  EXPECT_LT(RealSince(origin), 175 * kMs);
}

TEST(RealTimeLoopTest, ASocketIsServedWhenItBecomesReadable) {
  const int64_t origin = SteadyNowNs();
  RealTimeLoop loop(origin);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  double read_at = -1;
  loop.Watch(read_end.get(), POLLIN, [&](short revents) {
    EXPECT_TRUE(revents & POLLIN);
    char byte;
    ASSERT_EQ(read(read_end.get(), &byte, 1), 1);
    read_at = loop.Now();
    loop.Unwatch(read_end.get());
    loop.Stop();
  });
  loop.Schedule(20 * kMs, [&] { ASSERT_EQ(write(write_end.get(), "x", 1), 1); });
  ASSERT_TRUE(loop.Run(1.0));
  EXPECT_GE(read_at, 20 * kMs);
  EXPECT_LT(read_at, 40 * kMs);
}

TEST(RealTimeLoopTest, TimeNeverGoesBackBetweenSocketsAndLateTimers) {
  const int64_t origin = SteadyNowNs();
  RealTimeLoop loop(origin);
  std::vector<UniqueFd> ends;
  for (int i = 0; i < 2; ++i) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    ends.emplace_back(fds[0]);
    ends.emplace_back(fds[1]);
    ASSERT_EQ(write(fds[1], "x", 1), 1);  // readable from the start
  }
  std::vector<std::string> order;
  std::vector<double> seen;  // Now(), in the order the callbacks ran
  // The first pipe's callback keeps the host busy past the timer's due
  // time (50 ms); the second pipe is read then, at ~60 ms, before the timer
  // gets its turn: the timer must not see 50 ms.
  for (int pipe_index : {0, 1}) {
    const int fd = ends[2 * pipe_index].get();
    loop.Watch(fd, POLLIN, [&, fd, pipe_index](short) {
      char byte;
      ASSERT_EQ(read(fd, &byte, 1), 1);
      order.push_back("pipe" + std::to_string(pipe_index));
      seen.push_back(loop.Now());
      loop.Unwatch(fd);
      if (pipe_index == 0) BusyFor(60 * kMs);
    });
  }
  loop.Schedule(50 * kMs, [&] {
    order.push_back("timer");
    seen.push_back(loop.Now());
    loop.Stop();
  });
  ASSERT_TRUE(loop.Run(1.0));
  ASSERT_EQ(order, (std::vector<std::string>{"pipe0", "pipe1", "timer"}));
  EXPECT_GE(seen[1], 60 * kMs);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i], seen[i - 1]) << i;
}

}  // namespace
}  // namespace coinfer
