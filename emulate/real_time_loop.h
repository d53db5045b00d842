// RealTimeLoop: the engine's clock in emulation (sim/net/engine_world.h), on
// the steady clock, with sockets watched in the same thread. Time 0 is the
// origin instant given at construction (the instant the links' traces start
// too), so Run() first waits for it.
//
// Now() is logical time: while a timer's callback runs it is the timer's due
// time, not the instant the host got to it, so a chain of delays (a compute
// stage scheduled at the end of another) does not accumulate the host's
// lateness; while a socket's callback runs it is the instant it was found
// ready. It never goes back: a timer that runs after a socket callback later
// than its due time sees that callback's time instead (and what it schedules
// starts from there).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <queue>
#include <vector>

#include "sim/net/engine_world.h"

namespace coinfer {

class RealTimeLoop : public EngineClock {
 public:
  explicit RealTimeLoop(int64_t origin_ns);
  // Moves time 0 (before Run): the instant can be chosen once everything
  // before the run is done.
  void SetOrigin(int64_t origin_ns) { origin_ns_ = origin_ns; }

  double Now() const override { return now_s_; }
  void Schedule(double delay_s, std::function<void()> fn) override;
  void Stop() override { stopped_ = true; }

  // Calls on_ready(revents) each time `fd` is ready for `events` (poll's
  // flags), until Unwatch(fd). Either may be called from a callback.
  void Watch(int fd, short events, std::function<void(short)> on_ready);
  void Unwatch(int fd);

  // Runs timers at their times and sockets as they become ready, until
  // Stop() or time `until_s`. False if polling failed (errno says why).
  bool Run(double until_s);

 private:
  struct Timer {
    double due_s;
    uint64_t order;  // same due time: first scheduled, first run
    bool operator>(const Timer& other) const {
      return due_s != other.due_s ? due_s > other.due_s : order > other.order;
    }
  };
  double RealNowS() const;
  void Advance(double to_s) { now_s_ = to_s > now_s_ ? to_s : now_s_; }

  int64_t origin_ns_;
  double now_s_ = 0;
  bool stopped_ = false;
  uint64_t next_order_ = 0;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::map<uint64_t, std::function<void()>> callbacks_;  // by Timer::order
  struct Watched {
    short events;
    std::function<void(short)> on_ready;
  };
  std::map<int, Watched> watched_;
};

}  // namespace coinfer
