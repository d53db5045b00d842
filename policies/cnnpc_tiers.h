// CNNPC's view of a model on three sites: segment times between chosen cut
// points on the end device, the edge and the cloud (their device models),
// and the tensor crossing each cut.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "devices/device_model.h"
#include "dnn/graph.h"
#include "policies/cnnpc_search.h"

namespace coinfer {

// Tiers for `graph` cut at `cuts` (split indices, ascending, each a split
// point strictly inside the model; empty: every such split point). A
// boundary's bytes are graph.TransferBytes of its crossing tensor (what the
// scenario's codec sends, or what sent_bytes says).
Status MakeCnnpcTiers(const Graph& graph, const std::vector<int>& cuts, const DeviceModel& end,
                      const DeviceModel& edge, const DeviceModel& cloud, double overhead_ms,
                      CnnpcTiers* out);

// Whether `cuts` (as MakeCnnpcTiers takes them) are split points of `graph`.
Status CheckCnnpcCuts(const Graph& graph, const std::vector<int>& cuts);

// Where a point computes: "end", "end-edge", "end-edge-cloud", "end-cloud"
// (the edge relays), "edge", "edge-cloud" or "cloud".
std::string CnnpcPlacement(const CnnpcPoint& p, int segments);

}  // namespace coinfer
