// SiteQueue: the compute of one site: `cores` cores and one FIFO queue of
// stages. A stage takes one or more cores for its whole duration; the stage
// at the head waits until enough cores are free (no overtaking), so
// concurrent requests contend in arrival order. Each stage says how long it
// will hold its cores, so the queue can forecast the wait of a stage queued
// now (its committed work, as a scheduler that knows its jobs' times does).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <utility>

namespace coinfer {

class SiteQueue {
 public:
  explicit SiteQueue(int cores) : cores_(cores) {}

  // At `now_s`, queues a stage that holds `cores` cores for `ms`; `start`
  // runs once they are free and every earlier stage has started. The caller
  // gives them back with Release when its time is up. Throws
  // std::invalid_argument for more cores than the site has.
  void Acquire(double now_s, int cores, double ms, std::function<void()> start);
  // At `now_s`, the stage of `cores` cores that was due to end first ends.
  void Release(double now_s, int cores);
  // The wait, in ms from `now_s`, of a stage of `cores` cores queued now:
  // the running stages end when due, the waiting ones start in order.
  double WaitMs(double now_s, int cores) const;

  // Stages running or waiting.
  int load() const { return static_cast<int>(running_.size() + waiting_.size()); }
  int busy_cores() const { return busy_; }

 private:
  struct Waiting {
    int cores;
    double ms;
    std::function<void()> start;
  };
  void Dispatch(double now_s);

  int cores_;
  int busy_ = 0;
  std::multimap<double, int> running_;  // when each running stage is due to end -> its cores
  std::deque<Waiting> waiting_;
};

}  // namespace coinfer
