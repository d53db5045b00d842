// Running a strip for real: a segment of row-local layers computed with
// LibTorch for a band of its output rows only, from the band of input rows
// (halo included) that dnn/strips.h says it reads. This is what a cluster
// device does with the strip the leader sends it; the strips of a segment,
// concatenated, are the segment's output. Includes LibTorch (through
// dnn/network.h): include it only from .cc files that run models.
#pragma once

#include "base/status.h"
#include "dnn/network.h"
#include "dnn/strips.h"

namespace coinfer {

// Output rows `out` of layer end − 1, computing layers [begin, end) of `net`
// (recorded as `graph`) on `input_rows`: rows StripRows(...).input of layer
// begin's input, in NCHW. Each layer runs its own module on the rows it
// needs, so its padding applies only at the feature map's real borders. An
// InvalidInput when the layers are not a strip's (StripRows) or input_rows
// has not the rows they read.
Status ForwardStrip(Network& net, const Graph& graph, int begin, int end, RowRange out,
                    const torch::Tensor& input_rows, torch::Tensor* output);

}  // namespace coinfer
