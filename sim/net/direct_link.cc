#include "sim/net/direct_link.h"

#include <algorithm>
#include <stdexcept>

#include "ns3/data-rate.h"
#include "ns3/node.h"
#include "ns3/simulator.h"

namespace coinfer {

using namespace ns3;

NS_OBJECT_ENSURE_REGISTERED(DirectLinkDevice);
NS_OBJECT_ENSURE_REGISTERED(DirectLinkChannel);

TypeId DirectLinkDevice::GetTypeId() {
  static TypeId tid = TypeId("coinfer::DirectLinkDevice")
                          .SetParent<NetDevice>()
                          .SetGroupName("Network")
                          .AddConstructor<DirectLinkDevice>();
  return tid;
}

DirectLinkDevice::DirectLinkDevice() = default;

void DirectLinkDevice::Attach(Ptr<DirectLinkChannel> channel, std::vector<Hop> hops) {
  channel_ = channel;
  channel->Attach(this, std::move(hops));
}

Ptr<Channel> DirectLinkDevice::GetChannel() const { return channel_; }

Ptr<Node> DirectLinkDevice::GetNode() const { return node_; }

void DirectLinkDevice::SetNode(Ptr<Node> node) { node_ = node; }

void DirectLinkDevice::SetAddress(Address address) {
  address_ = Mac48Address::ConvertFrom(address);
}

bool DirectLinkDevice::SetMtu(const uint16_t mtu) {
  mtu_ = mtu;
  return true;
}

Address DirectLinkDevice::GetMulticast(Ipv4Address) const {
  return Mac48Address::GetMulticastPrefix();
}

Address DirectLinkDevice::GetMulticast(Ipv6Address) const {
  return Mac48Address::GetMulticastPrefix();
}

bool DirectLinkDevice::Send(Ptr<Packet> packet, const Address&, uint16_t protocol) {
  if (!channel_ || packet->GetSize() > mtu_) return false;
  channel_->Transmit(this, packet, protocol);
  return true;
}

bool DirectLinkDevice::SendFrom(Ptr<Packet>, const Address&, const Address&, uint16_t) {
  return false;  // SupportsSendFrom() says so
}

void DirectLinkDevice::Receive(Ptr<Packet> packet, uint16_t protocol) {
  if (!receive_.IsNull()) receive_(this, packet, protocol, GetBroadcast());
}

void DirectLinkDevice::DoDispose() {
  channel_ = nullptr;
  node_ = nullptr;
  receive_ = ReceiveCallback();
  NetDevice::DoDispose();
}

TypeId DirectLinkChannel::GetTypeId() {
  static TypeId tid = TypeId("coinfer::DirectLinkChannel")
                          .SetParent<Channel>()
                          .SetGroupName("Network")
                          .AddConstructor<DirectLinkChannel>();
  return tid;
}

void DirectLinkChannel::Attach(Ptr<DirectLinkDevice> device, std::vector<Hop> hops) {
  if (attached_ == 2) throw std::logic_error("a direct link joins two devices");
  Direction& d = directions_[attached_++];
  d.sender = device;
  d.line_free.assign(hops.size(), Time(0));
  d.hops = std::move(hops);
}

void DirectLinkChannel::Transmit(const DirectLinkDevice* sender, Ptr<Packet> packet,
                                 uint16_t protocol) {
  const int from = directions_[0].sender == sender ? 0 : 1;
  Direction& d = directions_[from];
  const Time now = Simulator::Now();
  Time t = now;
  Time last_line_start = now;
  for (size_t i = 0; i < d.hops.size(); ++i) {
    Hop& hop = d.hops[i];
    t += hop.ingress;
    if (hop.queue) {
      const int64_t depart = hop.queue->Admit(t.GetNanoSeconds(), packet->GetSize());
      if (depart == DropTailSchedule::kDropped) return;
      t = NanoSeconds(depart);
    }
    if (hop.line_bps > 0) {
      // A line starts a packet when it has arrived and the line has sent the ones before.
      last_line_start = std::max(t, d.line_free[i]);
      t = last_line_start + DataRate(static_cast<uint64_t>(hop.line_bps))
                                .CalculateBytesTxTime(packet->GetSize() + kPppHeaderBytes);
      d.line_free[i] = t;
    }
    t += hop.delay;
  }
  Ptr<DirectLinkDevice> peer = directions_[1 - from].sender;
  // The receiver gets its own copy (copy-on-write: no bytes are copied), as
  // ns-3's point-to-point channel gives it.
  if (last_line_start == now) {
    Deliver(peer, packet->Copy(), protocol, t);
  } else {
    // Events due in the same nanosecond run in the order they were
    // scheduled: the arrival is scheduled when the last line starts the
    // packet, as a point-to-point device schedules it, so that it keeps its
    // place among timers due then (a delayed ACK, a retransmission).
    Simulator::Schedule(last_line_start - now, &DirectLinkChannel::Deliver, this, peer,
                        packet->Copy(), protocol, t);
  }
}

void DirectLinkChannel::Deliver(Ptr<DirectLinkDevice> peer, Ptr<Packet> packet, uint16_t protocol,
                                Time arrival) {
  Simulator::ScheduleWithContext(peer->GetNode()->GetId(), arrival - Simulator::Now(),
                                 &DirectLinkDevice::Receive, peer, packet, protocol);
}

std::size_t DirectLinkChannel::GetNDevices() const { return attached_; }

Ptr<NetDevice> DirectLinkChannel::GetDevice(std::size_t i) const { return directions_[i].sender; }

}  // namespace coinfer
