// Timing a zoo model on this host with LibTorch: every layer on its own
// (inputs recorded from one forward pass) and the whole model, after warm-up,
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

// Builds the named zoo model and times it. InvalidInput for an unknown model
// or options below 1 (warmup may be 0).
Status TimeZooModel(const std::string& name, const TimingOptions& options, ModelTiming* out);

}  // namespace coinfer
