// BandwidthEstimator: a policy's view of a link, from completed transfers
// only. Each completed transfer gives one throughput sample (payload bytes /
// time from handing it to TCP to its last byte arriving). Kinds, as used by
// adaptive-streaming controllers:
//   last      the newest sample;
//   ewma      exponentially weighted moving average, weight alpha on the newest;
//   harmonic  harmonic mean of the last `window` samples (robust to outliers).
// Before the first sample the estimate is the scenario's prior. The kind
// delivery is the sender's own TCP view instead (sim/net/sender_monitor.h),
// which the engine reads from the network; this class does not take it.
#pragma once

#include <deque>
#include <string>

#include "sim/net/delivery_estimator.h"

namespace coinfer {

struct EstimatorConfig {
  enum class Kind { kLast, kEwma, kHarmonic, kDelivery };
  Kind kind = Kind::kDelivery;
  double prior_mbps = 5;
  double alpha = 0.3;     // ewma
  int window = 5;         // harmonic
  DeliveryFilter filter;  // delivery
};

// "delivery", "last", "ewma" or "harmonic".
bool ParseEstimatorKind(const std::string& name, EstimatorConfig::Kind* kind);

class BandwidthEstimator {
 public:
  explicit BandwidthEstimator(const EstimatorConfig& config);

  void OnTransferComplete(double bytes, double seconds);
  double EstimateMbps() const { return estimate_mbps_; }
  int samples() const { return samples_; }

 private:
  EstimatorConfig config_;
  double estimate_mbps_;
  std::deque<double> window_;  // harmonic: the last samples
  int samples_ = 0;
};

}  // namespace coinfer
