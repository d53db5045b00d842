// TraceGatedQueueDisc: one direction of a link as Mahimahi's shells stack
// it (mm-delay, then mm-link): an optional ingress delay line (the part of
// the direction's propagation delay the ns-3 channel, shared by both
// directions, does not carry), then the bottleneck queue — a child queue disc
// (drop-tail FIFO, CoDel or FqCoDel) — drained by the device either at its
// constant DataRate or as a trace says. Two replay modes for traces:
//   exact:  packets leave only at the trace's delivery opportunities, as
//           Mahimahi's mm-link does: each opportunity carries up to 1500 bytes
//           from the head of the queue; a larger packet waits for several, and
//           bytes an opportunity cannot use are lost. Bursts and outages are
//           reproduced, not averaged. The device must be much faster than the
//           trace.
//   binned: the device's DataRate is set to each bin's mean rate at the bin's
//           start (cheaper: no event per opportunity); bins without capacity
//           hold the queue.
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "ns3/event-id.h"
#include "ns3/net-device.h"
#include "ns3/nstime.h"
#include "ns3/queue-disc.h"
#include "traces/delivery_trace.h"

namespace coinfer {

class TraceGatedQueueDisc : public ns3::QueueDisc {
 public:
  static ns3::TypeId GetTypeId();
  TraceGatedQueueDisc();
  ~TraceGatedQueueDisc() override;

  // Exact mode. Call before the simulation runs; the trace is shared.
  void SetTrace(std::shared_ptr<const DeliveryTrace> trace);
  // Binned mode: `device` sends this direction; rates in bit/s per bin of bin_s.
  void SetBinnedRates(ns3::Ptr<ns3::NetDevice> device, std::vector<double> rates_bps, double bin_s);
  // Holds every packet this long before it joins the queue. Without a trace
  // the device's DataRate drains the queue.
  void SetIngressDelay(ns3::Time delay);

 private:
  bool DoEnqueue(ns3::Ptr<ns3::QueueDiscItem> item) override;
  ns3::Ptr<ns3::QueueDiscItem> DoDequeue() override;
  bool CheckConfig() override;
  void InitializeParams() override;
  void DoDispose() override;

  ns3::Ptr<ns3::QueueDisc> Child() const;
  bool EnqueueInChild(ns3::Ptr<ns3::QueueDiscItem> item);
  // Exact mode.
  void ScheduleNextOpportunity();
  void OnOpportunity();
  // Binned mode.
  void OnBin(size_t bin);

  std::shared_ptr<const DeliveryTrace> trace_;
  std::deque<ns3::Ptr<ns3::QueueDiscItem>> released_;  // may leave now
  uint32_t head_progress_ = 0;                         // bytes of the child's head already carried
  uint64_t next_index_ = 0;                            // next opportunity not yet used or skipped
  ns3::EventId event_;

  ns3::Ptr<ns3::NetDevice> device_;
  std::vector<double> bin_rates_bps_;
  double bin_s_ = 0;
  bool open_ = true;

  ns3::Time ingress_delay_;
};

}  // namespace coinfer
