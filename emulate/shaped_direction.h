// ShapedDirection: one direction of an emulated link, as a byte stream crosses
// it, in the simulator's order (sim/net/direct_link.cc): bytes are held for an
// ingress delay (the part of a direction's delay before its queue; zero when
// both directions have the same), join the bottleneck queue, which the
// trace's delivery opportunities drain, each carrying up to one full packet's
// TCP payload (1448 bytes, the segment ns-3 sends in a 1500-byte packet) in
// arrival order across the connections that share the link, and then
// propagate for the delay. A byte that finds the link in an outage leaves
// with the outage's end and arrives one delay later.
//
// Unlike Mahimahi, which shapes packets, this shapes the bytes of TCP
// connections that end at the relay (emulate/link_relay.h): nothing is ever
// dropped. A full queue stops the relay reading (Room() is zero), so the
// sender's own socket buffer holds the excess, as the queue limit's
// backpressure. docs/emulation.md says what that changes.
//
// The delay lines are not limited (a link in flight holds a bandwidth-delay
// product, whatever the queue): what may be read is the queue's limit plus
// what the link carries during the ingress delay, less what is in the ingress
// line or queued. So the queue holds about its limit under a greedy sender.
//
// Times are steady-clock nanoseconds; the trace starts at start_ns. No
// socket here, so the arithmetic is tested on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <vector>

#include "traces/delivery_trace.h"

namespace coinfer {

class ShapedDirection {
 public:
  static constexpr size_t kPayloadPerOpportunity = 1448;
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

  struct Released {
    int stream;
    size_t bytes;
  };

  ShapedDirection(std::shared_ptr<const DeliveryTrace> trace, int64_t delay_ns,
                  uint64_t queue_limit_bytes, int64_t start_ns, int64_t ingress_ns = 0);

  // Bytes this direction takes at now_ns (see above).
  uint64_t Room(int64_t now_ns) const;
  // `bytes` of `stream` read at now_ns (not before an earlier Enter).
  void Enter(int64_t now_ns, int stream, size_t bytes);
  // Appends what has crossed by now_ns (carried by an opportunity one delay
  // ago or more), in order.
  void Advance(int64_t now_ns, std::vector<Released>* out);
  // When Advance next has something to do (kNever when nothing is in).
  int64_t NextChangeNs() const;

 private:
  struct Chunk {
    int64_t at_ns;  // when it leaves its delay line
    int stream;
    size_t bytes;
  };
  int64_t OpportunityAt(uint64_t index) const;
  void JoinQueue();
  void Carry(int64_t opportunity_ns);

  std::shared_ptr<const DeliveryTrace> trace_;
  int64_t delay_ns_;
  uint64_t limit_bytes_;
  int64_t start_ns_;
  int64_t ingress_ns_;
  std::deque<Chunk> ingress_;      // not yet in the queue
  std::deque<Chunk> queued_;       // waiting for an opportunity
  std::deque<Chunk> propagating_;  // carried, not yet across
  uint64_t ingress_bytes_ = 0;
  uint64_t queued_bytes_ = 0;
  uint64_t next_opportunity_ = 0;  // index into the looped trace
};

}  // namespace coinfer
