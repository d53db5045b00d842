#include "sim/net/packet_network.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"
#include "sim/net/direct_link.h"
#include "sim/net/message_transport.h"
#include "sim/net/trace_gated_queue_disc.h"

namespace coinfer {

using namespace ns3;

namespace {

// Far above any trace's rate: in exact replay the bottleneck is the gate.
const char kTracedDeviceRate[] = "10Gbps";
const uint16_t kTransferPort = 9000;       // + connection index
const uint16_t kCrossTrafficPort = 20000;  // + flow index

const char* QueueDiscTypeId(QueueDiscipline discipline) {
  switch (discipline) {
    case QueueDiscipline::kDropTail:
      return "ns3::FifoQueueDisc";
    case QueueDiscipline::kCoDel:
      return "ns3::CoDelQueueDisc";
    case QueueDiscipline::kFqCoDel:
      return "ns3::FqCoDelQueueDisc";
  }
  return "";
}

// Mean rate of each bin of bin_s over one period of the trace, in bit/s.
std::vector<double> BinRates(const DeliveryTrace& trace, double bin_s) {
  const double bin_ms = bin_s * 1e3;
  const size_t bins = static_cast<size_t>(std::ceil(trace.period_ms / bin_ms));
  std::vector<double> bps(bins, 0.0);
  for (uint32_t ms : trace.opportunities)
    bps[std::min(bins - 1, static_cast<size_t>(ms / bin_ms))] +=
        DeliveryTrace::kBytesPerOpportunity * 8.0 / bin_s;
  return bps;
}

// Whether a link is made of DirectLinkDevices: asked for, and both
// directions a queue it computes (DropTailSchedule: a trace replayed exactly
// into a drop-tail queue) without random loss (whose draws have not been
// shown to follow point-to-point's). Any other link keeps ns-3's
// point-to-point devices and queue discs.
bool DirectLink(const DirectionConfig& a_to_b, const DirectionConfig& b_to_a,
                const NetworkConfig& config) {
  for (const DirectionConfig* d : {&a_to_b, &b_to_a})
    if (!d->capacity.traced() || d->discipline != QueueDiscipline::kDropTail ||
        config.replay != NetworkConfig::Replay::kExact || d->loss > 0)
      return false;
  return config.link_device == NetworkConfig::LinkDevice::kDirect;
}

// The highest rate a direction delivers at, in bit/s: a constant rate, or
// the most delivery opportunities a trace has in one millisecond.
double PeakBps(const LinkCapacity& capacity) {
  if (!capacity.traced()) return capacity.constant_mbps * 1e6;
  const std::vector<uint32_t>& op = capacity.trace->opportunities;
  size_t most = 0;
  for (size_t i = 0, j = 0; i < op.size(); i = j) {
    while (j < op.size() && op[j] == op[i]) ++j;
    most = std::max(most, j - i);
  }
  return most * DeliveryTrace::kBytesPerOpportunity * 8 * 1e3;
}

// Whether a WAN direction behind (or before) `access` is only a line: a
// constant rate at least the access direction's peak, lossless, drop-tail,
// with room for a trace opportunity's worth of the smallest packets (1500 /
// 40 bytes) several times over, so that it never queues enough to drop.
bool OnlyALine(const DirectionConfig& wan, const DirectionConfig& access) {
  const QueueSize limit(wan.queue);
  const bool roomy = limit.GetUnit() == QueueSizeUnit::PACKETS ? limit.GetValue() >= 64
                                                               : limit.GetValue() >= 64 * 1500;
  return !wan.capacity.traced() && wan.loss == 0 && wan.discipline == QueueDiscipline::kDropTail &&
         roomy && wan.capacity.constant_mbps * 1e6 >= PeakBps(access.capacity);
}

// Sets one direction's rate, queue and the part of its delay (`extra`) the
// shared channel delay does not carry, on the device that sends it.
void ConfigureDirection(Ptr<NetDevice> device, const DirectionConfig& direction, double extra_ms,
                        const NetworkConfig& config) {
  const LinkCapacity& capacity = direction.capacity;
  const QueueSizeValue limit{QueueSize(direction.queue)};
  const char* discipline = QueueDiscTypeId(direction.discipline);
  if (!capacity.traced()) {
    if (capacity.constant_mbps <= 0) throw std::invalid_argument("link rate must be positive");
    device->SetAttribute("DataRate", DataRateValue(DataRate(capacity.constant_mbps * 1e6)));
  }
  TrafficControlHelper tch;
  if (!capacity.traced() && extra_ms == 0) {
    tch.SetRootQueueDisc(discipline, "MaxSize", limit);
    tch.Install(device);
    return;
  }
  const uint16_t root = tch.SetRootQueueDisc("coinfer::TraceGatedQueueDisc");
  const auto classes = tch.AddQueueDiscClasses(root, 1, "ns3::QueueDiscClass");
  tch.AddChildQueueDisc(root, classes[0], discipline, "MaxSize", limit);
  auto gate = DynamicCast<TraceGatedQueueDisc>(tch.Install(device).Get(0));
  gate->SetIngressDelay(MicroSeconds(extra_ms * 1e3));
  if (!capacity.traced()) return;
  if (config.replay == NetworkConfig::Replay::kExact) {
    device->SetAttribute("DataRate", DataRateValue(DataRate(kTracedDeviceRate)));
    gate->SetTrace(capacity.trace);
  } else {
    gate->SetBinnedRates(device, BinRates(*capacity.trace, config.bin_ms / 1e3),
                         config.bin_ms / 1e3);
  }
}

// One direction of a direct link as a hop
// (sim/net/direct_link.h), its channel delay `shared_ms`.
Hop TracedHop(const DirectionConfig& direction, double shared_ms) {
  Hop hop;
  hop.ingress = MicroSeconds((direction.delay_ms - shared_ms) * 1e3);
  const QueueSize limit(direction.queue);
  hop.queue = std::make_unique<DropTailSchedule>(
      direction.capacity.trace,
      DropTailSchedule::Limit{limit.GetValue(), limit.GetUnit() == QueueSizeUnit::BYTES});
  // The point-to-point device behind the gate: its line, then the channel.
  hop.line_bps = static_cast<double>(DataRate(kTracedDeviceRate).GetBitRate());
  hop.delay = MicroSeconds(shared_ms * 1e3);
  return hop;
}

// A WAN direction that is only a line (OnlyALine), as a hop of the access link.
Hop LineHop(const DirectionConfig& wan, double shared_ms) {
  Hop hop;
  hop.ingress = MicroSeconds((wan.delay_ms - shared_ms) * 1e3);
  hop.line_bps = wan.capacity.constant_mbps * 1e6;
  hop.delay = MicroSeconds(shared_ms * 1e3);
  return hop;
}

DirectionConfig LanDirection(const NetworkConfig& config) {
  DirectionConfig lan;
  lan.capacity.constant_mbps = config.lan_mbps;
  lan.delay_ms = config.lan_delay_ms;
  lan.queue = config.lan_queue;
  return lan;
}

void AddLoss(Ptr<NetDevice> receiver, double probability) {
  if (probability <= 0) return;
  Ptr<RateErrorModel> loss = CreateObject<RateErrorModel>();
  loss->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
  loss->SetRate(probability);
  receiver->SetAttribute("ReceiveErrorModel", PointerValue(loss));
}

// Installs one cross-traffic flow from `from` to `to`, on its own port.
void AddCrossTraffic(const CrossTraffic& flow, Ptr<Node> from, Ptr<Node> to, Ipv4Address to_address,
                     uint16_t port) {
  const Address sink_address(InetSocketAddress(to_address, port));
  const bool bulk = flow.kind == CrossTraffic::Kind::kBulk;
  const char* factory = bulk ? "ns3::TcpSocketFactory" : "ns3::UdpSocketFactory";
  PacketSinkHelper sink(factory, InetSocketAddress(Ipv4Address::GetAny(), port));
  sink.Install(to).Start(Seconds(0));
  ApplicationContainer source;
  if (bulk) {
    BulkSendHelper send(factory, sink_address);
    send.SetAttribute("MaxBytes", UintegerValue(0));
    source = send.Install(from);
  } else {
    OnOffHelper send(factory, sink_address);
    send.SetConstantRate(DataRate(flow.rate_mbps * 1e6), 1400);
    source = send.Install(from);
  }
  source.Start(Seconds(flow.start_s));
  source.Stop(Seconds(flow.stop_s));
}

}  // namespace

struct PacketNetwork::Impl {
  NodeContainer sites;                 // numbered as NetworkSiteName says
  NodeContainer infrastructure;        // router or switch
  std::vector<Ipv4Address> addresses;  // one per site
  std::map<std::pair<int, int>, std::unique_ptr<MessageConnection>> connections;
  uint32_t next_subnet = 0;
  std::optional<DeliveryFilter> monitor;

