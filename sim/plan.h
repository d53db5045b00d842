// Plan: what a policy decided for one request, as a small DAG of stages —
// compute stages (a range of layers on one site) and transfer stages (bytes
// from one site to another), sites named by their index in the run's site
// table (sim/net/site.h). The Engine runs a stage once its dependencies are done;
// each stage carries the policy's predicted duration.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dnn/strips.h"
#include "sim/net/site.h"

namespace coinfer {

struct Graph;

struct Stage {
  enum class Kind { kCompute, kTransfer };
  Kind kind = Kind::kCompute;
  // Compute only: what it computes: layers, or a codec's work on a tensor
  // (sim/codec_stages.h), the tensor named by split and codec below.
  enum class Work { kLayers, kEncode, kDecode };
  Work work = Work::kLayers;
  double work_ms = 0;       // encode and decode: the device's time for it, before load
  SiteId site = 0;          // compute: where; transfer: the sender
  SiteId to = kNoSite;      // transfer only: the receiver
  std::vector<int> layers;  // compute only: graph layer indices, ascending
  // Compute only: the graph the layers belong to when it is not the run's
  // (a pruned model variant); null: the run's graph.
  const Graph* graph = nullptr;
  // Compute only: a strip of the layers' output rows (dnn/strips.h: the layers
  // are a row-local chain, each computing the rows the strip needs, halo
  // included); empty: the layers whole.
  RowRange rows;
  int cores = 1;        // compute only: cores the stage holds on its site
  int64_t bytes = 0;    // transfer only: payload bytes
  bool result = false;  // transfer only: the result going back to the end device
  // Transfer, encode and decode, with measured compression: the split point (index into
  // graph.SplitPoints()) whose crossing tensor it carries and the codec
  // (index into MeasuredCompression::codecs) it is sent with; -1: the plan's
  // split and codec. A plan with two cuts compresses each tensor its own way.
  int split = -1;
  int codec = -1;
  std::vector<int> deps;  // indices of stages that must finish first
  double predicted_ms = 0;
  // Compute only: the predicted wait for its site's cores (PredictQueueWaits).
  double predicted_wait_ms = 0;
};

class DeviceModel;

// The device's time for a compute stage on `graph` (its own or a variant's):
// its layers, or their strip priced from the strip's own MACs and bytes (a
// device's measurements of that strip where it has them), plus the device's
// per-task overhead; a codec stage's work_ms. *measured: whether
// measurements alone gave it. An InvalidInput when the strip is not one of
// the layers.
Status StageComputeMs(const Stage& stage, const Graph& graph, const DeviceModel& device, double* ms,
                      bool* measured);

// The plan's predicted latency when its stages run as soon as their
// dependencies are done: the longest path of predicted stage times, each
// compute stage's predicted wait included.
double CriticalPathMs(const std::vector<Stage>& stages);

// Layer indices as ranges, e.g. "0-17" or "0-3,5,9-12" (ends included).
std::string LayersText(const std::vector<int>& layers);

struct Plan {
  std::vector<Stage> stages;  // in an order where every dep precedes its user
  int split = -1;             // split point index for single-cut plans
  double predicted_ms = 0;    // the policy's prediction of the whole request
  // With measured compression: the codec (index into its codecs) the
  // crossing tensor is sent with.
  int codec = 0;
  // The pruned model variant (index into MeasuredCompression::variants) the
  // plan runs; -1: the trained model itself.
  int variant = -1;
  // For policies with a requirement (latency or accuracy): whether the
  // chosen plan is predicted to meet it (1) or is a fallback (0); -1: none.
  int requirement_met = -1;
};

}  // namespace coinfer
