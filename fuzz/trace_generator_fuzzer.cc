// Generator specs (constant:, step:, walk:) as a scenario's trace key holds
// them: an input error naming where, or a replayable trace.
#include "fuzz/fuzz_file.h"
#include "traces/generators.h"
#include "traces/trace_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coinfer;
  const std::string spec(reinterpret_cast<const char*>(data), size);
  if (!IsGeneratorSpec(spec)) return 0;
  TraceRequest r;
  r.spec = spec;
  r.horizon_s = 120;
  r.seed = size;
  r.where = "fuzz.ini:1";
  DeliveryTrace t;
  const Status st = LoadTrace(r, &t);
  if (!st.ok()) {
    FuzzCheck(st.message().rfind("fuzz.ini:1: ", 0) == 0);
    return 0;
  }
  FuzzCheck(!t.opportunities.empty() && t.period_ms == 120000);
  FuzzCheck(t.opportunities.back() < t.period_ms);
  return 0;
}