  // A point-to-point link a <-> b, each direction as configured. The channel
  // carries the smaller of the two delays; the rest is a delay before the
  // queue. A direct link may also carry the link beyond b with no one in
  // between to see the packets (`beyond`: a -> there, there -> a), as a hop
  // after this one's, or before it the other way. Returns the devices (a's
  // first) after addressing.
  NetDeviceContainer Link(Ptr<Node> a, Ptr<Node> b, const DirectionConfig& a_to_b,
                          const DirectionConfig& b_to_a, const NetworkConfig& config,
                          const DirectionConfig* beyond = nullptr) {
    const double shared_ms = std::min(a_to_b.delay_ms, b_to_a.delay_ms);
    NetDeviceContainer devices;
    if (DirectLink(a_to_b, b_to_a, config)) {
      Ptr<DirectLinkChannel> channel = CreateObject<DirectLinkChannel>();
      Ptr<Node> nodes[2] = {a, b};
      for (Ptr<Node> node : nodes) {
        Ptr<DirectLinkDevice> device = CreateObject<DirectLinkDevice>();
        device->SetAddress(Mac48Address::Allocate());
        node->AddDevice(device);
        devices.Add(device);
      }
      std::vector<Hop> hops[2];
      hops[0].push_back(TracedHop(a_to_b, shared_ms));
      hops[1].push_back(TracedHop(b_to_a, shared_ms));
      if (beyond) {
        const double beyond_ms = std::min(beyond[0].delay_ms, beyond[1].delay_ms);
        hops[0].push_back(LineHop(beyond[0], beyond_ms));
        hops[1].insert(hops[1].begin(), LineHop(beyond[1], beyond_ms));
      }
      for (int i = 0; i < 2; ++i)
        DynamicCast<DirectLinkDevice>(devices.Get(i))->Attach(channel, std::move(hops[i]));
    } else {
      PointToPointHelper p2p;
      p2p.SetChannelAttribute("Delay", TimeValue(MicroSeconds(shared_ms * 1e3)));
      // A one-packet device queue leaves the queueing to the queue disc.
      p2p.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue("1p"));
      devices = p2p.Install(a, b);
      ConfigureDirection(devices.Get(0), a_to_b, a_to_b.delay_ms - shared_ms, config);
      ConfigureDirection(devices.Get(1), b_to_a, b_to_a.delay_ms - shared_ms, config);
    }
    AddLoss(devices.Get(1), a_to_b.loss);
    AddLoss(devices.Get(0), b_to_a.loss);
    // Simulated addresses inside ns-3, not host addresses: one /24 per link.
    Ipv4AddressHelper address;
    const uint32_t subnet = next_subnet++;
    const std::string base =
        "10." + std::to_string(1 + subnet / 256) + "." + std::to_string(subnet % 256) + ".0";
    address.SetBase(base.c_str(), "255.255.255.0");
    Ipv4InterfaceContainer interfaces = address.Assign(devices);
    for (int i = 0; i < 2; ++i) {
      Ptr<Node> node = devices.Get(i)->GetNode();
      for (uint32_t s = 0; s < sites.GetN(); ++s)
        if (sites.Get(s) == node && addresses[s] == Ipv4Address())
          addresses[s] = interfaces.GetAddress(i);
    }
    return devices;
  }

