// Network: the simulated network between the sites, built in ns-3 (no ns-3
// types in this header). Two-tier topology: end device <-> cloud over one
// point-to-point access link whose capacity in each direction follows a
// LinkCapacity (a replayed trace, gated packet by packet or binned, or a
// constant rate), with a one-way propagation delay, a bottleneck queue
// (drop-tail, CoDel or FqCoDel), random loss and optional cross traffic.
// Transfers are framed messages over one persistent TCP connection per site
// pair (sim/message_transport.h).
//
// Create it after the ns-3 simulator is set up and before Simulator::Run;
// destroy it before Simulator::Destroy. Single-threaded, like ns-3.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/link_capacity.h"
#include "sim/plan.h"

namespace coinfer {

// Competing traffic on the access link: a bulk TCP flow (BulkSend: as fast as
// TCP can) or a constant-rate UDP flow (OnOff, always on), between two times.
struct CrossTraffic {
  enum class Kind { kBulk, kConstant };
  Kind kind = Kind::kBulk;
  bool uplink = true;
  double rate_mbps = 0;  // kConstant only
  double start_s = 0;
  double stop_s = 0;
};

struct NetworkConfig {
  LinkCapacity uplink;    // end device -> cloud
  LinkCapacity downlink;  // cloud -> end device
  double one_way_delay_ms = 20;
  // Bottleneck queue, each direction: limit in ns-3's QueueSize syntax
  // ("100p" packets, "150000B" bytes) and discipline.
  std::string queue = "100p";
  enum class Aqm { kDropTail, kCoDel, kFqCoDel };
  Aqm aqm = Aqm::kDropTail;
  double uplink_loss = 0;  // probability that a packet is lost, per direction
  double downlink_loss = 0;
  // How traced directions are replayed (sim/trace_gated_queue_disc.h).
  enum class Replay { kExact, kBinned };
  Replay replay = Replay::kExact;
  double bin_ms = 100;
  std::vector<CrossTraffic> cross_traffic;
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
