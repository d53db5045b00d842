#include "sim/energy.h"

#include <algorithm>
#include <map>

namespace coinfer {
namespace {

// A request entering or leaving the flight, or one of its transfers going on
// or off the air, at time t.
struct Boundary {
  double t;
  int request;
  int in_flight;  // +1, -1 or 0
  int sending;    // +1, -1 or 0
};

}  // namespace

void AssignEndDeviceEnergy(const DevicePower& power, std::vector<RequestRecord>* requests) {
  for (RequestRecord& r : *requests) r.end_energy_j = -1;
  if (!power.known()) return;
  std::vector<double> joules(requests->size(), 0);
  std::vector<Boundary> boundaries;
  for (size_t i = 0; i < requests->size(); ++i) {
    const RequestRecord& r = (*requests)[i];
    if (!r.completed) continue;
    const int id = static_cast<int>(i);
    boundaries.push_back({r.arrival_s, id, +1, 0});
    boundaries.push_back({r.arrival_s + r.actual_ms / 1e3, id, -1, 0});
    for (const StageRecord& s : r.stages) {
      if (s.stage.site != Site::kEndDevice || s.end_s < 0) continue;
      if (s.stage.kind == Stage::Kind::kCompute) {
        joules[i] += (power.compute_w - power.idle_w) * (s.end_s - s.start_s);
      } else {
        joules[i] += power.transmit_w_per_mbps * s.stage.bytes * 8.0 / 1e6;
        boundaries.push_back({s.start_s, id, 0, +1});
        boundaries.push_back({s.end_s, id, 0, -1});
      }
    }
  }
  std::stable_sort(boundaries.begin(), boundaries.end(),
                   [](const Boundary& a, const Boundary& b) { return a.t < b.t; });
  // Between consecutive boundaries the sets below are fixed: share out the
  // idle draw among the requests in flight and the radio's among transfers.
  std::map<int, int> in_flight, sending;  // request -> its count (ordered: deterministic sums)
  int transfers = 0;
  for (size_t b = 0; b < boundaries.size(); ++b) {
    const Boundary& edge = boundaries[b];
    if (edge.in_flight != 0 && (in_flight[edge.request] += edge.in_flight) == 0)
      in_flight.erase(edge.request);
    if (edge.sending != 0) {
      transfers += edge.sending;
      if ((sending[edge.request] += edge.sending) == 0) sending.erase(edge.request);
    }
    if (b + 1 == boundaries.size()) break;
    const double seconds = boundaries[b + 1].t - edge.t;
    if (seconds <= 0) continue;
    for (const auto& [id, count] : in_flight)
      joules[id] += power.idle_w * seconds * count / in_flight.size();
    for (const auto& [id, count] : sending)
      joules[id] += (power.transmit_w - power.idle_w) * seconds * count / transfers;
  }
  for (size_t i = 0; i < requests->size(); ++i)
    if ((*requests)[i].completed) (*requests)[i].end_energy_j = joules[i];
}

}  // namespace coinfer
