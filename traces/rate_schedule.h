// RateSchedule: capacity as a piecewise-constant rate over time, the shape of
// "cooked" and CSV traces and of the generators. The network replays it as a
// DeliveryTrace (ToDeliveryTrace), with Mahimahi's 1-ms granularity.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "traces/delivery_trace.h"

namespace coinfer {

struct RateSchedule {
  // rate_mbps[i] holds from start_s[i] until start_s[i + 1] (the last one until
  // period_s); start_s[0] == 0 and start_s is increasing. Replayed in a loop.
  std::vector<double> start_s;
  std::vector<double> rate_mbps;
  double period_s = 0;

  double MeanMbps() const;
};

// What a replayed trace may hold: a period from 1 ms to 7 days, and at most
// 2^27 opportunities per period (1 Gbit/s for 26 minutes; 512 MiB).
constexpr double kMaxTracePeriodS = 7 * 24 * 3600.0;
constexpr double kMaxTraceOpportunities = double(1 << 27);

// Delivery opportunities that carry the schedule's bits: in each millisecond
// the rate adds bits to a budget, and every 1500 bytes of budget is one
// opportunity at that millisecond. The period is the schedule's, rounded to ms.
// An error, naming `where` (a file, or file:line of a generator spec), when
// the period or the packets are out of the bounds above or when the schedule
// carries less than one packet.
Status ToDeliveryTrace(const RateSchedule& schedule, const std::string& source,
                       const std::string& where, DeliveryTrace* out);

}  // namespace coinfer
