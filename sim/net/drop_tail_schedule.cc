#include "sim/net/drop_tail_schedule.h"

namespace coinfer {

DropTailSchedule::DropTailSchedule(std::shared_ptr<const DeliveryTrace> trace, Limit limit)
    : trace_(std::move(trace)), limit_(limit) {}

bool DropTailSchedule::Fits(uint32_t bytes) const {
  return limit_.bytes ? queued_bytes_ + bytes <= limit_.value : queued_.size() + 1 <= limit_.value;
}

int64_t DropTailSchedule::Admit(int64_t arrive_ns, uint32_t bytes) {
  while (!queued_.empty() && queued_.front().depart_ns <= arrive_ns) {
    queued_bytes_ -= queued_.front().bytes;
    queued_.pop_front();
  }
  if (!Fits(bytes)) return kDropped;
  const int64_t depart = Departure(arrive_ns, bytes);
  queued_.push_back({depart, bytes});
  queued_bytes_ += bytes;
  return depart;
}

int64_t DropTailSchedule::Departure(int64_t arrive_ns, uint32_t bytes) {
  uint64_t index;
  uint32_t budget;
  if (!queued_.empty() && last_left_ > 0) {
    // Behind a packet still queued: the rest of the opportunity that carries
    // its last byte is this one's, as the gate hands the head on.
    index = last_index_;
    budget = last_left_;
  } else {
    // The queue is empty (what an opportunity left when it emptied the
    // queue is lost) or its last opportunity is full: the next one from now.
    index = trace_->FirstOpportunityAtOrAfter(arrive_ns, used_any_ ? last_index_ + 1 : 0);
    budget = DeliveryTrace::kBytesPerOpportunity;
  }
  uint32_t need = bytes;
  while (need > budget) {
    need -= budget;
    ++index;
    budget = DeliveryTrace::kBytesPerOpportunity;
  }
  last_index_ = index;
  last_left_ = budget - need;
  used_any_ = true;
  return trace_->OpportunityNs(index);
}

}  // namespace coinfer
