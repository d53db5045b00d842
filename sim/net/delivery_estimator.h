// DeliveryEstimator: what a TCP sender knows of its path, from its own
// delivery-rate samples (sim/net/delivery_rate_sampler.h), kept as BBR keeps
// them: the bottleneck rate is the maximum sample over the last
// `rate_rounds` round trips that carried data (app-limited samples count only
// when they raise it), the propagation round trip the minimum RTT sample over
// the last `min_rtt_window_s` seconds of samples. A sample measured over less than the
// minimum RTT is dropped, as Linux drops it: ACK compression inflates it.
// DeliveryEstimate is the figure a deployed sender reads (Linux's TCP_INFO:
// delivery rate, min RTT, congestion window, unacknowledged bytes).
#pragma once

#include <cstdint>
#include <deque>

#include "sim/net/delivery_rate_sampler.h"

namespace coinfer {

// The filters' windows. BBR keeps the rate of 10 round trips, as its own
// probing cycle needs; a prediction follows a link that changes sooner with
// 3 (docs/estimators.md: step_drop.ini's Neurosurgeon sends 1 request into
// the slow link instead of 3, default.ini's prediction error is 13 % instead
// of 24 %). The minimum RTT is kept 300 s, as Linux keeps it
// (tcp_min_rtt_wlen), from the handshake's round trip on: a sender that
// sends little may otherwise hold only samples taken while the link stalled
// (BBR's 10 s window relies on its own ProbeRTT to refresh it).
struct DeliveryFilter {
  int rate_rounds = 3;
  double min_rtt_window_s = 300;
};

struct DeliveryEstimate {
  double path_mbps = 0;         // windowed max of samples that measured the path; 0: none yet
  double app_limited_mbps = 0;  // the largest app-limited sample in the window
  double min_rtt_s = 0;         // 0: no sample yet
  uint32_t cwnd_bytes = 0;      // the congestion window now
  uint64_t backlog_bytes = 0;   // handed to the connection, not yet acknowledged
};

class DeliveryEstimator {
 public:
  explicit DeliveryEstimator(const DeliveryFilter& filter);

  void OnSample(const DeliveryRateSampler::Sample& sample, double now_s);
  // A round trip measured otherwise (the connection's handshake).
  void OnRtt(double rtt_s, double now_s);
  double PathMbps() const;
  double AppLimitedMbps() const;
  double MinRttS() const;
  int samples() const { return samples_; }

 private:
  // A running-maximum queue over rounds: decreasing mbps, oldest first.
  struct RateSample {
    int64_t round;
    double mbps;
  };
  static void Push(std::deque<RateSample>& q, RateSample s);
  struct RttSample {
    double at_s, rtt_s;
  };

  DeliveryFilter filter_;
  int64_t round_ = 0;
  std::deque<RateSample> path_, app_limited_;
  std::deque<RttSample> rtts_;  // increasing rtt_s: a running-minimum queue
  int samples_ = 0;
};

}  // namespace coinfer
