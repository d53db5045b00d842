#include "emulate/shaped_direction.h"

#include <algorithm>

namespace coinfer {

ShapedDirection::ShapedDirection(std::shared_ptr<const DeliveryTrace> trace, int64_t delay_ns,
                                 uint64_t queue_limit_bytes, int64_t start_ns, int64_t ingress_ns)
    : trace_(std::move(trace)),
      delay_ns_(delay_ns),
      limit_bytes_(queue_limit_bytes),
      start_ns_(start_ns),
      ingress_ns_(ingress_ns) {}

uint64_t ShapedDirection::Room(int64_t now_ns) const {
  // Bytes read now join the queue one ingress delay later; by then the link
  // has carried at most its opportunities in (now, now + ingress].
  const int64_t from = now_ns - start_ns_ + 1;
  const uint64_t opportunities = trace_->FirstOpportunityAtOrAfter(from + ingress_ns_, 0) -
                                 trace_->FirstOpportunityAtOrAfter(from, 0);
  const uint64_t allowed = limit_bytes_ + opportunities * kPayloadPerOpportunity;
  const uint64_t in = ingress_bytes_ + queued_bytes_;
  return in >= allowed ? 0 : allowed - in;
}

void ShapedDirection::Enter(int64_t now_ns, int stream, size_t bytes) {
  if (bytes == 0) return;
  ingress_.push_back({now_ns + ingress_ns_, stream, bytes});
  ingress_bytes_ += bytes;
}

int64_t ShapedDirection::OpportunityAt(uint64_t index) const {
  return start_ns_ + trace_->OpportunityNs(index);
}

void ShapedDirection::JoinQueue() {
  const Chunk chunk = ingress_.front();
  ingress_.pop_front();
  ingress_bytes_ -= chunk.bytes;
  if (queued_.empty()) {
    // An idle queue lets the opportunities before this chunk pass unused.
    next_opportunity_ =
        trace_->FirstOpportunityAtOrAfter(chunk.at_ns - start_ns_, next_opportunity_);
  }
  queued_.push_back(chunk);
  queued_bytes_ += chunk.bytes;
}

// One opportunity's packet from the head of the queue onto the delay line.
void ShapedDirection::Carry(int64_t opportunity_ns) {
  const int64_t across_ns = opportunity_ns + delay_ns_;
  size_t budget = kPayloadPerOpportunity;
  while (budget > 0 && !queued_.empty()) {
    Chunk& head = queued_.front();
    const size_t carried = std::min(budget, head.bytes);
    Chunk* last = propagating_.empty() ? nullptr : &propagating_.back();
    if (last && last->stream == head.stream && last->at_ns == across_ns) {
      last->bytes += carried;
    } else {
      propagating_.push_back({across_ns, head.stream, carried});
    }
    head.bytes -= carried;
    queued_bytes_ -= carried;
    budget -= carried;
    if (head.bytes == 0) queued_.pop_front();
  }
}

void ShapedDirection::Advance(int64_t now_ns, std::vector<Released>* out) {
  while (true) {
    if (queued_.empty()) {
      if (ingress_.empty() || ingress_.front().at_ns > now_ns) break;
      JoinQueue();
      continue;
    }
    const int64_t opportunity = OpportunityAt(next_opportunity_);
    // Bytes that reach the queue by the opportunity's instant may use it.
    while (!ingress_.empty() && ingress_.front().at_ns <= std::min(opportunity, now_ns)) {
      JoinQueue();
    }
    if (opportunity > now_ns) break;
    Carry(opportunity);
    ++next_opportunity_;
  }
  while (!propagating_.empty() && propagating_.front().at_ns <= now_ns) {
    const Chunk& chunk = propagating_.front();
    if (!out->empty() && out->back().stream == chunk.stream) {
      out->back().bytes += chunk.bytes;
    } else {
      out->push_back({chunk.stream, chunk.bytes});
    }
    propagating_.pop_front();
  }
}

int64_t ShapedDirection::NextChangeNs() const {
  int64_t next = ingress_.empty() ? kNever : ingress_.front().at_ns;
  if (!queued_.empty()) next = std::min(next, OpportunityAt(next_opportunity_));
  if (!propagating_.empty()) next = std::min(next, propagating_.front().at_ns);
  return next;
}

}  // namespace coinfer
