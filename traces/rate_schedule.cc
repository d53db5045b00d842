#include "traces/rate_schedule.h"

#include <algorithm>
#include <cmath>

namespace coinfer {

double RateSchedule::MeanMbps() const {
  double bits = 0;
  // Only what falls inside the period counts (a step may start after it).
  for (size_t i = 0; i < rate_mbps.size(); ++i) {
    const double begin = std::min(start_s[i], period_s);
    const double end = std::min(i + 1 < start_s.size() ? start_s[i + 1] : period_s, period_s);
    bits += rate_mbps[i] * (end - begin);
  }
  return period_s > 0 ? bits / period_s : 0;
}

Status ToDeliveryTrace(const RateSchedule& schedule, const std::string& source,
                       const std::string& where, DeliveryTrace* out) {
  constexpr double kBitsPerOpportunity = DeliveryTrace::kBytesPerOpportunity * 8.0;
  auto bad = [&](const std::string& reason) {
    return Status::InvalidInput(where, "trace", "'" + source + "': " + reason);
  };
  if (!(schedule.period_s >= 1e-3 && schedule.period_s <= kMaxTracePeriodS))
    return bad("its period (" + std::to_string(schedule.period_s) +
               " s) must be from 1 ms to 7 days");
  const double packets = schedule.MeanMbps() * 1e6 * schedule.period_s / kBitsPerOpportunity;
  if (!(packets <= kMaxTraceOpportunities))
    return bad("it carries " + std::to_string(packets) +
               " packets per period, more than 2^27 (1 Gbit/s for 26 minutes)");
  if (packets < 1)
    return bad("it carries less than one 1500-byte packet in its period (" +
               std::to_string(schedule.MeanMbps()) + " Mbit/s for " +
               std::to_string(schedule.period_s) + " s)");
  DeliveryTrace trace;
  trace.source = source;
  const uint32_t period_ms = static_cast<uint32_t>(std::llround(schedule.period_s * 1e3));
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
  // Rounding to whole milliseconds can still leave a budget below one packet.
  if (trace.opportunities.empty())
    return bad("it carries less than one 1500-byte packet in its period");
  *out = std::move(trace);
  return Status::Ok();
}

}  // namespace coinfer
