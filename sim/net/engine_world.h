// What an engine run acts on: a clock that runs callbacks at their time, and
// a network that moves messages between sites. The simulation supplies
// ns-3's (Simulation, PacketNetwork); emulation supplies real ones (the
// steady clock, processes joined by shaped links). The engine cannot tell.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

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

class SiteNetwork {
 public:
  virtual ~SiteNetwork() = default;
  // Sends `bytes` of payload from one site to another; `delivered` runs on
  // the clock when the last byte has arrived. A probe measures the path: its
  // sender never counts it application-limited.
  virtual void Send(SiteId from, SiteId to, uint64_t bytes, std::function<void()> delivered,
                    bool probe = false) = 0;
  // The sender's own view of its connection to `to`, where the network keeps
  // one (estimator.kind = delivery).
  virtual std::optional<DeliveryEstimate> Estimate(SiteId from, SiteId to) const = 0;
};

}  // namespace coinfer
