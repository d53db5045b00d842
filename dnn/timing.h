// Timing a zoo model on this host with LibTorch: every layer inside whole
// forward passes, and uninstrumented whole passes, after warm-up,
// under torch::InferenceMode. No LibTorch in this header.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "dnn/graph.h"

namespace coinfer {

struct TimingOptions {
  int warmup = 3;
  int repeats = 20;
  int threads = 1;  // intra-op threads (torch::set_num_threads)
};

struct ModelTiming {
  Graph graph;
  std::vector<std::vector<double>> layer_ms;  // per layer, one sample per repeat
  std::vector<double> whole_ms;               // whole forward passes
};

// Builds the named zoo models and times them, their passes interleaved (each
// repeat runs every model once), so a shared host's drifting speed weighs on
// all of them alike and their times compare. InvalidInput for an unknown
// model or options below 1 (warmup may be 0).
Status TimeZooModels(const std::vector<std::string>& names, const TimingOptions& options,
                     std::vector<ModelTiming>* out);

}  // namespace coinfer
