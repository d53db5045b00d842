#include "traces/rate_schedule.h"

#include <cmath>

namespace coinfer {

double RateSchedule::MeanMbps() const {
  double bits = 0;
  for (size_t i = 0; i < rate_mbps.size(); ++i) {
    const double end = i + 1 < start_s.size() ? start_s[i + 1] : period_s;
    bits += rate_mbps[i] * (end - start_s[i]);
  }
  return period_s > 0 ? bits / period_s : 0;
}

DeliveryTrace ToDeliveryTrace(const RateSchedule& schedule, const std::string& source) {
  DeliveryTrace trace;
  trace.source = source;
  const uint32_t period_ms = static_cast<uint32_t>(std::llround(schedule.period_s * 1e3));
  constexpr double kBitsPerOpportunity = DeliveryTrace::kBytesPerOpportunity * 8.0;
  double budget = 0;
  size_t segment = 0;
  for (uint32_t ms = 0; ms < period_ms; ++ms) {
    const double t = ms / 1e3;
    while (segment + 1 < schedule.start_s.size() && schedule.start_s[segment + 1] <= t) ++segment;
    budget += schedule.rate_mbps[segment] * 1e3;  // Mbit/s over one ms, in bits
    for (; budget >= kBitsPerOpportunity; budget -= kBitsPerOpportunity)
      trace.opportunities.push_back(ms);
  }
  trace.period_ms = period_ms;
  return trace;
}

}  // namespace coinfer
