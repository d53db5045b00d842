#include "sim/site_queue.h"

#include <algorithm>
#include <stdexcept>

namespace coinfer {

void SiteQueue::Acquire(double now_s, int cores, double ms, std::function<void()> start) {
  if (cores < 1 || cores > cores_)
    throw std::invalid_argument("stage asks for more cores than the site has");
  waiting_.push_back({cores, ms, std::move(start)});
  Dispatch(now_s);
}

void SiteQueue::Release(double now_s, int cores) {
  auto it = running_.begin();
  while (it != running_.end() && it->second != cores) ++it;
  if (it == running_.end()) throw std::logic_error("SiteQueue: no running stage of that size");
  running_.erase(it);
  busy_ -= cores;
  Dispatch(now_s);
}

void SiteQueue::Dispatch(double now_s) {
  while (!waiting_.empty() && busy_ + waiting_.front().cores <= cores_) {
    Waiting w = std::move(waiting_.front());
    waiting_.pop_front();
    busy_ += w.cores;
    running_.emplace(now_s + w.ms / 1e3, w.cores);
    w.start();
  }
}

double SiteQueue::WaitMs(double now_s, int cores) const {
  if (cores < 1 || cores > cores_)
    throw std::invalid_argument("stage asks for more cores than the site has");
  std::multimap<double, int> ends = running_;
  int free = cores_ - busy_;
  double t = now_s;
  // Frees cores in order of their ends until `need` are free; the time then.
  auto free_up_to = [&](int need) {
    while (free < need) {
      t = std::max(t, ends.begin()->first);
      free += ends.begin()->second;
      ends.erase(ends.begin());
    }
  };
  for (const Waiting& w : waiting_) {
    free_up_to(w.cores);
    free -= w.cores;
    ends.emplace(t + w.ms / 1e3, w.cores);
  }
  free_up_to(cores);
  return (t - now_s) * 1e3;
}

}  // namespace coinfer