  void Connect(int client, int server) {
    const uint16_t port = kTransferPort + static_cast<uint16_t>(connections.size());
    connections[{client, server}] = std::make_unique<MessageConnection>(
        sites.Get(client), sites.Get(server), addresses[server], port, monitor);
  }
};

std::vector<Site> TopologySites(const NetworkConfig& config) {
  switch (config.topology) {
    case NetworkConfig::Topology::kTwoTier:
      return {{"end", SiteRole::kEndDevice}, {"cloud", SiteRole::kCloud}};
    case NetworkConfig::Topology::kThreeTier:
      return {
          {"end", SiteRole::kEndDevice}, {"edge", SiteRole::kEdge}, {"cloud", SiteRole::kCloud}};
    case NetworkConfig::Topology::kCluster: {
      std::vector<Site> sites = {{"leader", SiteRole::kEndDevice}};
      for (int i = 0; i < config.cluster_devices; ++i)
        sites.push_back({"device" + std::to_string(i), SiteRole::kClusterDevice});
      if (config.cluster_upstream) sites.push_back({"cloud", SiteRole::kCloud});
      return sites;
    }
  }
  return {};
}

PacketNetwork::PacketNetwork(const NetworkConfig& config,
                             const std::optional<DeliveryFilter>& monitor)
    : impl_(std::make_unique<Impl>()) {
  impl_->monitor = monitor;
  Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1448));
  Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(config.tcp_buffer_bytes));
  Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(config.tcp_buffer_bytes));
  Config::SetDefault("ns3::TcpSocketBase::MinRto",
                     TimeValue(MicroSeconds(static_cast<int64_t>(config.tcp_min_rto_ms * 1e3))));
  Config::SetDefault(
      "ns3::TcpSocket::DelAckTimeout",
      TimeValue(MicroSeconds(static_cast<int64_t>(config.tcp_delayed_ack_ms * 1e3))));

  Impl& n = *impl_;
  const int site_count = static_cast<int>(TopologySites(config).size());
  n.sites.Create(site_count);
  n.infrastructure.Create(1);
  n.addresses.resize(n.sites.GetN());
  InternetStackHelper stack;
  stack.Install(n.sites);
  stack.Install(n.infrastructure);

  using Topology = NetworkConfig::Topology;
  switch (config.topology) {
    case Topology::kTwoTier: {  // end 0, cloud 1
      // The router only forwards: on a direct access link, a WAN that is
      // only a line is a hop of it (downlink, a hop before the queue).
      const bool fold = DirectLink(config.uplink, config.downlink, config) &&
                        OnlyALine(config.wan_up, config.uplink) &&
                        OnlyALine(config.wan_down, config.downlink);
      if (fold) {
        const DirectionConfig wan[2] = {config.wan_up, config.wan_down};
        n.Link(n.sites.Get(0), n.sites.Get(1), config.uplink, config.downlink, config, wan);
      } else {
        Ptr<Node> router = n.infrastructure.Get(0);
        n.Link(n.sites.Get(0), router, config.uplink, config.downlink, config);
        n.Link(router, n.sites.Get(1), config.wan_up, config.wan_down, config);
      }
      n.Connect(0, 1);
      break;
    }
    case Topology::kThreeTier:  // end 0, edge 1, cloud 2
      n.Link(n.sites.Get(0), n.sites.Get(1), config.uplink, config.downlink, config);
      n.Link(n.sites.Get(1), n.sites.Get(2), config.wan_up, config.wan_down, config);
      n.Connect(0, 1);
      n.Connect(1, 2);
      n.Connect(0, 2);
      break;
    case Topology::kCluster: {  // leader 0, devices 1..N, cloud N + 1 with an upstream
      const DirectionConfig lan = LanDirection(config);
      const int devices = config.cluster_devices;
      Ptr<Node> hub = n.infrastructure.Get(0);  // the switch
      for (int s = 0; s <= devices; ++s) n.Link(n.sites.Get(s), hub, lan, lan, config);
      if (config.cluster_upstream) {
        n.Link(n.sites.Get(0), n.sites.Get(devices + 1), config.uplink, config.downlink, config);
        n.Connect(0, devices + 1);
      }
      for (int s = 1; s <= devices; ++s) n.Connect(0, s);
      break;
    }
  }
  Ipv4GlobalRoutingHelper::PopulateRoutingTables();

  uint16_t port = kCrossTrafficPort;
  for (const CrossTraffic& flow : config.cross_traffic) {
    const int sites = static_cast<int>(n.sites.GetN());
    if (flow.from < 0 || flow.from >= sites || flow.to < 0 || flow.to >= sites ||
        flow.from == flow.to)
      throw std::invalid_argument("cross traffic between unknown sites");
    AddCrossTraffic(flow, n.sites.Get(flow.from), n.sites.Get(flow.to), n.addresses[flow.to],
                    port++);
  }
}

