// coinfer trace stats: statistics of a Mahimahi trace over 1-second bins.
#include <cstdio>
#include <iostream>

#include "app/commands.h"
#include "traces/delivery_trace.h"

namespace coinfer {

int TraceCommand(const std::vector<std::string>& args) {
  if (args.size() < 2 || args[0] != "stats") {
    std::cerr << "usage: coinfer trace stats FILE...\n";
    return 2;
  }
  std::printf("%-40s %10s %9s %7s %7s %7s\n", "file", "duration_s", "mean_Mbps", "p10", "median",
              "p90");
  for (size_t i = 1; i < args.size(); ++i) {
    DeliveryTrace trace;
    Status st = ReadMahimahiTrace(args[i], &trace);
    if (!st.ok()) return ReportError(st);
    const TraceStats s = ComputeTraceStats(trace);
    std::printf("%-40s %10.0f %9.2f %7.2f %7.2f %7.2f\n", args[i].c_str(), s.duration_s,
                s.mean_mbps, s.p10_mbps, s.median_mbps, s.p90_mbps);
  }
  return 0;
}

}  // namespace coinfer
