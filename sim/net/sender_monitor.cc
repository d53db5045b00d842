#include "sim/net/sender_monitor.h"

#include <stdexcept>

#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/tcp-tx-buffer.h"
#include "ns3/uinteger.h"

namespace coinfer {

using namespace ns3;

SenderMonitor::SenderMonitor(const uint64_t* app_unsent, const DeliveryFilter& filter)
    : app_unsent_(app_unsent), estimator_(filter) {}

void SenderMonitor::Attach(Ptr<Socket> socket) {
  socket_ = DynamicCast<TcpSocketBase>(socket);
  if (!socket_) throw std::logic_error("SenderMonitor: not a TCP socket");
  UintegerValue initial_segments, segment_bytes;
  socket_->GetAttribute("InitialCwnd", initial_segments);
  socket_->GetAttribute("SegmentSize", segment_bytes);
  cwnd_ = static_cast<uint32_t>(initial_segments.Get() * segment_bytes.Get());
  const bool traced =
      socket_->TraceConnectWithoutContext("Tx", MakeCallback(&SenderMonitor::OnTx, this)) &&
      socket_->TraceConnectWithoutContext("HighestRxAck",
                                          MakeCallback(&SenderMonitor::OnAck, this)) &&
      socket_->TraceConnectWithoutContext("CongestionWindow",
                                          MakeCallback(&SenderMonitor::OnCwnd, this));
  if (!traced) throw std::logic_error("SenderMonitor: ns-3's TCP socket lacks a trace source");
}

uint64_t SenderMonitor::Unwrap(SequenceNumber32 seq) {
  if (!seen_seq_) {
    seen_seq_ = true;
    last_seq_ = seq.GetValue();
    return last_seq_;
  }
  const int32_t delta = static_cast<int32_t>(seq.GetValue() - static_cast<uint32_t>(last_seq_));
  last_seq_ += delta;
  return last_seq_;
}

void SenderMonitor::OnTx(Ptr<const Packet> packet, const TcpHeader& header,
                         Ptr<const TcpSocketBase>) {
  const uint32_t bytes = packet->GetSize();
  if (bytes == 0) return;  // a pure ACK or a SYN
  const SequenceNumber32 seq = header.GetSequenceNumber();
  const uint64_t unsent_in_socket = socket_->GetTxBuffer()->SizeFromSequence(seq + bytes);
  sampler_.OnSend(Unwrap(seq), bytes, Simulator::Now().GetSeconds(),
                  unsent_in_socket + *app_unsent_, cwnd_);
}

void SenderMonitor::OnAck(SequenceNumber32, SequenceNumber32 new_ack) {
  if (!seen_seq_) return;  // the handshake's ACK
  const double now = Simulator::Now().GetSeconds();
  if (auto sample = sampler_.OnAck(Unwrap(new_ack), now)) estimator_.OnSample(*sample, now);
}

void SenderMonitor::OnHandshake(double rtt_s) {
  estimator_.OnRtt(rtt_s, Simulator::Now().GetSeconds());
}

DeliveryEstimate SenderMonitor::Estimate() const {
  DeliveryEstimate e;
  e.path_mbps = estimator_.PathMbps();
  e.app_limited_mbps = estimator_.AppLimitedMbps();
  e.min_rtt_s = estimator_.MinRttS();
  e.cwnd_bytes = cwnd_;
  e.backlog_bytes = *app_unsent_ + (socket_ ? socket_->GetTxBuffer()->Size() : 0);
  return e;
}

}  // namespace coinfer
