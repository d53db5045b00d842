// PacketNetwork: the simulated network between the sites, built in ns-3 (no ns-3
// types in this header). Topologies (sites are numbered as TopologySites says):
//   two-tier:   end device -access- router -WAN- cloud
//   three-tier: end device -access- edge -WAN- cloud (CNNPC's end-edge-cloud)
//   cluster:    a leader and N devices on a switched LAN (a star of
//               point-to-point links through a switch node), optionally with
//               an access link from the leader to a cloud (EdgeDI's setting)
// Each direction of the access link and of the WAN has its own capacity (a
// replayed trace, gated packet by packet or binned, or a constant rate),
// one-way delay, bottleneck queue (drop-tail, CoDel or FqCoDel) and random
// loss; cross traffic may flow between any two sites. Routing is ns-3's
// global routing. Transfers are framed messages over one persistent TCP
// connection per pair of sites that talk (sim/net/message_transport.h): the
// pairs a topology's plans use most (end-cloud; three-tier end-edge,
// edge-cloud; a cluster's leader with each device and the cloud) are opened
// at time 0, any other pair when it first sends.
//
// Create it after the ns-3 simulator is set up and before Simulator::Run;
// destroy it before Simulator::Destroy. Single-threaded, like ns-3.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/net/delivery_estimator.h"
#include "sim/net/engine_world.h"
#include "sim/net/link_capacity.h"
#include "sim/net/site.h"

namespace coinfer {

// Competing traffic between two sites (routed over whatever links join them):
// a bulk TCP flow (BulkSend: as fast as TCP can) or a constant-rate UDP flow
// (OnOff, always on), between two times.
struct CrossTraffic {
  enum class Kind { kBulk, kConstant };
  Kind kind = Kind::kBulk;
  SiteId from = 0;  // sites, numbered as TopologySites says
  SiteId to = 1;
  double rate_mbps = 0;  // kConstant only
  double start_s = 0;
  double stop_s = 0;
};

// The queue discipline of a bottleneck (ns-3 traffic-control queue discs).
enum class QueueDiscipline { kDropTail, kCoDel, kFqCoDel };

// One direction of a link: its capacity, delay, queue and loss.
struct DirectionConfig {
  LinkCapacity capacity;       // a replayed trace or a constant rate
  double delay_ms = 20;        // one-way propagation delay
  std::string queue = "100p";  // queue limit, ns-3 QueueSize syntax: "100p", "150000B"
  QueueDiscipline discipline = QueueDiscipline::kDropTail;
  double loss = 0;  // probability that a packet is lost
};

struct NetworkConfig {
  enum class Topology { kTwoTier, kThreeTier, kCluster };
  Topology topology = Topology::kTwoTier;

  // The access link. two-tier: end -> router; three-tier: end -> edge;
  // cluster: leader -> cloud (only when cluster_upstream).
  DirectionConfig uplink;
  DirectionConfig downlink;
  // The WAN (two-tier: router - cloud; three-tier: edge - cloud).
  DirectionConfig wan_up{{nullptr, 1000}, 0};
  DirectionConfig wan_down{{nullptr, 1000}, 0};

  // How traced directions are replayed (sim/net/trace_gated_queue_disc.h).
  enum class Replay { kExact, kBinned };
  Replay replay = Replay::kExact;
  double bin_ms = 100;
  // The devices at each end of a link (sim/net/direct_link.h):
  //   direct:         on a link whose two directions replay a trace exactly
  //                   into a drop-tail queue, coinfer's own: a packet moves in
  //                   one event, its queue and lines computed as it is sent,
  //                   and a two-tier WAN that is only a line becomes a hop of
  //                   the access link (the router that only forwards is left
  //                   out). Point-to-point's delivery times and event order
  //                   for less than half the events (tests/network_test.cc,
  //                   docs/performance.md); other links stay point-to-point.
  //   point-to-point: ns-3's devices everywhere, at 10 Gbit/s behind a traced
  //                   direction's gate (the reference).
  enum class LinkDevice { kPointToPoint, kDirect };
  LinkDevice link_device = LinkDevice::kDirect;
  std::vector<CrossTraffic> cross_traffic;

  // The cluster's LAN: every device and the leader reach the switch over a
  // full-duplex link of lan_mbps (100 Mbit/s or 1 Gbit/s Ethernet).
  int cluster_devices = 4;
  double lan_mbps = 100;
  double lan_delay_ms = 0.05;
  // Each switch port's queue (ns-3 QueueSize syntax). Strips gathered from
  // several devices at once meet at the leader's port (incast): a shallow
  // queue drops their bursts, and a tail drop costs TCP a retransmission
  // timeout (1 s in ns-3). The default, about 1.5 MB, is a gigabit switch's
  // shared packet buffer (commonly 0.5-4 MB).
  std::string lan_queue = "1000p";
  bool cluster_upstream = false;

  int tcp_buffer_bytes = 4 << 20;  // socket send and receive buffers
  // TCP's floor on the retransmission timeout and its delayed-ACK timeout:
  // ns-3's defaults (RFC 6298's 1 s, 200 ms); Linux, which the Pis, phones
  // and servers run, uses 200 ms and 40 ms. ns-3 has no tail-loss probe, so
  // a burst that loses a message's last segments waits for the timeout.
  double tcp_min_rto_ms = 1000;
  double tcp_delayed_ack_ms = 200;
};

// The topology's sites, named and with their roles (no devices yet):
// two-tier end, cloud; three-tier end, edge, cloud; cluster leader (the end
// device), device0..N-1 and, with an upstream, cloud.
std::vector<Site> TopologySites(const NetworkConfig& config);

class PacketNetwork : public SiteNetwork {
 public:
  // With `monitor`, every connection's senders keep a delivery estimate
  // through those filters (Estimate).
  explicit PacketNetwork(const NetworkConfig& config,
                         const std::optional<DeliveryFilter>& monitor = std::nullopt);
  ~PacketNetwork() override;
  PacketNetwork(const PacketNetwork&) = delete;
  PacketNetwork& operator=(const PacketNetwork&) = delete;

  // Sends `bytes` of payload from one site to another over their connection
  // (opened now if they have not talked yet); `delivered` runs in simulated
  // time when the last byte has arrived. A probe is sent to measure the path:
  // the sender's monitor never counts its segments app-limited. Unknown or
  // identical sites: std::invalid_argument.
  void Send(SiteId from, SiteId to, uint64_t bytes, std::function<void()> delivered,
            bool probe = false, MessageTag tag = {}) override;
  // What the sender at `from` knows of its connection to `to`: none without
  // monitors or before the two have a connection.
  std::optional<DeliveryEstimate> Estimate(SiteId from, SiteId to) const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coinfer
