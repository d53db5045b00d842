// Inputs shared by the policy tests: random layer DAGs and observations.
#pragma once

#include <algorithm>
#include <cmath>
#include <random>

#include "policies/registry.h"
#include "sim/observation.h"

namespace coinfer {

// A random wide DAG of n layers in topological order: each reads one to three
// of the earlier outputs or the input, chosen at random (so branches,
// outputs read by several layers and joins all occur, and a layer need not
// read its predecessor); an output no layer reads feeds the last layer.
inline Graph RandomDag(std::mt19937& rng, int n) {
  // Log-uniform sizes (1e5 to 1e9 MACs, 100 B to 2 MB), so that cheap and
  // costly layers, small and large tensors meet in one graph.
  std::uniform_real_distribution<double> log_macs(5, 9), log_bytes(2, 6.3);
  auto macs = [&](std::mt19937& r) { return static_cast<int64_t>(std::pow(10, log_macs(r))); };
  auto bytes = [&](std::mt19937& r) { return static_cast<int64_t>(std::pow(10, log_bytes(r))); };
  Graph g;
  g.model = "random";
  g.input_bytes = static_cast<int64_t>(std::pow(10, log_bytes(rng) + 1));  // inputs are larger
  std::vector<bool> read(n, false);
  for (int v = 0; v < n; ++v) {
    Layer l;
    l.kind = LayerKind::kConv;
    l.macs = macs(rng);
    l.output_bytes = bytes(rng);
    const int reads = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < reads; ++k) {
      const int u = static_cast<int>(rng() % (v + 1)) - 1;  // -1: the input
      if (std::find(l.inputs.begin(), l.inputs.end(), u) != l.inputs.end()) continue;
      l.inputs.push_back(u);
      if (u >= 0) read[u] = true;
    }
    g.layers.push_back(l);
  }
  for (int u = 0; u + 1 < n; ++u)
    if (!read[u]) g.layers.back().inputs.push_back(u);
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
