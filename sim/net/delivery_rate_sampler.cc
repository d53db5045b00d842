#include "sim/net/delivery_rate_sampler.h"

#include <algorithm>

namespace coinfer {

void DeliveryRateSampler::OnSend(uint64_t seq, uint32_t bytes, double now_s, uint64_t backlog,
                                 uint32_t cwnd) {
  if (!started_) {
    started_ = true;
    sent_end_ = acked_ = first_seq_ = seq;
  }
  const uint64_t end = seq + bytes;
  if (seq < sent_end_) {
    for (Segment& s : segments_)
      if (s.end > seq && s.begin < end) s.retransmitted = true;
    return;
  }
  // An empty pipe restarts both intervals: idle time is not path time.
  if (in_flight() == 0) first_sent_s_ = delivered_s_ = now_s;
  const bool measurement = seq - first_seq_ >= measure_begin_ && seq - first_seq_ < measure_end_;
  // Linux's tcp_rate_check_app_limited: less than a segment left to send and
  // room in the window.
  if (!measurement && backlog < bytes && in_flight() + bytes < cwnd)
    app_limited_until_ = std::max<uint64_t>(delivered_ + in_flight() + bytes, 1);
  segments_.push_back({seq, end, now_s, delivered_, delivered_s_, first_sent_s_,
                       !measurement && app_limited_until_ != 0});
  sent_end_ = end;
}

void DeliveryRateSampler::MarkMeasurement(uint64_t begin, uint64_t end) {
  measure_begin_ = begin;
  measure_end_ = end;
}

std::optional<DeliveryRateSampler::Sample> DeliveryRateSampler::OnAck(uint64_t ack, double now_s) {
  if (!started_ || ack <= acked_) return std::nullopt;
  ack = std::min(ack, sent_end_);
  delivered_ += ack - acked_;
  acked_ = ack;
  delivered_s_ = now_s;
  if (app_limited_until_ != 0 && delivered_ > app_limited_until_) app_limited_until_ = 0;
  std::optional<Segment> newest;  // the latest sent of the segments this ACK covers
  while (!segments_.empty() && segments_.front().end <= ack) {
    newest = segments_.front();
    segments_.pop_front();
  }
  if (!newest) return std::nullopt;
  const Segment& s = *newest;
  first_sent_s_ = s.sent_s;
  Sample sample;
  sample.round_start = s.delivered >= next_round_delivered_;
  if (sample.round_start) next_round_delivered_ = delivered_;
  const double interval = std::max(s.sent_s - s.first_sent_s, now_s - s.delivered_s);
  if (interval <= 0) return std::nullopt;
  sample.interval_s = interval;
  sample.bytes_per_s = static_cast<double>(delivered_ - s.delivered) / interval;
  sample.rtt_s = s.retransmitted ? 0 : now_s - s.sent_s;
  sample.app_limited = s.app_limited;
  return sample;
}

}  // namespace coinfer
