#include "sim/transfer_time.h"

namespace coinfer {

double PredictTransferMs(const LinkEstimate& link, double bytes) {
  // A rate alone: the goodput estimators' prediction, computed as it always was.
  if (link.min_rtt_ms <= 0 && link.backlog_bytes <= 0) return bytes * 8.0 / (link.mbps * 1e3);
  const double bytes_per_ms = link.mbps * 1e3 / 8;
  const double rtt_ms = link.min_rtt_ms;
  double left = link.backlog_bytes + bytes;
  double ms = 0;
  double window = link.cwnd_bytes;
  const double bdp = bytes_per_ms * rtt_ms;
  while (window > 0 && window < bdp && left > window) {
    ms += rtt_ms;
    left -= window;
    window *= kSlowStartGrowth;
  }
  return ms + left / bytes_per_ms + rtt_ms / 2;
}

}  // namespace coinfer
