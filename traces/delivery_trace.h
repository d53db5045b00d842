// A link's capacity over time, as Mahimahi describes it: the instants at which
// one 1500-byte packet may cross the link. Replayed in a loop of length
// period_ms (the last timestamp), as Mahimahi does. Format: docs/formats.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace coinfer {

struct DeliveryTrace {
  static constexpr int kBytesPerOpportunity = 1500;

  std::string source;                   // file it was read from (for messages)
  std::vector<uint32_t> opportunities;  // ms since start, non-decreasing
  uint32_t period_ms = 0;               // loop length: the last timestamp

  // Capacity in Mbit/s over the whole period.
  double MeanMbps() const;
  // Time of opportunity `index` of the looped trace (index / size loops
  // later than index % size), in ns.
  int64_t OpportunityNs(uint64_t index) const;
  // The first opportunity at or after t_ns whose index is at least `from`.
  uint64_t FirstOpportunityAtOrAfter(int64_t t_ns, uint64_t from) const;
};

// Reads a Mahimahi trace. On failure returns InvalidInput naming file:line and
// the problem (empty file, non-numeric field, decreasing timestamp, zero period)
// and leaves *out untouched.
Status ReadMahimahiTrace(const std::string& path, DeliveryTrace* out);

// Throughput per 1-second bin, in Mbit/s, over one period (the last partial
// second counts as a bin of its own, as mm-throughput-graph draws it).
std::vector<double> ThroughputPerSecondMbps(const DeliveryTrace& trace);

struct TraceStats {
  double duration_s = 0;
  double mean_mbps = 0;
  double p10_mbps = 0;
  double median_mbps = 0;
  double p90_mbps = 0;
};

// Duration, mean over the period, and percentiles of the whole-second
// throughput bins (a last partial second is left out), each percentile being
// a bin's value: the one at rank ceil(q·(n−1)) of the sorted bins.
TraceStats ComputeTraceStats(const DeliveryTrace& trace);

}  // namespace coinfer
