// Network: the simulated network between the sites, built in ns-3 (no ns-3
// types in this header). Topologies (sites are numbered as NetworkSiteName says):
//   two-tier:   end device -access- router -WAN- cloud
//   three-tier: end device -access- edge -WAN- cloud (CNNPC's end-edge-cloud)
//   cluster:    a leader and N devices on a switched LAN (a star of
//               point-to-point links through a switch node), optionally with
//               an access link from the leader to a cloud (EdgeDI's setting)
// The access link's capacity in each direction follows a LinkCapacity (a
// replayed trace, gated packet by packet or binned, or a constant rate), with
// a one-way delay, a bottleneck queue (drop-tail, CoDel or FqCoDel), random
// loss and optional cross traffic; the WAN has its own rate, delay and
// optional trace. Routing is ns-3's global routing. Transfers are framed
// messages over one persistent TCP connection per pair of sites that talk
// (sim/message_transport.h), opened at time 0.
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

// Competing traffic between two sites (routed over whatever links join them):
// a bulk TCP flow (BulkSend: as fast as TCP can) or a constant-rate UDP flow
// (OnOff, always on), between two times.
struct CrossTraffic {
  enum class Kind { kBulk, kConstant };
  Kind kind = Kind::kBulk;
  int from = 0;  // sites, numbered as NetworkSiteName says
  int to = 1;
  double rate_mbps = 0;  // kConstant only
  double start_s = 0;
  double stop_s = 0;
};

struct NetworkConfig {
  enum class Topology { kTwoTier, kThreeTier, kCluster };
  Topology topology = Topology::kTwoTier;

  // The access link. two-tier: end -> router; three-tier: end -> edge;
  // cluster: leader -> cloud (only when cluster_upstream).
  LinkCapacity uplink;
  LinkCapacity downlink;
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

  // The WAN (two-tier: router - cloud; three-tier: edge - cloud). Its
  // edge->cloud direction may follow a trace instead of wan_mbps.
  double wan_mbps = 1000;
  double wan_delay_ms = 0;
  LinkCapacity wan_uplink;  // untraced: wan_mbps

  // The cluster's LAN: every device and the leader reach the switch over a
  // full-duplex link of lan_mbps (100 Mbit/s or 1 Gbit/s Ethernet).
  int cluster_devices = 4;
  double lan_mbps = 100;
  double lan_delay_ms = 0.05;
  bool cluster_upstream = false;

  int tcp_buffer_bytes = 4 << 20;  // socket send and receive buffers
};

// Sites per topology: two-tier 0 end, 1 cloud; three-tier 0 end, 1 cloud,
// 2 edge; cluster 0 leader, 1 cloud (with an upstream), then the devices
// "device0".. from site 2.
int NetworkSiteCount(const NetworkConfig& config);
std::string NetworkSiteName(const NetworkConfig& config, int site);

class Network {
 public:
  explicit Network(const NetworkConfig& config);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Sends `bytes` of payload from one site to another; `delivered` runs in
  // simulated time when the last byte has arrived. The two sites must be a
  // pair that talks in the topology (end and cloud always do; three-tier adds
  // end-edge and edge-cloud; a cluster's leader talks to every device and,
  // with an upstream, to the cloud); otherwise std::invalid_argument.
  void Send(int from, int to, uint64_t bytes, std::function<void()> delivered);
  void Send(Site from, Site to, uint64_t bytes, std::function<void()> delivered) {
    Send(static_cast<int>(from), static_cast<int>(to), bytes, std::move(delivered));
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coinfer
