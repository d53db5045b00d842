// SenderMonitor: reads a TCP sender's own view of its path from its socket,
// the way a deployed sender reads TCP_INFO: every data segment it sends and
// every ACK it receives feed a DeliveryRateSampler, whose samples feed a
// DeliveryEstimator; its congestion window is traced. Attached only when a
// policy's estimator asks for it (estimator.kind = delivery): it costs a
// few callbacks per packet.
#pragma once

#include <cstdint>

#include "ns3/ptr.h"
#include "ns3/sequence-number.h"
#include "ns3/socket.h"
#include "ns3/tcp-header.h"
#include "ns3/tcp-socket-base.h"
#include "sim/net/delivery_estimator.h"

namespace coinfer {

class SenderMonitor {
 public:
  // `app_unsent` counts the bytes the application holds that it has not yet
  // written to the socket; it must outlive the monitor.
  SenderMonitor(const uint64_t* app_unsent, const DeliveryFilter& filter);
  SenderMonitor(const SenderMonitor&) = delete;
  SenderMonitor& operator=(const SenderMonitor&) = delete;

  void Attach(ns3::Ptr<ns3::Socket> socket);
  // The connection's handshake took `rtt_s`: a round trip of the path.
  void OnHandshake(double rtt_s);
  // The application's bytes [begin, end) of the stream are a probe
  // (DeliveryRateSampler::MarkMeasurement).
  void OnProbe(uint64_t begin, uint64_t end) { sampler_.MarkMeasurement(begin, end); }
  DeliveryEstimate Estimate() const;

 private:
  void OnTx(ns3::Ptr<const ns3::Packet> packet, const ns3::TcpHeader& header,
            ns3::Ptr<const ns3::TcpSocketBase> socket);
  void OnAck(ns3::SequenceNumber32 old_ack, ns3::SequenceNumber32 new_ack);
  void OnCwnd(uint32_t /*old_cwnd*/, uint32_t new_cwnd) { cwnd_ = new_cwnd; }
  // 32-bit TCP sequence numbers to a 64-bit count that does not wrap.
  uint64_t Unwrap(ns3::SequenceNumber32 seq);

  const uint64_t* app_unsent_;
  ns3::Ptr<ns3::TcpSocketBase> socket_;
  DeliveryRateSampler sampler_;
  DeliveryEstimator estimator_;
  uint32_t cwnd_ = 0;
  uint64_t last_seq_ = 0;
  bool seen_seq_ = false;
};

}  // namespace coinfer
