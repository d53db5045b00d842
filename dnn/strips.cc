#include "dnn/strips.h"

#include <algorithm>
#include <string>

namespace coinfer {
namespace {

constexpr int kRows = 2;  // NCHW

int64_t Rows(const Shape& shape) { return shape.at(kRows); }

// The input rows that output rows `out` of `layer` read, clipped to its input.
RowRange InputRows(const Layer& layer, RowRange out) {
  const RowWindow& w = layer.rows;
  const int64_t first = out.begin * w.stride - w.padding;
  const int64_t last = (out.end - 1) * w.stride - w.padding + (w.kernel - 1) * w.dilation;
  return {std::max<int64_t>(first, 0), std::min(last + 1, Rows(layer.input_shapes[0]))};
}

}  // namespace

Status StripRows(const Graph& g, int begin, int end, RowRange out, std::vector<RowRange>* produced,
                 RowRange* input) {
  if (begin < 0 || begin >= end || end > g.size())
    return Status::InvalidInput(
        "", "strip",
        "layers [" + std::to_string(begin) + ", " + std::to_string(end) + ") are not a segment");
  for (int i = begin; i < end; ++i) {
    const Layer& l = g.layers[i];
    const int before = i == begin ? l.inputs.at(0) : i - 1;
    if (!l.row_local || l.inputs.size() != 1 || l.inputs[0] != before)
      return Status::InvalidInput("", "strip",
                                  "layer " + std::to_string(i) + " (" + l.name +
                                      ") does not compute rows from the layer before it");
  }
  if (out.empty() || out.begin < 0 || out.end > Rows(g.layers[end - 1].output_shape))
    return Status::InvalidInput("", "strip",
                                "rows [" + std::to_string(out.begin) + ", " +
                                    std::to_string(out.end) + ") are not rows of layer " +
                                    std::to_string(end - 1));
  produced->assign(end - begin, {});
  RowRange rows = out;
  for (int i = end - 1; i >= begin; --i) {
    (*produced)[i - begin] = rows;
    rows = InputRows(g.layers[i], rows);
  }
  *input = rows;
  return Status::Ok();
}

Status StripGraph(const Graph& g, int begin, int end, RowRange out, Graph* strip) {
  std::vector<RowRange> produced;
  RowRange input;
  COINFER_RETURN_IF_ERROR(StripRows(g, begin, end, out, &produced, &input));
  *strip = g;
  strip->model = g.model + "@rows=" + std::to_string(out.begin) + "-" + std::to_string(out.end) +
                 ":" + std::to_string(end - 1);
  for (int i = begin; i < end; ++i) {
    Layer& l = strip->layers[i];
    const RowRange in = i == begin ? input : produced[i - 1 - begin];
    const RowRange rows = produced[i - begin];
    const double out_share = double(rows.size()) / Rows(l.output_shape);
    const double in_share = double(in.size()) / Rows(l.input_shapes[0]);
    l.macs = static_cast<int64_t>(l.macs * out_share + 0.5);
    l.output_bytes = static_cast<int64_t>(l.output_bytes * out_share + 0.5);
    l.input_bytes = static_cast<int64_t>(l.input_bytes * in_share + 0.5);
    l.output_shape[kRows] = rows.size();
    l.input_shapes[0][kRows] = in.size();
  }
  return Status::Ok();
}

std::vector<Segment> StripSegments(const Graph& g) {
  std::vector<int> readers(g.size(), 0);
  for (const Layer& l : g.layers)
    for (int in : l.inputs)
      if (in >= 0) ++readers[in];
  auto pooling = [](const Layer& l) {
    return l.kind == LayerKind::kMaxPool || l.kind == LayerKind::kAvgPool;
  };
  auto convolution = [](const Layer& l) {
    return l.kind == LayerKind::kConv || l.kind == LayerKind::kDepthwiseConv;
  };
  std::vector<Segment> segments;
  for (int i = 0; i < g.size();) {
    const Layer& first = g.layers[i];
    if (!first.row_local || first.inputs.size() != 1) {
      ++i;
      continue;
    }
    int end = i + 1;
    while (end < g.size() && !pooling(g.layers[end - 1]) && readers[end - 1] == 1 &&
           g.layers[end].row_local && g.layers[end].inputs == std::vector<int>{end - 1})
      ++end;
    bool has_convolution = false;
    for (int l = i; l < end; ++l) has_convolution |= convolution(g.layers[l]);
    if (has_convolution) segments.push_back({i, end});
    i = end;
  }
  return segments;
}

int64_t StripInputBytes(const Graph& g, int begin, RowRange rows) {
  const Shape& shape = g.layers.at(begin).input_shapes.at(0);
  return NumElements(shape) / Rows(shape) * rows.size() * g.element_bytes;
}

}  // namespace coinfer
