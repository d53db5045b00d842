#include "sim/network.h"

#include <stdexcept>

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

// Far above any trace's rate: a traced direction's bottleneck is the gate.
const char kTracedDeviceRate[] = "10Gbps";

// Sets one direction's rate and bottleneck queue on the device that sends it.
void ConfigureDirection(Ptr<NetDevice> device, const LinkCapacity& capacity, int queue_packets) {
  const QueueSizeValue limit(QueueSize(QueueSizeUnit::PACKETS, queue_packets));
  TrafficControlHelper tch;
  if (capacity.traced()) {
    device->SetAttribute("DataRate", DataRateValue(DataRate(kTracedDeviceRate)));
    tch.SetRootQueueDisc("coinfer::TraceGatedQueueDisc", "MaxSize", limit);
  } else {
    if (capacity.constant_mbps <= 0) throw std::invalid_argument("link rate must be positive");
    device->SetAttribute("DataRate", DataRateValue(DataRate(capacity.constant_mbps * 1e6)));
    tch.SetRootQueueDisc("ns3::FifoQueueDisc", "MaxSize", limit);
  }
  QueueDiscContainer qdiscs = tch.Install(device);
  if (capacity.traced()) DynamicCast<TraceGatedQueueDisc>(qdiscs.Get(0))->SetTrace(capacity.trace);
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
  ConfigureDirection(devices.Get(0), config.uplink, config.queue_packets);
  ConfigureDirection(devices.Get(1), config.downlink, config.queue_packets);

  // Simulated addresses inside ns-3, not host addresses.
  Ipv4AddressHelper address;
  address.SetBase("10.1.1.0", "255.255.255.0");
  Ipv4InterfaceContainer interfaces = address.Assign(devices);

  impl_->connection = std::make_unique<MessageConnection>(impl_->nodes.Get(0), impl_->nodes.Get(1),
                                                          interfaces.GetAddress(1), 9000);
}

Network::~Network() = default;

void Network::Send(Site from, Site to, uint64_t bytes, std::function<void()> delivered) {
  if (from == to) throw std::invalid_argument("transfer to the same site");
  impl_->connection->Send(from == Site::kEndDevice, bytes, std::move(delivered));
}

}  // namespace coinfer
