// What several engine tests build alike: a one-layer model with a big input,
// and a two-tier network of 10 Mbit/s links with 10 ms each way.
#pragma once

#include "dnn/graph.h"
#include "sim/engine.h"

namespace coinfer {

// A one-layer model whose input is 500 kB: offloading it sends 500 kB.
inline Graph BigInputGraph() {
  Graph g;
  g.model = "big_input";
  g.input_shape = {1, 125000};
  g.input_bytes = 500'000;
  Layer l;
  l.name = "fc";
  l.kind = LayerKind::kLinear;
  l.inputs = {Layer::kModelInput};
  l.input_shapes = {g.input_shape};
  l.input_bytes = g.input_bytes;
  l.output_shape = {1, 10};
  l.output_bytes = 40;
  g.layers.push_back(l);
  return g;
}

// `graph` on `end` offloading to `cloud` over two-tier links of 10 Mbit/s and
// 10 ms each way.
inline void TwoTierTenMbps(const Graph* graph, const DeviceModel* end, const DeviceModel* cloud,
                           EngineConfig* config) {
  config->graph = graph;
  config->sites = TopologySites(config->network);  // two-tier: end, cloud
  config->sites[0].device = end;
  config->sites[1].device = cloud;
  config->network.uplink.capacity.constant_mbps = 10;
  config->network.downlink.capacity.constant_mbps = 10;
  config->network.uplink.delay_ms = config->network.downlink.delay_ms = 10;
}

// A finished request of 1 s: 0.3 s of compute on the end device (site 0),
// 250 kB (2 Mbit) sent to the cloud in 0.4 s, 0.2 s of compute in the cloud.
inline RequestRecord OffloadedRequest() {
  RequestRecord r;
  r.completed = true;
  r.actual_ms = 1000;
  Stage compute;
  Stage send;
  send.kind = Stage::Kind::kTransfer;
  send.bytes = 250'000;
  Stage cloud;
  cloud.site = 1;
  r.stages = {{compute, 0, 0.0, 0.3}, {send, 0.3, 0.3, 0.7}, {cloud, 0.7, 0.7, 0.9}};
  return r;
}

}  // namespace coinfer
