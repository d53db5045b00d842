#include "sim/net/link_capacity.h"

#include <algorithm>
#include <cmath>

namespace coinfer {
namespace {

// Delivery opportunities at times < t_ms (t_ms may exceed one period).
double OpportunitiesBefore(const DeliveryTrace& trace, double t_ms) {
  const double cycles = std::floor(t_ms / trace.period_ms);
  const double rest = t_ms - cycles * trace.period_ms;
  const auto& op = trace.opportunities;
  const auto in_rest = std::lower_bound(op.begin(), op.end(), rest) - op.begin();
  return cycles * static_cast<double>(op.size()) + static_cast<double>(in_rest);
}

}  // namespace

double LinkCapacity::MeanMbpsBetween(double t0_s, double t1_s) const {
  if (!traced() || t1_s <= t0_s) return traced() ? trace->MeanMbps() : constant_mbps;
  const double n =
      OpportunitiesBefore(*trace, t1_s * 1e3) - OpportunitiesBefore(*trace, t0_s * 1e3);
  return n * DeliveryTrace::kBytesPerOpportunity * 8.0 / ((t1_s - t0_s) * 1e6);
}

}  // namespace coinfer
