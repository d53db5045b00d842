#include "sim/net/delivery_estimator.h"

#include <algorithm>

namespace coinfer {

DeliveryEstimator::DeliveryEstimator(const DeliveryFilter& filter) : filter_(filter) {}

void DeliveryEstimator::OnSample(const DeliveryRateSampler::Sample& sample, double now_s) {
  if (sample.rtt_s > 0) OnRtt(sample.rtt_s, now_s);
  if (sample.round_start) ++round_;
  if (sample.interval_s < MinRttS()) return;
  for (std::deque<RateSample>* q : {&path_, &app_limited_})
    while (!q->empty() && q->front().round <= round_ - filter_.rate_rounds) q->pop_front();
  const double mbps = sample.bytes_per_s * 8 / 1e6;
  if (!sample.app_limited) {
    Push(path_, {round_, mbps});
  } else if (mbps >= PathMbps()) {
    Push(app_limited_, {round_, mbps});
  }
  ++samples_;
}

void DeliveryEstimator::Push(std::deque<RateSample>& q, RateSample s) {
  while (!q.empty() && q.back().mbps <= s.mbps) q.pop_back();
  q.push_back(s);
}

void DeliveryEstimator::OnRtt(double rtt_s, double now_s) {
  while (!rtts_.empty() && rtts_.back().rtt_s >= rtt_s) rtts_.pop_back();
  rtts_.push_back({now_s, rtt_s});
  // The newest sample stays: after a long idle it is the best there is.
  while (rtts_.size() > 1 && rtts_.front().at_s < now_s - filter_.min_rtt_window_s)
    rtts_.pop_front();
}

double DeliveryEstimator::PathMbps() const { return path_.empty() ? 0 : path_.front().mbps; }

double DeliveryEstimator::AppLimitedMbps() const {
  return app_limited_.empty() ? 0 : app_limited_.front().mbps;
}

double DeliveryEstimator::MinRttS() const { return rtts_.empty() ? 0 : rtts_.front().rtt_s; }

}  // namespace coinfer
