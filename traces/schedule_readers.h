// Readers of rate traces: "cooked" two-column traces (time in seconds,
// throughput in Mbit/s, whitespace-separated: the format of Pensieve's FCC,
// Norway HSDPA and Belgium 4G sets) and CSV with a header (time_s,mbps or
// time_s,up_mbps,down_mbps). Each sample's rate holds until the next sample;
// the last one for the median interval between samples, so a trace of n
// samples spaced d apart lasts n·d. On failure: InvalidInput naming file:line
// and the field (non-numeric, decreasing time, negative rate, empty file).
#pragma once

#include <string>

#include "base/status.h"
#include "traces/rate_schedule.h"

namespace coinfer {

Status ReadCookedTrace(const std::string& path, RateSchedule* out);

// Reads the 'mbps' column when there is one, else 'up_mbps' or 'down_mbps'
// as `uplink` says.
Status ReadCsvTrace(const std::string& path, bool uplink, RateSchedule* out);

}  // namespace coinfer
