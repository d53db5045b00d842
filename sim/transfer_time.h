// A policy's prediction of one transfer: the time from handing a message to
// the connection to its last byte arriving, from what the sender knows of the
// link (LinkEstimate). With only a rate (estimator kinds last, ewma,
// harmonic) it is bytes / rate. With the sender's own TCP view (delivery) it
// is the model of docs/estimators.md:
//   the bytes already queued on the connection go first;
//   while the congestion window is below the path's bandwidth-delay product
//   and the rest does not fit in it, each round trip sends one window and
//   the window grows by half (ns-3's slow start: a segment per ACK, an ACK
//   per two segments);
//   the rest crosses the bottleneck at the rate, and the last byte arrives
//   half a round trip after it leaves.
#pragma once

#include <cstdint>

#include "sim/net/site.h"

namespace coinfer {

// A policy's estimate of one directed link between two sites.
struct LinkEstimate {
  SiteId from = kNoSite, to = kNoSite;
  double mbps = 0;
  // From the sender's own TCP (estimator.kind = delivery); 0 otherwise.
  double min_rtt_ms = 0;
  double cwnd_bytes = 0;
  double backlog_bytes = 0;  // handed to the connection, not yet acknowledged
};

// Slow start's window growth per round trip in ns-3 with delayed ACKs.
inline constexpr double kSlowStartGrowth = 1.5;

double PredictTransferMs(const LinkEstimate& link, double bytes);

}  // namespace coinfer
