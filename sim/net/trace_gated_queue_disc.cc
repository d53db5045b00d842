#include "sim/net/trace_gated_queue_disc.h"

#include "ns3/data-rate.h"
#include "ns3/simulator.h"

namespace coinfer {

using namespace ns3;

NS_OBJECT_ENSURE_REGISTERED(TraceGatedQueueDisc);

TypeId TraceGatedQueueDisc::GetTypeId() {
  static TypeId tid = TypeId("coinfer::TraceGatedQueueDisc")
                          .SetParent<QueueDisc>()
                          .SetGroupName("TrafficControl")
                          .AddConstructor<TraceGatedQueueDisc>();
  return tid;
}

TraceGatedQueueDisc::TraceGatedQueueDisc() : QueueDisc(QueueDiscSizePolicy::NO_LIMITS) {}

TraceGatedQueueDisc::~TraceGatedQueueDisc() = default;

void TraceGatedQueueDisc::SetTrace(std::shared_ptr<const DeliveryTrace> trace) {
  trace_ = std::move(trace);
}

void TraceGatedQueueDisc::SetBinnedRates(Ptr<NetDevice> device, std::vector<double> rates_bps,
                                         double bin_s) {
  device_ = device;
  bin_rates_bps_ = std::move(rates_bps);
  bin_s_ = bin_s;
  Simulator::ScheduleNow(&TraceGatedQueueDisc::OnBin, this, 0);
}

void TraceGatedQueueDisc::SetIngressDelay(Time delay) { ingress_delay_ = delay; }

Ptr<QueueDisc> TraceGatedQueueDisc::Child() const { return GetQueueDiscClass(0)->GetQueueDisc(); }

bool TraceGatedQueueDisc::DoEnqueue(Ptr<QueueDiscItem> item) {
  if (ingress_delay_.IsZero()) return EnqueueInChild(item);
  // In flight towards the bottleneck: it joins the queue later (or is dropped
  // there, which the child reports to this queue disc's statistics).
  Simulator::Schedule(ingress_delay_, [this, item] {
    if (EnqueueInChild(item)) Run();
  });
  return true;
}

bool TraceGatedQueueDisc::EnqueueInChild(Ptr<QueueDiscItem> item) {
  if (!Child()->Enqueue(item)) return false;
  if (trace_ && !event_.IsRunning()) ScheduleNextOpportunity();
  return true;
}

Ptr<QueueDiscItem> TraceGatedQueueDisc::DoDequeue() {
  if (!trace_) return open_ ? Child()->Dequeue() : nullptr;
  if (released_.empty()) return nullptr;
  Ptr<QueueDiscItem> item = released_.front();
  released_.pop_front();
  return item;
}

void TraceGatedQueueDisc::ScheduleNextOpportunity() {
  // Skips the opportunities that passed while the queue had nothing to send.
  const int64_t now = Simulator::Now().GetNanoSeconds();
  next_index_ = trace_->FirstOpportunityAtOrAfter(now, next_index_);
  event_ = Simulator::Schedule(NanoSeconds(trace_->OpportunityNs(next_index_) - now),
                               &TraceGatedQueueDisc::OnOpportunity, this);
}

void TraceGatedQueueDisc::OnOpportunity() {
  ++next_index_;
  uint32_t budget = DeliveryTrace::kBytesPerOpportunity;
  while (budget > 0) {
    Ptr<const QueueDiscItem> head = Child()->Peek();
    if (!head) break;
    const uint32_t need = head->GetSize() - head_progress_;
    if (need > budget) {
      head_progress_ += budget;
      break;
    }
    budget -= need;
    head_progress_ = 0;
    released_.push_back(Child()->Dequeue());
  }
  if (!released_.empty()) Run();
  if (Child()->GetNPackets() > 0) ScheduleNextOpportunity();
}

void TraceGatedQueueDisc::OnBin(size_t bin) {
  const double bps = bin_rates_bps_[bin % bin_rates_bps_.size()];
  open_ = bps > 0;
  if (open_) {
    device_->SetAttribute("DataRate", DataRateValue(DataRate(static_cast<uint64_t>(bps))));
    Run();
  }
  event_ = Simulator::Schedule(Seconds(bin_s_), &TraceGatedQueueDisc::OnBin, this, bin + 1);
}

bool TraceGatedQueueDisc::CheckConfig() {
  return GetNQueueDiscClasses() == 1 && GetNInternalQueues() == 0 && GetNPacketFilters() == 0;
}

void TraceGatedQueueDisc::InitializeParams() {}

void TraceGatedQueueDisc::DoDispose() {
  Simulator::Cancel(event_);
  released_.clear();
  device_ = nullptr;
  QueueDisc::DoDispose();
}

}  // namespace coinfer
