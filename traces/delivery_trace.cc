#include "traces/delivery_trace.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <numeric>

#include "base/line_reader.h"
#include "base/percentile.h"

namespace coinfer {

double DeliveryTrace::MeanMbps() const {
  if (period_ms == 0) return 0.0;
  return opportunities.size() * kBytesPerOpportunity * 8.0 / (period_ms * 1e3);
}

int64_t DeliveryTrace::OpportunityNs(uint64_t index) const {
  const uint64_t n = opportunities.size();
  const uint64_t cycle = index / n;
  return (static_cast<int64_t>(cycle) * period_ms + opportunities[index % n]) * 1000000LL;
}

uint64_t DeliveryTrace::FirstOpportunityAtOrAfter(int64_t t_ns, uint64_t from) const {
  if (OpportunityNs(from) >= t_ns) return from;
  // Jump to t's loop, then binary-search inside it.
  const uint64_t n = opportunities.size();
  const int64_t period_ns = period_ms * 1000000LL;
  uint64_t cycle = static_cast<uint64_t>(t_ns / period_ns);
  int64_t rest_ms = (t_ns - static_cast<int64_t>(cycle) * period_ns + 999999) / 1000000;
  if (rest_ms == 0 && cycle > 0) {
    // A loop's last opportunity is at its end (period_ms): on the boundary
    // itself, it is the one due.
    --cycle;
    rest_ms = period_ms;
  }
  const uint64_t offset =
      std::lower_bound(opportunities.begin(), opportunities.end(), rest_ms) - opportunities.begin();
  return std::max(from, cycle * n + offset);
}

Status ReadMahimahiTrace(const std::string& path, DeliveryTrace* out) {
  LineReader in(path);
  if (!in.is_open()) return Status::InvalidInput(path, "", "cannot open trace file");
  DeliveryTrace trace;
  trace.source = path;
  std::string line;
  while (in.Next(&line)) {
    const std::string where = in.Where();
    if (line.empty()) continue;
    errno = 0;
    char* end = nullptr;
    const long long ms = std::strtoll(line.c_str(), &end, 10);
    if (end == line.c_str() || *end != '\0' || errno == ERANGE || line[0] == '-' ||
        ms > UINT32_MAX) {
      return Status::InvalidInput(
          where, "timestamp",
          "expected a non-negative integer of milliseconds, got '" + line + "'");
    }
    if (!trace.opportunities.empty() && ms < trace.opportunities.back()) {
      return Status::InvalidInput(where, "timestamp",
                                  "decreasing timestamp " + std::to_string(ms) + " after " +
                                      std::to_string(trace.opportunities.back()));
    }
    trace.opportunities.push_back(static_cast<uint32_t>(ms));
  }
  if (trace.opportunities.empty()) {
    return Status::InvalidInput(in.Where(), "", "empty trace: no delivery opportunity");
  }
  trace.period_ms = trace.opportunities.back();
  if (trace.period_ms == 0) {
    return Status::InvalidInput(in.Where(), "timestamp",
                                "the last timestamp must be > 0 (it is the loop period)");
  }
  *out = std::move(trace);
  return Status::Ok();
}

std::vector<double> ThroughputPerSecondMbps(const DeliveryTrace& trace) {
  const size_t bins = (uint64_t{trace.period_ms} + 999) / 1000;  // no wrap at UINT32_MAX
  std::vector<double> mbps(bins, 0.0);
  for (uint32_t ms : trace.opportunities) {
    const size_t bin = std::min<size_t>(ms / 1000, bins - 1);
    mbps[bin] += DeliveryTrace::kBytesPerOpportunity * 8.0 / 1e6;
  }
  return mbps;
}

TraceStats ComputeTraceStats(const DeliveryTrace& trace) {
  std::vector<double> bins = ThroughputPerSecondMbps(trace);
  if (trace.period_ms % 1000 != 0 && bins.size() > 1) bins.pop_back();  // a partial second
  TraceStats stats;
  stats.duration_s = trace.period_ms / 1000.0;
  stats.mean_mbps = trace.MeanMbps();
  stats.p10_mbps = PercentileHigher(bins, 0.10);
  stats.median_mbps = PercentileHigher(bins, 0.50);
  stats.p90_mbps = PercentileHigher(bins, 0.90);
  return stats;
}

}  // namespace coinfer
