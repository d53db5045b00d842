// Trace files in each format (and detected): either an input error or a
// trace the network can replay (opportunities in order, inside a period of
// at least 1 ms), whose statistics compute.
#include "fuzz/fuzz_file.h"
#include "traces/trace_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coinfer;
  const std::string path = WriteFuzzFile("trace", data, size);
  for (TraceFormat format :
       {TraceFormat::kAuto, TraceFormat::kMahimahi, TraceFormat::kCooked, TraceFormat::kCsv}) {
    TraceRequest r;
    r.spec = path;
    r.format = format;
    r.uplink = size % 2 == 0;
    DeliveryTrace t;
    if (!LoadTrace(r, &t).ok()) continue;
    FuzzCheck(!t.opportunities.empty() && t.period_ms > 0);
    for (size_t i = 1; i < t.opportunities.size(); ++i)
      FuzzCheck(t.opportunities[i - 1] <= t.opportunities[i]);
    FuzzCheck(t.opportunities.back() <= t.period_ms);
    FuzzCheck(ComputeTraceStats(t).mean_mbps > 0);
  }
  return 0;
}
