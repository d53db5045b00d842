// JMDC's model compression: attention-selected channels of the device-side
// convolutions. Each convolution before the split (groups 1) whose output
// reaches exactly one consumer through channel-wise layers (activation,
// batch norm, pooling, channel attention, whose fully connected layer is
// sliced with the channels) — a convolution, or a linear layer after a flatten —
// keeps the ⌈keep·C⌉ output channels of highest attention: the channel's
// global average of |activation| after the element-wise layers, averaged
// over calibration images (an SE block's squeeze, without its learnt
// excitation). The convolution, the batch norms on the way and the consumer's
// inputs are sliced, so the device side's MACs shrink and the network still
// computes; fine-tuning (learn/training.h) then recovers accuracy.
// Convolutions feeding an add or concat (residual blocks) are left whole.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "datasets/image_set.h"
#include "dnn/graph.h"

namespace coinfer {

class Network;

struct PrunedConv {
  int layer = 0;              // the convolution's layer index
  std::vector<int64_t> kept;  // output channels kept, ascending
};

struct PruningPlan {
  int split = 0;               // layers [0, split) are the device side
  double keep_fraction = 1.0;  // of each pruned convolution's channels
  // EdgeDI's L1-norm filter pruning (learn/l1_pruning.h): the validation
  // top-1 each layer's choice kept; 0: the attention-selected plan above.
  double accuracy_floor = 0;
  std::vector<PrunedConv> convs;
};

// The convolutions before `split` that pruning may slice: groups 1, their
// channels reaching one consumer (a convolution, or a linear layer after a
// flatten) through channel-wise layers.
std::vector<int> PrunableConvs(Network& net, const Graph& graph, int split);

// Chooses the channels from `samples` calibration images of `calibration`.
PruningPlan PlanPruning(Network& net, const Graph& graph, const ImageSet& calibration,
                        int64_t samples, int split, double keep_fraction);

// Slices `net` (whose Graph is `graph`, recorded before pruning) as planned:
// with trained weights it keeps their kept parts; on a fresh network it
// gives the shapes that pruned weights load into.
Status ApplyPruning(const PruningPlan& plan, const Graph& graph, Network* net);

}  // namespace coinfer
