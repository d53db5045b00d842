// DirectLink: a point-to-point link that moves each packet in two ns-3
// events (below). A packet a DirectLinkDevice is given crosses its direction's hops
// and reaches the peer when it leaves the last. A hop is what ns-3's
// point-to-point chain of one link does to a packet, computed instead of
// simulated:
//   - an ingress delay (the part of a direction's delay before its queue);
//   - a drop-tail queue and its drain (DropTailSchedule: a trace's delivery
//     opportunities), which may drop it;
//   - a line behind that queue that serialises the packet with a 2-byte PPP
//     header, back to back (a traced direction's 10 Gbit/s device);
//   - the channel's delay.
// Several hops stand for several links with no one in between to see the
// packet (a router that only forwards: a hop without a queue). No queue disc
// sits above these devices, and they lose nothing at random (a lossy link
// stays point-to-point).
//
// Why: a point-to-point device spends three events per packet (end of
// transmission, arrival, the queue's wake-up), the trace gate one per
// opportunity, per link; this link spends one per packet
// (docs/performance.md), and one more to schedule the arrival when the last
// line starts the packet, as a point-to-point device does, so that events
// due in the same nanosecond keep their order. Delivery times are ns-3's
// point-to-point ones (tests/network_test.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ns3/channel.h"
#include "ns3/mac48-address.h"
#include "ns3/net-device.h"
#include "ns3/nstime.h"
#include "sim/net/drop_tail_schedule.h"

namespace coinfer {

class DirectLinkChannel;
struct Hop;

class DirectLinkDevice : public ns3::NetDevice {
 public:
  static ns3::TypeId GetTypeId();
  DirectLinkDevice();

  void Attach(ns3::Ptr<DirectLinkChannel> channel, std::vector<Hop> hops);
  // Called by the channel after the delay: hands the packet to the node.
  void Receive(ns3::Ptr<ns3::Packet> packet, uint16_t protocol);

  // ns3::NetDevice
  void SetIfIndex(const uint32_t index) override { if_index_ = index; }
  uint32_t GetIfIndex() const override { return if_index_; }
  ns3::Ptr<ns3::Channel> GetChannel() const override;
  void SetAddress(ns3::Address address) override;
  ns3::Address GetAddress() const override { return address_; }
  bool SetMtu(const uint16_t mtu) override;
  uint16_t GetMtu() const override { return mtu_; }
  bool IsLinkUp() const override { return channel_ != nullptr; }
  void AddLinkChangeCallback(ns3::Callback<void>) override {}
  bool IsBroadcast() const override { return true; }
  ns3::Address GetBroadcast() const override { return ns3::Mac48Address::GetBroadcast(); }
  bool IsMulticast() const override { return true; }
  ns3::Address GetMulticast(ns3::Ipv4Address) const override;
  ns3::Address GetMulticast(ns3::Ipv6Address) const override;
  bool IsBridge() const override { return false; }
  bool IsPointToPoint() const override { return true; }
  bool Send(ns3::Ptr<ns3::Packet> packet, const ns3::Address& dest, uint16_t protocol) override;
  bool SendFrom(ns3::Ptr<ns3::Packet> packet, const ns3::Address& source, const ns3::Address& dest,
                uint16_t protocol) override;
  ns3::Ptr<ns3::Node> GetNode() const override;
  void SetNode(ns3::Ptr<ns3::Node> node) override;
  bool NeedsArp() const override { return false; }
  void SetReceiveCallback(ReceiveCallback cb) override { receive_ = cb; }
  void SetPromiscReceiveCallback(PromiscReceiveCallback) override {}
  bool SupportsSendFrom() const override { return false; }

 private:
  void DoDispose() override;

  ns3::Ptr<DirectLinkChannel> channel_;
  ns3::Ptr<ns3::Node> node_;
  ReceiveCallback receive_;
  ns3::Mac48Address address_;
  uint32_t if_index_ = 0;
  uint16_t mtu_ = 1500;
};

// What a direction does to a packet, in order (see the top of this file).
struct Hop {
  ns3::Time ingress;
  std::unique_ptr<DropTailSchedule> queue;  // null: none
  double line_bps = 0;                      // 0: no line
  ns3::Time delay;
};

// Joins two DirectLinkDevices; each direction crosses its own hops.
class DirectLinkChannel : public ns3::Channel {
 public:
  static constexpr uint32_t kPppHeaderBytes = 2;  // what ns-3's point-to-point line adds
  static ns3::TypeId GetTypeId();

  // Attach the first device, then the second, each with the hops its packets cross.
  void Attach(ns3::Ptr<DirectLinkDevice> device, std::vector<Hop> hops);
  // Delivers `packet` to the device that did not send it, unless a queue drops it.
  void Transmit(const DirectLinkDevice* sender, ns3::Ptr<ns3::Packet> packet, uint16_t protocol);

  std::size_t GetNDevices() const override;
  ns3::Ptr<ns3::NetDevice> GetDevice(std::size_t i) const override;

 private:
  // Schedules the peer's receipt of `packet` at `arrival`.
  void Deliver(ns3::Ptr<DirectLinkDevice> peer, ns3::Ptr<ns3::Packet> packet, uint16_t protocol,
               ns3::Time arrival);

  struct Direction {
    ns3::Ptr<DirectLinkDevice> sender;
    std::vector<Hop> hops;
    std::vector<ns3::Time> line_free;  // per hop: when its line has sent what it was given
  };
  Direction directions_[2];
  std::size_t attached_ = 0;
};

}  // namespace coinfer
