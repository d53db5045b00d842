// BandwidthEstimator: a policy's view of a link, from completed transfers
// only. An exponentially weighted moving average of per-transfer throughput
// (bytes / time from first byte sent to last byte received), starting from a
// prior the scenario gives.
#pragma once

namespace coinfer {

class BandwidthEstimator {
 public:
  // alpha in (0, 1]: the weight of the newest sample.
  BandwidthEstimator(double prior_mbps, double alpha) : estimate_mbps_(prior_mbps), alpha_(alpha) {}

  void OnTransferComplete(double bytes, double seconds) {
    if (seconds <= 0) return;
    const double sample = bytes * 8.0 / seconds / 1e6;
    estimate_mbps_ = samples_ == 0 ? sample : alpha_ * sample + (1 - alpha_) * estimate_mbps_;
    ++samples_;
  }
  double EstimateMbps() const { return estimate_mbps_; }
  int samples() const { return samples_; }

 private:
  double estimate_mbps_;
  double alpha_;
  int samples_ = 0;
};

}  // namespace coinfer
