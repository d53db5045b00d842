#include "sim/trace_gated_queue_disc.h"

#include <algorithm>

#include "ns3/drop-tail-queue.h"
#include "ns3/simulator.h"

namespace coinfer {

using namespace ns3;

NS_OBJECT_ENSURE_REGISTERED(TraceGatedQueueDisc);

TypeId TraceGatedQueueDisc::GetTypeId() {
  static TypeId tid =
      TypeId("coinfer::TraceGatedQueueDisc")
          .SetParent<QueueDisc>()
          .SetGroupName("TrafficControl")
          .AddConstructor<TraceGatedQueueDisc>()
          .AddAttribute("MaxSize", "The bottleneck queue's limit (drop-tail)",
                        QueueSizeValue(QueueSize("1000p")),
                        MakeQueueSizeAccessor(&QueueDisc::SetMaxSize, &QueueDisc::GetMaxSize),
                        MakeQueueSizeChecker());
  return tid;
}

TraceGatedQueueDisc::TraceGatedQueueDisc()
    : QueueDisc(QueueDiscSizePolicy::SINGLE_INTERNAL_QUEUE) {}

TraceGatedQueueDisc::~TraceGatedQueueDisc() = default;

void TraceGatedQueueDisc::SetTrace(std::shared_ptr<const DeliveryTrace> trace) {
  trace_ = std::move(trace);
}

int64_t TraceGatedQueueDisc::OpportunityNs(uint64_t index) const {
  const uint64_t n = trace_->opportunities.size();
  const uint64_t cycle = index / n;
  return (static_cast<int64_t>(cycle) * trace_->period_ms + trace_->opportunities[index % n]) *
         1000000LL;
}

bool TraceGatedQueueDisc::DoEnqueue(Ptr<QueueDiscItem> item) {
  if (GetCurrentSize() + item > GetMaxSize()) {
    DropBeforeEnqueue(item, kLimitExceededDrop);
    return false;
  }
  const uint32_t size = item->GetSize();
  if (!GetInternalQueue(0)->Enqueue(item)) return false;
  sizes_.push_back(size);
  if (!event_.IsRunning()) ScheduleNextOpportunity();
  return true;
}

Ptr<QueueDiscItem> TraceGatedQueueDisc::DoDequeue() {
  if (released_ == 0) return nullptr;
  Ptr<QueueDiscItem> item = GetInternalQueue(0)->Dequeue();
  --released_;
  sizes_.pop_front();
  return item;
}

void TraceGatedQueueDisc::ScheduleNextOpportunity() {
  // Skip the opportunities that passed while the queue had nothing to send:
  // jump to the current loop, then binary-search inside it.
  const int64_t now = Simulator::Now().GetNanoSeconds();
  if (OpportunityNs(next_index_) < now) {
    const uint64_t n = trace_->opportunities.size();
    const int64_t period_ns = trace_->period_ms * 1000000LL;
    const uint64_t cycle = static_cast<uint64_t>(now / period_ns);
    const int64_t rest_ms = (now - static_cast<int64_t>(cycle) * period_ns + 999999) / 1000000;
    const auto& op = trace_->opportunities;
    const uint64_t offset = std::lower_bound(op.begin(), op.end(), rest_ms) - op.begin();
    next_index_ = std::max(next_index_, cycle * n + offset);
  }
  event_ = Simulator::Schedule(NanoSeconds(OpportunityNs(next_index_) - now),
                               &TraceGatedQueueDisc::OnOpportunity, this);
}

void TraceGatedQueueDisc::OnOpportunity() {
  ++next_index_;
  uint32_t budget = DeliveryTrace::kBytesPerOpportunity;
  while (released_ < sizes_.size() && budget > 0) {
    const uint32_t need = sizes_[released_] - head_progress_;
    if (need > budget) {
      head_progress_ += budget;
      budget = 0;
    } else {
      budget -= need;
      head_progress_ = 0;
      ++released_;
    }
  }
  if (released_ > 0) Run();
  if (released_ < sizes_.size()) ScheduleNextOpportunity();
}

bool TraceGatedQueueDisc::CheckConfig() {
  if (GetNQueueDiscClasses() > 0 || GetNPacketFilters() > 0 || !trace_) return false;
  if (GetNInternalQueues() == 0) {
    AddInternalQueue(CreateObjectWithAttributes<DropTailQueue<QueueDiscItem>>(
        "MaxSize", QueueSizeValue(GetMaxSize())));
  }
  return GetNInternalQueues() == 1;
}

void TraceGatedQueueDisc::InitializeParams() {}

void TraceGatedQueueDisc::DoDispose() {
  Simulator::Cancel(event_);
  QueueDisc::DoDispose();
}

}  // namespace coinfer
