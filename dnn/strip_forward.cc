#include "dnn/strip_forward.h"

#include <string>
#include <vector>

namespace coinfer {

Status ForwardStrip(Network& net, const Graph& graph, int begin, int end, RowRange out,
                    const torch::Tensor& input_rows, torch::Tensor* output) {
  std::vector<RowRange> produced;
  RowRange have;
  COINFER_RETURN_IF_ERROR(StripRows(graph, begin, end, out, &produced, &have));
  if (input_rows.dim() != 4 || input_rows.size(2) != have.size())
    return Status::InvalidInput("", "strip",
                                "layers " + std::to_string(begin) + "-" + std::to_string(end - 1) +
                                    " read " + std::to_string(have.size()) + " input rows, got " +
                                    (input_rows.dim() == 4 ? std::to_string(input_rows.size(2))
                                                           : "a tensor that is not NCHW"));
  torch::InferenceMode guard;
  torch::Tensor x = input_rows;
  for (int i = begin; i < end; ++i) {
    const RowWindow& w = graph.layers[i].rows;
    // The module, run on rows starting at `first` (a multiple of its stride),
    // computes output row first / stride + j as the whole layer computes
    // row j: its windows line up. Rows [first, have.begin) are read by no
    // row we keep; they are zeros so that the windows line up.
    const int64_t first = have.begin / w.stride * w.stride;
    if (first < have.begin) {
      std::vector<int64_t> pad_shape(x.sizes().begin(), x.sizes().end());
      pad_shape[2] = have.begin - first;
      x = torch::cat({torch::zeros(pad_shape, x.options()), x}, 2);
    }
    const int source = i == begin ? graph.layers[i].inputs[0] : i - 1;
    const torch::Tensor y = net.ForwardRange(i, source, x, i + 1, i);
    const RowRange want = produced[i - begin];
    x = y.narrow(2, want.begin - first / w.stride, want.size());
    have = want;
  }
  *output = x;
  return Status::Ok();
}

}  // namespace coinfer
