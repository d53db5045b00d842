// DeliveryRateSampler: the delivery rate and round-trip samples a TCP sender
// takes from its own ACKs, as Linux does for BBR (tcp_rate.c; the IETF draft
// "Delivery Rate Estimation", Cheng et al.). Each data segment remembers, when
// it leaves, how much had been delivered and when; once a cumulative ACK covers
// it, the rate sample is
//   (delivered now - delivered then) / max(send interval, ACK interval)
// where the send interval runs from the first segment sent in that flight to
// this one, and the ACK interval from the delivery it remembers to now (the
// larger of the two resists ACK compression). A segment sent when the sender
// had nothing more to send and room in its window is app-limited: its sample
// measures the application, not the path. No ns-3 type: the connection feeds
// it from the socket's traces (sim/net/message_transport.cc).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace coinfer {

class DeliveryRateSampler {
 public:
  struct Sample {
    double bytes_per_s = 0;  // the delivery rate
    double interval_s = 0;   // the interval it was measured over
    double rtt_s = 0;        // round trip of the newest segment acknowledged; 0: retransmitted
    bool app_limited = false;
    bool round_start = false;  // the first sample of a new round trip
  };

  // A data segment [seq, seq + bytes) leaves at `now_s`; `backlog` is what
  // the sender holds still unsent after it, `cwnd` its congestion window.
  // A segment that starts below the highest sequence sent is a retransmission.
  void OnSend(uint64_t seq, uint32_t bytes, double now_s, uint64_t backlog, uint32_t cwnd);
  // The cumulative ACK reached `ack` at `now_s`; a sample when it acknowledged
  // a segment not retransmitted.
  std::optional<Sample> OnAck(uint64_t ack, double now_s);
  // The stream's bytes [begin, end) (counted from its first data byte) are a
  // measurement the application sends on purpose (a probe): their segments
  // are never app-limited, however little follows them.
  void MarkMeasurement(uint64_t begin, uint64_t end);

  uint64_t delivered() const { return delivered_; }
  uint64_t in_flight() const { return sent_end_ - acked_; }

 private:
  struct Segment {
    uint64_t begin, end;
    double sent_s;
    uint64_t delivered;   // delivered_ when it left
    double delivered_s;   // delivered_s_ when it left
    double first_sent_s;  // first_sent_s_ when it left
    bool app_limited;
    bool retransmitted = false;
  };

  std::deque<Segment> segments_;    // sent, not yet acknowledged, in sequence order
  uint64_t sent_end_ = 0;           // highest sequence sent
  uint64_t acked_ = 0;              // cumulative ACK
  uint64_t delivered_ = 0;          // bytes acknowledged so far
  double delivered_s_ = 0;          // when delivered_ last grew
  double first_sent_s_ = 0;         // when the current flight's first segment left
  uint64_t app_limited_until_ = 0;  // delivered_ beyond which samples are not app-limited; 0: none
  uint64_t next_round_delivered_ = 0;
  bool started_ = false;
  uint64_t first_seq_ = 0;  // the stream's first data byte
  uint64_t measure_begin_ = 0, measure_end_ = 0;
};

}  // namespace coinfer
