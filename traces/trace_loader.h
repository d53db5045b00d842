// One entry point for a link's capacity trace, whatever its origin: a
// Mahimahi, cooked or CSV file (format given or detected from the content),
// or a generator spec (traces/generators.h). Everything becomes a
// DeliveryTrace, which the network replays exactly.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "traces/delivery_trace.h"

namespace coinfer {

enum class TraceFormat { kAuto, kMahimahi, kCooked, kCsv };

// "auto", "mahimahi", "cooked" or "csv".
bool ParseTraceFormat(const std::string& name, TraceFormat* format);
const char* TraceFormatName(TraceFormat format);

// Detects the format from the first data line: one integer per line is
// Mahimahi, two numbers separated by spaces are cooked, a header with
// 'time_s' is CSV. Anything else is an error that says what was seen and asks
// for an explicit format: detection never guesses.
Status DetectTraceFormat(const std::string& path, TraceFormat* format);

struct TraceRequest {
  std::string spec;  // file path or generator spec
  TraceFormat format = TraceFormat::kAuto;
  bool uplink = true;    // CSV files with up_mbps/down_mbps columns: which one
  double horizon_s = 0;  // generators: how long the schedule runs
  uint64_t seed = 1;     // generators: the walk's seed
  std::string where;     // where the spec was written, for generator errors
};

Status LoadTrace(const TraceRequest& request, DeliveryTrace* out);

}  // namespace coinfer
