// SiteQueue: the compute of one site: `cores` cores and one FIFO queue of
// stages. A stage takes one or more cores for its whole duration; the stage
// at the head waits until enough cores are free (no overtaking), so
// concurrent requests contend in arrival order.
#pragma once

#include <deque>
#include <functional>
#include <stdexcept>
#include <utility>

namespace coinfer {

class SiteQueue {
 public:
  explicit SiteQueue(int cores) : cores_(cores) {}

  // Runs `start` once `cores` cores are free and every earlier stage has
  // started; the caller gives them back with Release(cores). Throws
  // std::invalid_argument for more cores than the site has.
  void Acquire(int cores, std::function<void()> start) {
    if (cores < 1 || cores > cores_)
      throw std::invalid_argument("stage asks for more cores than the site has");
    waiting_.push_back({cores, std::move(start)});
    Dispatch();
  }
  void Release(int cores) {
    busy_ -= cores;
    --running_;
    Dispatch();
  }
  // Stages running or waiting.
  int load() const { return running_ + static_cast<int>(waiting_.size()); }
  int busy_cores() const { return busy_; }

 private:
  void Dispatch() {
    while (!waiting_.empty() && busy_ + waiting_.front().first <= cores_) {
      auto [cores, start] = std::move(waiting_.front());
      waiting_.pop_front();
      busy_ += cores;
      ++running_;
      start();
    }
  }

  int cores_;
  int busy_ = 0;
  int running_ = 0;
  std::deque<std::pair<int, std::function<void()>>> waiting_;
};

}  // namespace coinfer