PacketNetwork::~PacketNetwork() = default;

void PacketNetwork::Send(SiteId from, SiteId to, uint64_t bytes, std::function<void()> delivered,
                         bool probe, MessageTag /*tag: sizes are all ns-3 moves*/) {
  Impl& n = *impl_;
  const int sites = static_cast<int>(n.sites.GetN());
  if (from < 0 || from >= sites || to < 0 || to >= sites || from == to)
    throw std::invalid_argument("no connection between sites " + std::to_string(from) + " and " +
                                std::to_string(to));
  auto it = n.connections.find({from, to});
  if (it != n.connections.end()) {
    it->second->Send(true, bytes, std::move(delivered), probe);
    return;
  }
  it = n.connections.find({to, from});
  if (it == n.connections.end()) {
    n.Connect(from, to);
    it = n.connections.find({from, to});
    it->second->Send(true, bytes, std::move(delivered), probe);
    return;
  }
  it->second->Send(false, bytes, std::move(delivered), probe);
}

std::optional<DeliveryEstimate> PacketNetwork::Estimate(SiteId from, SiteId to) const {
  const auto& connections = impl_->connections;
  auto it = connections.find({from, to});
  if (it != connections.end()) return it->second->Estimate(true);
  it = connections.find({to, from});
  if (it != connections.end()) return it->second->Estimate(false);
  return std::nullopt;
}

}  // namespace coinfer
