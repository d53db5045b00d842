#include "emulate/real_time_loop.h"

#include <poll.h>

#include <cerrno>
#include <cmath>
#include <ctime>

#include "emulate/steady_now.h"

namespace coinfer {

RealTimeLoop::RealTimeLoop(int64_t origin_ns) : origin_ns_(origin_ns) {}

double RealTimeLoop::RealNowS() const { return (SteadyNowNs() - origin_ns_) * 1e-9; }

void RealTimeLoop::Schedule(double delay_s, std::function<void()> fn) {
  const uint64_t order = next_order_++;
  timers_.push({now_s_ + delay_s, order});
  callbacks_.emplace(order, std::move(fn));
}

void RealTimeLoop::Watch(int fd, short events, std::function<void(short)> on_ready) {
  watched_[fd] = {events, std::move(on_ready)};
}

void RealTimeLoop::Unwatch(int fd) { watched_.erase(fd); }

bool RealTimeLoop::Run(double until_s) {
  stopped_ = false;
  std::vector<pollfd> polled;
  while (!stopped_) {
    // Every timer due by now, in order; those they schedule for now too.
    while (!stopped_ && !timers_.empty() && timers_.top().due_s <= RealNowS() &&
           timers_.top().due_s < until_s) {
      const Timer timer = timers_.top();
      timers_.pop();
      Advance(timer.due_s);
      auto it = callbacks_.find(timer.order);
      std::function<void()> fn = std::move(it->second);
      callbacks_.erase(it);
      fn();
    }
    if (stopped_) break;
    const double next_s = timers_.empty() ? until_s : std::min(until_s, timers_.top().due_s);
    const double wait_s = next_s - RealNowS();
    if (wait_s <= 0 && next_s >= until_s) {
      Advance(until_s);
      break;
    }
    polled.clear();
    for (const auto& [fd, watched] : watched_) polled.push_back({fd, watched.events, 0});
    timespec timeout{};
    if (wait_s > 0) {
      const int64_t wait_ns = static_cast<int64_t>(std::ceil(wait_s * 1e9));
      timeout.tv_sec = wait_ns / 1000000000;
      timeout.tv_nsec = wait_ns % 1000000000;
    }
    if (ppoll(polled.data(), polled.size(), &timeout, nullptr) < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    for (const pollfd& p : polled) {
      if (p.revents == 0 || stopped_) continue;
      auto it = watched_.find(p.fd);
      if (it == watched_.end()) continue;  // unwatched by an earlier callback
      Advance(RealNowS());
      std::function<void(short)> on_ready = it->second.on_ready;  // may unwatch itself
      on_ready(p.revents);
    }
  }
  return true;
}

}  // namespace coinfer
