// Inputs shared by the policy tests: random layer DAGs and observations.
#pragma once

#include <algorithm>
#include <random>

#include "policies/registry.h"
#include "sim/observation.h"

namespace coinfer {

// A random DAG of n layers: each reads the previous layer (or the input) and,
// now and then, up to two earlier layers too.
inline Graph RandomDag(std::mt19937& rng, int n) {
  std::uniform_int_distribution<int64_t> macs(1'000'000, 500'000'000), bytes(1'000, 2'000'000);
  Graph g;
  g.model = "random";
  g.input_bytes = bytes(rng);
  for (int v = 0; v < n; ++v) {
    Layer l;
    l.kind = LayerKind::kConv;
    l.macs = macs(rng);
    l.output_bytes = bytes(rng);
    l.inputs = {v - 1};
    for (int extra = 0; extra < 2 && v > 1; ++extra) {
      if (rng() % 3 != 0) continue;
      const int u = static_cast<int>(rng() % v) - 1;
      if (std::find(l.inputs.begin(), l.inputs.end(), u) == l.inputs.end()) l.inputs.push_back(u);
    }
    g.layers.push_back(l);
  }
  return g;
}

// The name of the policy `spec` makes, or "error: " and the registry's message.
inline std::string CreatedName(const std::string& spec) {
  std::unique_ptr<Policy> p;
  const Status st = CreatePolicy(spec, &p);
  return st.ok() ? p->name() : "error: " + st.message();
}

// Every link at `mbps`: the uplink estimate, and the prior of links not yet
// used (the result's way back).
inline void SetEstimate(Observation* obs, double mbps) {
  obs->uplink_estimate_mbps = mbps;
  obs->prior_mbps = mbps;
}

inline Observation ObservationOf(const Graph& graph, const DeviceModel& end,
                                 const DeviceModel& cloud, double uplink_mbps) {
  Observation obs;
  obs.graph = &graph;
  obs.sites = {{"end", SiteRole::kEndDevice, &end}, {"cloud", SiteRole::kCloud, &cloud}};
  obs.end = 0;
  obs.cloud = 1;
  obs.queue = {0, 0};
  SetEstimate(&obs, uplink_mbps);
  return obs;
}

}  // namespace coinfer
