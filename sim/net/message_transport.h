// MessageConnection: one persistent ns-3 TCP connection between two nodes
// carrying framed messages both ways. Each message is a 16-byte frame header
// (id and length, as a real framing would send) followed by its payload; the
// receiver counts stream bytes and reports a message when its last byte has
// arrived. Payload bytes are ns-3 virtual bytes: sizes and timing are exact,
// contents are not simulated.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

#include "ns3/address.h"
#include "ns3/node.h"
#include "ns3/socket.h"
#include "sim/net/sender_monitor.h"

namespace coinfer {

class MessageConnection {
 public:
  static constexpr uint32_t kFrameHeaderBytes = 16;
  using Delivered = std::function<void()>;

  // Listens on `server` at `port` and connects from `client` to
  // `server_address`; with `monitor`, each direction's sender keeps a
  // delivery estimate through those filters (sim/net/sender_monitor.h).
  MessageConnection(ns3::Ptr<ns3::Node> client, ns3::Ptr<ns3::Node> server,
                    const ns3::Address& server_address, uint16_t port,
                    const std::optional<DeliveryFilter>& monitor);
  MessageConnection(const MessageConnection&) = delete;
  MessageConnection& operator=(const MessageConnection&) = delete;

  // Queues a message of `payload_bytes`; `delivered` runs when its last byte
  // reaches the other side. from_client selects the direction; a probe's
  // segments are a measurement to the sender's monitor.
  void Send(bool from_client, uint64_t payload_bytes, Delivered delivered, bool probe);
  // The sender's estimate of one direction; none unless monitored.
  std::optional<DeliveryEstimate> Estimate(bool from_client) const;

 private:
  struct Message {
    uint64_t bytes;  // frame header + payload
    Delivered delivered;
  };
  // One direction of the stream.
  struct Direction {
    ns3::Ptr<ns3::Socket> tx;     // null until connected / accepted
    std::deque<uint64_t> unsent;  // bytes still to write, per queued message
    uint64_t unsent_bytes = 0;    // their sum
    uint64_t queued_bytes = 0;    // every message's, since the connection opened
    std::unique_ptr<SenderMonitor> monitor;
    std::deque<Message> in_flight;  // messages the receiver has not completed
    uint64_t received = 0;          // bytes of in_flight.front() received so far
  };

  void Pump(Direction& d);
  void OnReceive(Direction& d, ns3::Ptr<ns3::Socket> socket);
  void OnConnected(ns3::Ptr<ns3::Socket> socket);
  void OnAccepted(ns3::Ptr<ns3::Socket> socket, const ns3::Address& from);
  void OnClientReadable(ns3::Ptr<ns3::Socket> socket);
  void OnServerReadable(ns3::Ptr<ns3::Socket> socket);
  void OnClientWritable(ns3::Ptr<ns3::Socket> socket, uint32_t available);
  void OnServerWritable(ns3::Ptr<ns3::Socket> socket, uint32_t available);

  ns3::Ptr<ns3::Socket> listener_;
  double connect_s_ = 0;  // when the client asked to connect
  Direction up_;          // client -> server
  Direction down_;        // server -> client
};

}  // namespace coinfer
