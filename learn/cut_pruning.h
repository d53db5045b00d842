// CNNPC's communication-driven compression of a cut tensor (codec prune:R),
// in the style of He et al. 2017: the fraction R of the tensor's channels is
// not sent, and the receiver works from the kept ones.
//   - Selection by LASSO (compress/lasso.h): each consumer of the tensor
//     (a convolution with groups 1, a linear layer, through a flatten, or an
//     element-wise add, i.e. a residual shortcut) is linear in it, so its
//     output is a sum of per-channel contributions; the Gram matrix of those
//     contributions, summed over the consumers (each averaged over its
//     sampled output elements: 16 positions per image for a convolution, as
//     He et al. sample 10), gives the channels the outputs need. When any
//     consumer is of another kind (a batch norm, an activation, a pooling, a
//     depthwise convolution), the tensor's channels are ranked by energy
//     (mean square), which is LASSO's choice when the consumer is the
//     identity.
//   - Reconstruction by least squares: each removed channel is rebuilt as an
//     affine combination of the kept channels, fitted on every position of
//     the calibration images (ridge 1e-8 of the mean diagonal, for rank-
//     deficient tensors). This is the next layers' weight reconstruction
//     folded into the receiver: a consumer convolution or linear layer
//     applied to the rebuilt tensor equals the same layer with reconstructed
//     weights on the kept channels (up to the constant term at zero-padded
//     borders). It minimises the tensor's error rather than each consumer's
//     output error (He et al.'s objective), so that one reconstruction serves
//     every consumer, shortcuts included, and the model itself is unchanged.
// No fine-tuning: the catalog measures the accuracy as it is.
#pragma once

#include <vector>

#include "compress/codec.h"
#include "dnn/network.h"

namespace coinfer {

struct CutPruning {
  std::vector<int> kept;                 // ascending, KeptCount(C, 1 - rate) channels
  ChannelReconstruction reconstruction;  // the Codec's layout
  bool lasso = false;                    // selected by LASSO (false: by energy)
};

// Prunes the fraction `rate` of the channels of `split`'s crossing tensor
// (graph recorded from `net`), calibrated on `calibration` (a batch of the
// network's inputs).
CutPruning PlanCutPruning(Network& net, const Graph& graph, const SplitPoint& split,
                          const torch::Tensor& calibration, double rate);

}  // namespace coinfer
