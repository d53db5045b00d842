// LinkCapacity: the capacity of one direction of a link — a constant rate or
// a Mahimahi delivery trace replayed in a loop. The network replays it; the
// engine also asks it for the true capacity over a transfer, so results can
// show how far a policy's estimate was from the truth.
#pragma once

#include <memory>

#include "traces/delivery_trace.h"

namespace coinfer {

struct LinkCapacity {
  std::shared_ptr<const DeliveryTrace> trace;  // null: constant rate
  double constant_mbps = 0;

  bool traced() const { return trace != nullptr; }
  // Mean capacity over [t0_s, t1_s] in Mbit/s.
  double MeanMbpsBetween(double t0_s, double t1_s) const;
};

}  // namespace coinfer
