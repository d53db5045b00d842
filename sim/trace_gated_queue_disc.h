// TraceGatedQueueDisc: an ns-3 queue disc that releases packets only at a
// Mahimahi trace's delivery opportunities, as mm-link does: each opportunity
// carries up to 1500 bytes from the head of the queue; a larger packet waits
// for several, and bytes an opportunity cannot use are lost. Bursts and
// outages of the trace are reproduced, not averaged. Installed on a device
// much faster than the trace, it is the link's bottleneck; its queue is a
// drop-tail queue of MaxSize.
#pragma once

#include <deque>
#include <memory>

#include "ns3/event-id.h"
#include "ns3/queue-disc.h"
#include "traces/delivery_trace.h"

namespace coinfer {

class TraceGatedQueueDisc : public ns3::QueueDisc {
 public:
  static ns3::TypeId GetTypeId();
  TraceGatedQueueDisc();
  ~TraceGatedQueueDisc() override;

  // Must be called before the first packet; the trace is shared, not copied.
  void SetTrace(std::shared_ptr<const DeliveryTrace> trace);

  static constexpr const char* kLimitExceededDrop = "Queue disc limit exceeded";

 private:
  bool DoEnqueue(ns3::Ptr<ns3::QueueDiscItem> item) override;
  ns3::Ptr<ns3::QueueDiscItem> DoDequeue() override;
  bool CheckConfig() override;
  void InitializeParams() override;
  void DoDispose() override;

  // Time of opportunity `index` (counted over all loops), in ns.
  int64_t OpportunityNs(uint64_t index) const;
  void ScheduleNextOpportunity();
  void OnOpportunity();

  std::shared_ptr<const DeliveryTrace> trace_;
  std::deque<uint32_t> sizes_;  // sizes of the queued packets, in order
  size_t released_ = 0;         // packets at the head that may leave now
  uint32_t head_progress_ = 0;  // bytes of the next unreleased packet already carried
  uint64_t next_index_ = 0;     // next opportunity not yet used or skipped
  ns3::EventId event_;
};

}  // namespace coinfer
