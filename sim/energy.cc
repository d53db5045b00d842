#include "sim/energy.h"

#include <algorithm>

namespace coinfer {

double EndDeviceEnergyJ(const RequestRecord& r, const DevicePower& power) {
  if (!power.known() || !r.completed) return -1;
  double joules = 0, busy_s = 0;
  for (const StageRecord& s : r.stages) {
    if (s.stage.site != Site::kEndDevice || s.end_s < 0) continue;
    const double seconds = s.end_s - s.start_s;
    if (s.stage.kind == Stage::Kind::kCompute) {
      joules += power.compute_w * seconds;
    } else {
      const double mbps = seconds > 0 ? s.stage.bytes * 8.0 / seconds / 1e6 : 0;
      joules += (power.transmit_w + power.transmit_w_per_mbps * mbps) * seconds;
    }
    busy_s += seconds;
  }
  return joules + power.idle_w * std::max(0.0, r.actual_ms / 1e3 - busy_s);
}

}  // namespace coinfer
