#include "sim/net/message_transport.h"

#include <algorithm>

#include "ns3/inet-socket-address.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/tcp-socket-factory.h"

namespace coinfer {

using namespace ns3;

MessageConnection::MessageConnection(Ptr<Node> client, Ptr<Node> server,
                                     const Address& server_address, uint16_t port,
                                     const std::optional<DeliveryFilter>& monitor) {
  if (monitor) {
    up_.monitor = std::make_unique<SenderMonitor>(&up_.unsent_bytes, *monitor);
    down_.monitor = std::make_unique<SenderMonitor>(&down_.unsent_bytes, *monitor);
  }
  listener_ = Socket::CreateSocket(server, TcpSocketFactory::GetTypeId());
  listener_->Bind(InetSocketAddress(Ipv4Address::GetAny(), port));
  listener_->Listen();
  listener_->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                               MakeCallback(&MessageConnection::OnAccepted, this));

  Ptr<Socket> socket = Socket::CreateSocket(client, TcpSocketFactory::GetTypeId());
  socket->Bind();
  socket->SetConnectCallback(MakeCallback(&MessageConnection::OnConnected, this),
                             MakeNullCallback<void, Ptr<Socket>>());
  // Connect once the simulation runs, when ns-3 has initialised the stack.
  const InetSocketAddress remote(Ipv4Address::ConvertFrom(server_address), port);
  Simulator::ScheduleNow([this, socket, remote]() {
    connect_s_ = Simulator::Now().GetSeconds();
    socket->Connect(remote);
  });
}

void MessageConnection::OnConnected(Ptr<Socket> socket) {
  up_.tx = socket;
  if (up_.monitor) {
    // The handshake's round trip is the path's, for both directions' senders.
    const double rtt = Simulator::Now().GetSeconds() - connect_s_;
    up_.monitor->Attach(socket);
    up_.monitor->OnHandshake(rtt);
    down_.monitor->OnHandshake(rtt);
  }
  socket->SetRecvCallback(MakeCallback(&MessageConnection::OnClientReadable, this));
  socket->SetSendCallback(MakeCallback(&MessageConnection::OnClientWritable, this));
  Pump(up_);
}

void MessageConnection::OnAccepted(Ptr<Socket> socket, const Address&) {
  down_.tx = socket;
  if (down_.monitor) down_.monitor->Attach(socket);
  socket->SetRecvCallback(MakeCallback(&MessageConnection::OnServerReadable, this));
  socket->SetSendCallback(MakeCallback(&MessageConnection::OnServerWritable, this));
  Pump(down_);
}

void MessageConnection::OnClientReadable(Ptr<Socket> socket) { OnReceive(down_, socket); }
void MessageConnection::OnServerReadable(Ptr<Socket> socket) { OnReceive(up_, socket); }
void MessageConnection::OnClientWritable(Ptr<Socket>, uint32_t) { Pump(up_); }
void MessageConnection::OnServerWritable(Ptr<Socket>, uint32_t) { Pump(down_); }

void MessageConnection::Send(bool from_client, uint64_t payload_bytes, Delivered delivered,
                             bool probe) {
  Direction& d = from_client ? up_ : down_;
  const uint64_t bytes = payload_bytes + kFrameHeaderBytes;
  if (probe && d.monitor) d.monitor->OnProbe(d.queued_bytes, d.queued_bytes + bytes);
  d.queued_bytes += bytes;
  d.unsent.push_back(bytes);
  d.unsent_bytes += bytes;
  d.in_flight.push_back({bytes, std::move(delivered)});
  Pump(d);
}

void MessageConnection::Pump(Direction& d) {
  if (!d.tx) return;
  while (!d.unsent.empty()) {
    const uint32_t room = d.tx->GetTxAvailable();
    if (room == 0) return;  // the send callback resumes when the buffer drains
    const uint32_t chunk = static_cast<uint32_t>(std::min<uint64_t>(d.unsent.front(), room));
    // Counted as written before TCP sends any of it (a monitor reads the count).
    d.unsent_bytes -= chunk;
    const int sent = d.tx->Send(Create<Packet>(chunk));
    if (sent <= 0) {
      d.unsent_bytes += chunk;
      return;
    }
    d.unsent_bytes += chunk - static_cast<uint32_t>(sent);
    d.unsent.front() -= static_cast<uint64_t>(sent);
    if (d.unsent.front() == 0) d.unsent.pop_front();
  }
}

std::optional<DeliveryEstimate> MessageConnection::Estimate(bool from_client) const {
  const Direction& d = from_client ? up_ : down_;
  if (!d.monitor) return std::nullopt;
  return d.monitor->Estimate();
}

void MessageConnection::OnReceive(Direction& d, Ptr<Socket> socket) {
  while (Ptr<Packet> p = socket->Recv()) {
    d.received += p->GetSize();
    while (!d.in_flight.empty() && d.received >= d.in_flight.front().bytes) {
      d.received -= d.in_flight.front().bytes;
      Delivered done = std::move(d.in_flight.front().delivered);
      d.in_flight.pop_front();
      done();
    }
  }
}

}  // namespace coinfer
