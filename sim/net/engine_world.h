// What an engine run acts on: a clock that runs callbacks at their time, and
// a network that moves messages between sites. The simulation supplies
// ns-3's (Simulation, PacketNetwork); emulation supplies real ones (the
// steady clock, processes joined by shaped links). The engine cannot tell.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/net/delivery_estimator.h"
#include "sim/net/site.h"

namespace coinfer {

class EngineClock {
 public:
  virtual ~EngineClock() = default;
  // Seconds since the run started.
  virtual double Now() const = 0;
  // Runs `fn` after `delay_s` seconds, after every callback already due then.
  virtual void Schedule(double delay_s, std::function<void()> fn) = 0;
  // Ends the run after the current callback.
  virtual void Stop() = 0;
};

// What a request's transfers carry, for a network that moves real data
// (emulation); ns-3's moves sizes only.
struct TransferPlan {
  int stage = -1;  // index in the request's stages
  SiteId from = kNoSite, to = kNoSite;
  bool result = false;  // the answer's way back
  int split = -1;       // the split point whose tensor it carries (-1: none measured)
  std::string codec;    // the tensor's codec (CodecSpec text)
};

struct RequestPlan {
  int request = -1;
  int sample = -1;               // the test sample it carries (-1: none measured)
  int64_t measured_samples = 0;  // the catalog's samples it was drawn from
  std::string variant;           // the pruned model variant that runs ("": the trained model)
  std::vector<TransferPlan> transfers;
};

// Which message a transfer is: its request and stage (-1: a probe).
struct MessageTag {
  int request = -1;
  int stage = -1;
};

class SiteNetwork {
 public:
  virtual ~SiteNetwork() = default;
  // A request's plan is final, before any of its stages starts.
  virtual void Prepare(const RequestPlan& /*plan*/) {}
  // Sends `bytes` of payload from one site to another; `delivered` runs on
  // the clock when the last byte has arrived. A probe measures the path: its
  // sender never counts it application-limited.
  virtual void Send(SiteId from, SiteId to, uint64_t bytes, std::function<void()> delivered,
                    bool probe = false, MessageTag tag = {}) = 0;
  // The sender's own view of its connection to `to`, where the network keeps
  // one (estimator.kind = delivery).
  virtual std::optional<DeliveryEstimate> Estimate(SiteId from, SiteId to) const = 0;
};

}  // namespace coinfer
