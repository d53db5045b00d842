#include "sim/bandwidth_estimator.h"

#include <stdexcept>

namespace coinfer {

bool ParseEstimatorKind(const std::string& name, EstimatorConfig::Kind* kind) {
  if (name == "last") {
    *kind = EstimatorConfig::Kind::kLast;
  } else if (name == "ewma") {
    *kind = EstimatorConfig::Kind::kEwma;
  } else if (name == "harmonic") {
    *kind = EstimatorConfig::Kind::kHarmonic;
  } else if (name == "delivery") {
    *kind = EstimatorConfig::Kind::kDelivery;
  } else {
    return false;
  }
  return true;
}

BandwidthEstimator::BandwidthEstimator(const EstimatorConfig& config)
    : config_(config), estimate_mbps_(config.prior_mbps) {}

void BandwidthEstimator::OnTransferComplete(double bytes, double seconds) {
  if (seconds <= 0 || bytes <= 0) return;
  const double sample = bytes * 8.0 / seconds / 1e6;
  ++samples_;
  switch (config_.kind) {
    case EstimatorConfig::Kind::kLast:
      estimate_mbps_ = sample;
      break;
    case EstimatorConfig::Kind::kEwma:
      estimate_mbps_ =
          samples_ == 1 ? sample : config_.alpha * sample + (1 - config_.alpha) * estimate_mbps_;
      break;
    case EstimatorConfig::Kind::kDelivery:
      throw std::logic_error("the delivery estimate is the sender's TCP's, not transfers'");
    case EstimatorConfig::Kind::kHarmonic: {
      window_.push_back(sample);
      if (static_cast<int>(window_.size()) > config_.window) window_.pop_front();
      double inverse_sum = 0;
      for (double s : window_) inverse_sum += 1.0 / s;
      estimate_mbps_ = window_.size() / inverse_sum;
      break;
    }
  }
}

}  // namespace coinfer
