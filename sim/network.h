// Network: the simulated network between the sites, built in ns-3 (no ns-3
// types in this header). Two-tier topology: end device <-> cloud over one
// point-to-point access link whose capacity in each direction follows a
// LinkCapacity (a replayed Mahimahi trace, gated packet by packet, or a
// constant rate), with a one-way propagation delay and a drop-tail
// bottleneck queue. Transfers are framed messages over one persistent TCP
// connection per site pair (sim/message_transport.h).
//
// Create it after the ns-3 simulator is set up and before Simulator::Run;
// destroy it before Simulator::Destroy. Single-threaded, like ns-3.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "sim/link_capacity.h"
#include "sim/plan.h"

namespace coinfer {

struct NetworkConfig {
  LinkCapacity uplink;    // end device -> cloud
  LinkCapacity downlink;  // cloud -> end device
  double one_way_delay_ms = 20;
  int queue_packets = 100;         // bottleneck queue limit (drop-tail), each direction
  int tcp_buffer_bytes = 4 << 20;  // socket send and receive buffers
};

class Network {
 public:
  explicit Network(const NetworkConfig& config);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Sends `bytes` of payload from one site to the other; `delivered` runs in
  // simulated time when the last byte has arrived.
  void Send(Site from, Site to, uint64_t bytes, std::function<void()> delivered);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coinfer
