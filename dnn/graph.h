// Graph: a DNN as a DAG of layers in topological order, with what partitioning
// needs to know of each layer (shapes, MACs, parameter and output bytes).
// Plain C++: no LibTorch here, so everything above dnn/ compiles without it.
// A Graph is recorded by running the real model once (dnn/network.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace coinfer {

enum class LayerKind {
  kConv,
  kDepthwiseConv,
  kLinear,
  kBatchNorm,
  kActivation,
  kMaxPool,
  kAvgPool,
  kAdd,
  kConcat,
  kFlatten,
  kAttention,  // channel attention (dnn/channel_attention.h)
};
constexpr int kLayerKinds = static_cast<int>(LayerKind::kAttention) + 1;

const char* LayerKindName(LayerKind kind);

using Shape = std::vector<int64_t>;

int64_t NumElements(const Shape& shape);
// Dimensions joined by 'x', e.g. "1x3x224x224".
std::string ShapeText(const Shape& shape);

// How a layer maps output rows to input rows: output row r reads input rows
// r·stride − padding + d·dilation for d in [0, kernel) (convolutions and
// pooling; the identity for element-wise layers). dnn/strips.h uses it.
struct RowWindow {
  int64_t kernel = 1, stride = 1, padding = 0, dilation = 1;
};

struct Layer {
  static constexpr int kModelInput = -1;  // an input index naming the model's input

  std::string name;  // module path, e.g. "layer1.0.conv1"
  LayerKind kind = LayerKind::kConv;
  std::vector<int> inputs;  // producing layers (kModelInput for the model's input)
  std::vector<Shape> input_shapes;
  Shape output_shape;
  int64_t macs = 0;  // multiply-accumulates (convolutions and linear layers)
  int64_t param_bytes = 0;
  int64_t input_bytes = 0;  // sum over inputs
  int64_t output_bytes = 0;
  // The framework kernel that computed it when recorded (dnn/kernel_observer.h),
  // e.g. "mkldnn_convolution"; empty when not known.
  std::string kernel;
  // Whether each output row depends on a window of input rows only
  // (convolutions, pooling, batch norm, activations on NCHW tensors), and that
  // window: what a strip of rows needs.
  bool row_local = false;
  RowWindow rows;
};

// Calls fn(begin, end) for each run of consecutive indices in `layers`
// (ascending), end excluded: {0,1,2,5} gives (0,3) and (5,6).
template <class Fn>
void ForEachRun(const std::vector<int>& layers, Fn fn) {
  for (size_t i = 0; i < layers.size();) {
    size_t j = i;
    while (j + 1 < layers.size() && layers[j + 1] == layers[j] + 1) ++j;
    fn(layers[i], layers[j] + 1);
    i = j + 1;
  }
}

// A layer's input shapes as ShapeText joined by ';'.
std::string InputShapesText(const Layer& layer);

// A cut after the first `index` layers in topological order: layers [0, index)
// run on the first side, [index, n) on the second. Valid only when a single
// tensor crosses it (or none, index == n), so its cost is that tensor's bytes.
struct SplitPoint {
  int index = 0;
  int source = Layer::kModelInput;  // layer whose output crosses (kModelInput at 0)
  int64_t bytes = 0;                // bytes crossing; 0 when index == n
};

struct Graph {
  std::string model;
  Shape input_shape;  // N, C, H, W
  int64_t input_bytes = 0;
  int element_bytes = 4;  // fp32
  std::vector<Layer> layers;

  // What crossing a link costs, when a codec compresses the crossing tensors:
  // sent_bytes[source + 1] is the bytes sent for `source`'s output ([0]: the
  // model input). Empty: every tensor is sent raw (fp32).
  std::vector<int64_t> sent_bytes;

  int size() const { return static_cast<int>(layers.size()); }
  // Bytes a transfer of `source`'s output sends (kModelInput: the input).
  int64_t TransferBytes(int source) const;
  int64_t TotalMacs() const;
  // True when every layer consumes exactly the previous one's output.
  bool IsChain() const;
  // Split points in order, from 0 (everything on the second side) to size()
  // (everything on the first side). For a chain: every layer boundary; for a
  // DAG: the boundaries where one tensor crosses (block boundaries).
  std::vector<SplitPoint> SplitPoints() const;
};

// The layers that read each layer's output, ascending ([v]: v's consumers).
std::vector<std::vector<int>> LayerConsumers(const Graph& g);

}  // namespace coinfer
