#include "sim/energy.h"

#include <algorithm>
#include <numeric>

namespace coinfer {
namespace {

// A request entering or leaving the flight, or one of its transfers going on
// or off the air, at time t.
struct Boundary {
  double t;
  int in_flight;  // +1, -1 or 0
  int sending;    // +1, -1 or 0
};

}  // namespace

double AssignEndDeviceEnergy(const DevicePower& power, SiteId end,
                             const std::vector<DeviceTransfer>& own,
                             std::vector<RequestRecord>* requests) {
  for (RequestRecord& r : *requests) r.end_energy_j = -1;
  if (!power.known()) return -1;
  // Every request in flight draws idle power at the same rate, idle_w / (requests
  // in flight), and every transfer on air the radio's at (transmit_w − idle_w) /
  // (transfers on air): a request's share is the difference of the running
  // integral of that rate between its two boundaries.
  std::vector<Boundary> boundaries;
  for (const RequestRecord& r : *requests) {
    if (!r.completed) continue;
    boundaries.push_back({r.arrival_s, +1, 0});
    boundaries.push_back({r.arrival_s + r.actual_ms / 1e3, -1, 0});
    for (const StageRecord& s : r.stages)
      if (s.stage.site == end && s.stage.kind == Stage::Kind::kTransfer && s.end_s >= 0) {
        boundaries.push_back({s.start_s, 0, +1});
        boundaries.push_back({s.end_s, 0, -1});
      }
  }
  for (const DeviceTransfer& t : own)
    if (t.end_s >= 0) {
      boundaries.push_back({t.start_s, 0, +1});
      boundaries.push_back({t.end_s, 0, -1});
    }
  std::vector<size_t> order(boundaries.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return boundaries[a].t < boundaries[b].t; });
  std::vector<double> idle_j(boundaries.size()), radio_j(boundaries.size());  // at each boundary
  double idle = 0, radio = 0, last_t = 0;
  int in_flight = 0, sending = 0;
  for (size_t b : order) {
    const double seconds = boundaries[b].t - last_t;
    if (in_flight > 0) idle += power.idle_w * seconds / in_flight;
    if (sending > 0) radio += (power.transmit_w - power.idle_w) * seconds / sending;
    idle_j[b] = idle;
    radio_j[b] = radio;
    in_flight += boundaries[b].in_flight;
    sending += boundaries[b].sending;
    last_t = boundaries[b].t;
  }
  // The boundaries in the order they were made: each request's own pairs,
  // then the device's own transfers'.
  auto transfer_j = [&](size_t b, uint64_t bytes) {
    return radio_j[b + 1] - radio_j[b] + power.transmit_w_per_mbps * bytes * 8.0 / 1e6;
  };
  size_t b = 0;
  for (RequestRecord& r : *requests) {
    if (!r.completed) continue;
    double joules = idle_j[b + 1] - idle_j[b];
    b += 2;
    for (const StageRecord& s : r.stages) {
      if (s.stage.site != end || s.end_s < 0) continue;
      if (s.stage.kind == Stage::Kind::kCompute) {
        joules += (power.compute_w - power.idle_w) * (s.end_s - s.start_s);
      } else {
        joules += transfer_j(b, s.stage.bytes);
        b += 2;
      }
    }
    r.end_energy_j = joules;
  }
  double own_j = 0;
  for (const DeviceTransfer& t : own)
    if (t.end_s >= 0) {
      own_j += transfer_j(b, t.bytes);
      b += 2;
    }
  return own_j;
}

}  // namespace coinfer
