// LinkRelay: an emulated link between two processes on this machine, in user
// space (no privilege needed). It listens on 127.0.0.1; each connection it
// accepts is relayed to 127.0.0.1:target_port, the bytes from the connecting
// side crossing `forward` and the replies crossing `backward`
// (emulate/shaped_direction.h), so every connection through one relay shares
// the link's capacity in each direction, as flows share a bottleneck.
//
// Run() serves from the calling thread (one poll loop, waking at each delivery
// opportunity that has bytes to carry) until Stop(), from any thread.
#pragma once

#include <cstdint>
#include <memory>

#include "base/status.h"
#include "emulate/steady_now.h"
#include "traces/delivery_trace.h"

namespace coinfer {

// A direction's trace, its delay after the queue and its queue's limit, and
// the part of its delay before the queue (ShapedDirection).
struct RelayDirection {
  std::shared_ptr<const DeliveryTrace> trace;
  int64_t delay_ns = 0;
  uint64_t queue_limit_bytes = 100 * 1448;
  int64_t ingress_ns = 0;
};

struct RelayConfig {
  RelayDirection forward;   // connecting side -> target
  RelayDirection backward;  // target -> connecting side
  uint16_t target_port = 0;
  int64_t start_ns = 0;  // SteadyNowNs() instant at which both traces start
};

class LinkRelay {
 public:
  // Binds 127.0.0.1 on a free port (port()).
  static Status Open(const RelayConfig& config, std::unique_ptr<LinkRelay>* out);
  ~LinkRelay();
  LinkRelay(const LinkRelay&) = delete;
  LinkRelay& operator=(const LinkRelay&) = delete;

  uint16_t port() const;
  // Moves the traces' start (RelayConfig::start_ns) before Run(): the
  // relay's port can be handed out before the instant is chosen.
  void SetStart(int64_t start_ns);
  // Serves until Stop(); then closes every connection. An error of the relay
  // itself (not of one connection, which is closed and logged) ends it.
  Status Run();
  void Stop();

 private:
  struct Impl;
  explicit LinkRelay(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace coinfer
