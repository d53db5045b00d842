// DropTailSchedule: when each packet leaves a drop-tail FIFO drained by a
// delivery trace, computed as it joins instead of simulated. A FIFO that
// drops only on arrival decides everything about a packet when it arrives:
// whether it fits (the packets still queued then), and when it leaves (after
// those before it). So a direct link (sim/net/direct_link.h) needs no event
// per opportunity, only the packet's arrival at the far end.
//
// The drain is Mahimahi's, as TraceGatedQueueDisc replays it: each delivery
// opportunity carries up to 1500 bytes from the head of the queue, a larger
// packet waits for several, and bytes an opportunity cannot use are lost.
// The packet leaves at the opportunity that carries its last byte; one that
// arrives at the instant another leaves finds it gone. The limit is ns-3's
// FifoQueueDisc's: packets or bytes, the arriving packet included.
//
// Times are integer nanoseconds, as ns-3 keeps them. No ns-3 type here.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>

#include "traces/delivery_trace.h"

namespace coinfer {

class DropTailSchedule {
 public:
  struct Limit {
    uint64_t value = 100;
    bool bytes = false;  // false: packets
  };
  static constexpr int64_t kDropped = -1;

  // Drained by `trace`, looped.
  DropTailSchedule(std::shared_ptr<const DeliveryTrace> trace, Limit limit);

  // A packet of `bytes` arrives at the queue at arrive_ns (not before any
  // earlier arrival): its departure time, or kDropped.
  int64_t Admit(int64_t arrive_ns, uint32_t bytes);

 private:
  struct Queued {
    int64_t depart_ns;
    uint32_t bytes;
  };
  bool Fits(uint32_t bytes) const;
  int64_t Departure(int64_t arrive_ns, uint32_t bytes);

  std::shared_ptr<const DeliveryTrace> trace_;
  Limit limit_;
  std::deque<Queued> queued_;  // arrived and not yet left, in order
  uint64_t queued_bytes_ = 0;
  // The opportunity that carried the last byte so far, and the bytes it still had.
  uint64_t last_index_ = 0;
  uint32_t last_left_ = 0;
  bool used_any_ = false;
};

}  // namespace coinfer
