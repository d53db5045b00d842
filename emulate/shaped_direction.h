// ShapedDirection: one direction of an emulated link, as a byte stream crosses
// it. The order is Mahimahi's (mm-delay outside mm-link): bytes are held for
// the propagation delay, then join the bottleneck queue, which the trace's
// delivery opportunities drain, each carrying up to one full packet's TCP
// payload (1448 bytes, the segment ns-3 sends in a 1500-byte packet), in
// arrival order across the connections that share the link.
//
// Unlike Mahimahi, which shapes packets, this shapes the bytes of TCP
// connections that end at the relay (emulate/link_relay.h): nothing is ever
// dropped. A full queue stops the relay reading (Room() is zero), so the
// sender's own socket buffer holds the excess, as the queue limit's
// backpressure. docs/emulation.md says what that changes.
//
// The delay line itself is not limited (a link in flight holds a
// bandwidth-delay product, whatever the queue): what may be read is the
// queue's limit plus what the link carries during one delay, less what is
// delayed or queued. So the queue holds about its limit under a greedy
// sender, and at most one delay's worth more when it was idle.
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
                  uint64_t queue_limit_bytes, int64_t start_ns);

  // Bytes this direction takes at now_ns (see above).
  uint64_t Room(int64_t now_ns) const;
  // `bytes` of `stream` read at now_ns (not before an earlier Enter).
  void Enter(int64_t now_ns, int stream, size_t bytes);
  // Appends what the opportunities up to now_ns carry, in order.
  void Advance(int64_t now_ns, std::vector<Released>* out);
  // When Advance next has something to do (kNever when nothing is in).
  int64_t NextChangeNs() const;

 private:
  struct Chunk {
    int64_t at_ns;  // when it leaves the delay line
    int stream;
    size_t bytes;
  };
  int64_t OpportunityAt(uint64_t index) const;
  void JoinQueue();

  std::shared_ptr<const DeliveryTrace> trace_;
  int64_t delay_ns_;
  uint64_t limit_bytes_;
  int64_t start_ns_;
  std::deque<Chunk> delayed_;
  std::deque<Chunk> queued_;
  uint64_t delayed_bytes_ = 0;
  uint64_t queued_bytes_ = 0;
  uint64_t next_opportunity_ = 0;  // index into the looped trace
};

}  // namespace coinfer
