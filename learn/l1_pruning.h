// EdgeDI's model compression after its compact blocks: L1-norm filter
// pruning (Li et al., "Pruning Filters for Efficient ConvNets", ICLR 2017),
// layer by layer as far as an accuracy floor allows. Each prunable
// convolution (learn/channel_pruning.h: PrunableConvs), in layer order,
// keeps the filters of largest L1 norm (of the trained weights): the
// smallest fraction among those tried whose network — this layer pruned on
// top of the earlier layers' choices, not fine-tuned — still classifies at
// least `floor` of the validation images scored; a layer no fraction keeps
// above the floor stays whole. Fine-tuning the whole pruned network comes
// after (learn/model_compression.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "datasets/image_set.h"
#include "learn/channel_pruning.h"

namespace coinfer {

struct L1PruningOptions {
  double accuracy_floor = 0.9;                             // of validation top-1, in (0, 1]
  std::vector<double> keep_fractions = {0.25, 0.5, 0.75};  // tried in this order
  int64_t validation_samples = 1000;                       // first N validation images scored
};

// One layer's decision: the fraction kept (1: whole) and the accuracy it scored.
struct L1Step {
  int layer = 0;
  int64_t channels = 0, kept = 0;
  double accuracy = 0;
};

// The plan for the trained model of `card_path` (graph: its Graph).
Status PlanL1Pruning(const std::string& card_path, const Graph& graph, const ImageSet& validation,
                     const L1PruningOptions& options,
                     const std::function<void(const L1Step&)>& progress, PruningPlan* plan);

}  // namespace coinfer
