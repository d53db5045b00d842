#include "sim/network.h"

#include <cmath>
#include <stdexcept>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"
#include "sim/message_transport.h"
#include "sim/trace_gated_queue_disc.h"

namespace coinfer {

using namespace ns3;

namespace {

// Far above any trace's rate: in exact replay the bottleneck is the gate.
const char kTracedDeviceRate[] = "10Gbps";
const uint16_t kTransferPort = 9000;

const char* AqmTypeId(NetworkConfig::Aqm aqm) {
  switch (aqm) {
    case NetworkConfig::Aqm::kDropTail:
      return "ns3::FifoQueueDisc";
    case NetworkConfig::Aqm::kCoDel:
      return "ns3::CoDelQueueDisc";
    case NetworkConfig::Aqm::kFqCoDel:
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

// Sets one direction's rate and bottleneck queue on the device that sends it.
void ConfigureDirection(Ptr<NetDevice> device, const LinkCapacity& capacity,
                        const NetworkConfig& config) {
  const QueueSizeValue limit{QueueSize(config.queue)};
  TrafficControlHelper tch;
  if (!capacity.traced()) {
    if (capacity.constant_mbps <= 0) throw std::invalid_argument("link rate must be positive");
    device->SetAttribute("DataRate", DataRateValue(DataRate(capacity.constant_mbps * 1e6)));
    tch.SetRootQueueDisc(AqmTypeId(config.aqm), "MaxSize", limit);
    tch.Install(device);
    return;
  }
  const uint16_t root = tch.SetRootQueueDisc("coinfer::TraceGatedQueueDisc");
  const auto classes = tch.AddQueueDiscClasses(root, 1, "ns3::QueueDiscClass");
  tch.AddChildQueueDisc(root, classes[0], AqmTypeId(config.aqm), "MaxSize", limit);
  auto gate = DynamicCast<TraceGatedQueueDisc>(tch.Install(device).Get(0));
  if (config.replay == NetworkConfig::Replay::kExact) {
    device->SetAttribute("DataRate", DataRateValue(DataRate(kTracedDeviceRate)));
    gate->SetTrace(capacity.trace);
  } else {
    gate->SetBinnedRates(device, BinRates(*capacity.trace, config.bin_ms / 1e3),
                         config.bin_ms / 1e3);
  }
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

struct Network::Impl {
  NodeContainer nodes;  // 0: end device, 1: cloud
  std::unique_ptr<MessageConnection> connection;
};

Network::Network(const NetworkConfig& config) : impl_(std::make_unique<Impl>()) {
  Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1448));
  Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(config.tcp_buffer_bytes));
  Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(config.tcp_buffer_bytes));

  impl_->nodes.Create(kNumSites);
  PointToPointHelper p2p;
  p2p.SetChannelAttribute("Delay", TimeValue(MicroSeconds(config.one_way_delay_ms * 1e3)));
  // A one-packet device queue leaves the queueing to the queue disc.
  p2p.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue("1p"));
  NetDeviceContainer devices = p2p.Install(impl_->nodes);

  InternetStackHelper stack;
  stack.Install(impl_->nodes);
  ConfigureDirection(devices.Get(0), config.uplink, config);
  ConfigureDirection(devices.Get(1), config.downlink, config);
  AddLoss(devices.Get(1), config.uplink_loss);
  AddLoss(devices.Get(0), config.downlink_loss);

  // Simulated addresses inside ns-3, not host addresses.
  Ipv4AddressHelper address;
  address.SetBase("10.1.1.0", "255.255.255.0");
  Ipv4InterfaceContainer interfaces = address.Assign(devices);

  impl_->connection = std::make_unique<MessageConnection>(impl_->nodes.Get(0), impl_->nodes.Get(1),
                                                          interfaces.GetAddress(1), kTransferPort);
  uint16_t port = kTransferPort + 1;
  for (const CrossTraffic& flow : config.cross_traffic) {
    const int from = flow.uplink ? 0 : 1;
    AddCrossTraffic(flow, impl_->nodes.Get(from), impl_->nodes.Get(1 - from),
                    interfaces.GetAddress(1 - from), port++);
  }
}

Network::~Network() = default;

void Network::Send(Site from, Site to, uint64_t bytes, std::function<void()> delivered) {
  if (from == to) throw std::invalid_argument("transfer to the same site");
  impl_->connection->Send(from == Site::kEndDevice, bytes, std::move(delivered));
}

}  // namespace coinfer
