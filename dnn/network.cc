#include "dnn/network.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "base/stopwatch.h"
#include "dnn/channel_attention.h"
#include "dnn/kernel_observer.h"

namespace coinfer {
namespace {

// Module names may not contain dots: "layer1.0.conv1" is kept as "layer1_0_conv1".
std::string ModuleKey(std::string name) {
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

Shape ShapeOf(const torch::Tensor& t) { return Shape(t.sizes().begin(), t.sizes().end()); }

int64_t ParamBytes(const torch::nn::Module& m) {
  int64_t bytes = 0;
  for (const auto& p : m.parameters()) bytes += p.numel() * p.element_size();
  return bytes;
}

// A pooling layer's row window (its first dimension: rows).
template <class Options>
RowWindow PoolRows(const Options& o, int64_t dilation) {
  return {o.kernel_size()->at(0), o.stride()->at(0), o.padding()->at(0), dilation};
}

// Kind and MACs of a module node, from the module's type and recorded shapes,
// and its row window when each output row reads a window of input rows.
LayerKind ClassifyModule(const torch::nn::Module& m, const torch::Tensor& out, int64_t* macs,
                         std::optional<RowWindow>* rows) {
  *macs = 0;
  rows->reset();
  if (auto* conv = dynamic_cast<const torch::nn::Conv2dImpl*>(&m)) {
    const auto& o = conv->options;
    const int64_t in_per_group = o.in_channels() / o.groups();
    const auto& k = o.kernel_size();
    *macs = out.numel() * in_per_group * k->at(0) * k->at(1);
    // Rows outside the input are zeros only with zero padding: other modes
    // read wrapped or reflected rows a strip does not have.
    auto* pad = c10::get_if<torch::ExpandingArray<2>>(&o.padding());
    if (pad && c10::get_if<torch::enumtype::kZeros>(&o.padding_mode()))
      *rows = RowWindow{k->at(0), o.stride()->at(0), (*pad)->at(0), o.dilation()->at(0)};
    const bool depthwise = o.groups() > 1 && o.groups() == o.in_channels();
    return depthwise ? LayerKind::kDepthwiseConv : LayerKind::kConv;
  }
  if (auto* fc = dynamic_cast<const torch::nn::LinearImpl*>(&m)) {
    *macs = out.numel() / fc->options.out_features() * fc->options.in_features() *
            fc->options.out_features();
    return LayerKind::kLinear;
  }
  if (dynamic_cast<const torch::nn::BatchNorm2dImpl*>(&m)) {
    *rows = RowWindow{};
    return LayerKind::kBatchNorm;
  }
  if (dynamic_cast<const torch::nn::ReLUImpl*>(&m) ||
      dynamic_cast<const torch::nn::ReLU6Impl*>(&m)) {
    *rows = RowWindow{};
    return LayerKind::kActivation;
  }
  if (auto* pool = dynamic_cast<const torch::nn::MaxPool2dImpl*>(&m)) {
    *rows = PoolRows(pool->options, pool->options.dilation()->at(0));
    return LayerKind::kMaxPool;
  }
  if (auto* pool = dynamic_cast<const torch::nn::AvgPool2dImpl*>(&m)) {
    *rows = PoolRows(pool->options, 1);
    return LayerKind::kAvgPool;
  }
  if (dynamic_cast<const torch::nn::AdaptiveAvgPool2dImpl*>(&m)) return LayerKind::kAvgPool;
  if (dynamic_cast<const torch::nn::FlattenImpl*>(&m)) return LayerKind::kFlatten;
  if (auto* attention = dynamic_cast<const ChannelAttentionImpl*>(&m)) {
    *macs = out.size(0) * attention->channels() * attention->channels();  // its fc
    return LayerKind::kAttention;
  }
  throw std::invalid_argument("unsupported module type: " + m.name());
}

}  // namespace

std::shared_ptr<torch::nn::Module> Network::module(int id) const {
  return nodes_.at(id).op == Op::kModule ? nodes_[id].module.ptr() : nullptr;
}

void Network::ReplaceModule(int id, torch::nn::AnyModule module) {
  Node& node = nodes_.at(id);
  root_->replace_module(ModuleKey(node.name), module.ptr());
  node.module = std::move(module);
}

int Network::Add(std::string name, torch::nn::AnyModule module, int input) {
  root_->register_module(ModuleKey(name), module.ptr());
  nodes_.push_back({std::move(name), Op::kModule, std::move(module), {input}});
  return last();
}

int Network::AddSum(std::string name, std::vector<int> inputs) {
  nodes_.push_back({std::move(name), Op::kSum, {}, std::move(inputs)});
  return last();
}

int Network::AddConcat(std::string name, std::vector<int> inputs) {
  nodes_.push_back({std::move(name), Op::kConcat, {}, std::move(inputs)});
  return last();
}

std::vector<std::pair<std::string, torch::Tensor>> Network::State() const {
  std::vector<std::pair<std::string, torch::Tensor>> state;
  for (const auto& p : root_->named_parameters()) state.emplace_back(p.key(), p.value());
  for (const auto& b : root_->named_buffers()) state.emplace_back(b.key(), b.value());
  return state;
}

void Network::Save(const std::string& path) const {
  torch::serialize::OutputArchive archive;
  root_->save(archive);
  archive.save_to(path);
}

void Network::Load(const std::string& path) {
  torch::serialize::InputArchive archive;
  archive.load_from(path);
  root_->load(archive);
}

torch::Tensor Network::RunNode(Node& node, const std::vector<torch::Tensor>& outputs,
                               const torch::Tensor& input) {
  std::vector<torch::Tensor> args;
  for (int i : node.inputs) args.push_back(i == kInput ? input : outputs[i]);
  switch (node.op) {
    case Op::kModule:
      return node.module.forward(args[0]);
    case Op::kSum: {
      torch::Tensor sum = args[0];
      for (size_t i = 1; i < args.size(); ++i) sum = sum + args[i];
      return sum;
    }
    case Op::kConcat:
      return torch::cat(args, 1);
  }
  return {};
}

torch::Tensor Network::Forward(const torch::Tensor& input) { return ForwardAll(input).back(); }

std::vector<torch::Tensor> Network::ForwardAll(const torch::Tensor& input) {
  std::vector<torch::Tensor> outputs;
  outputs.reserve(nodes_.size());
  for (Node& n : nodes_) outputs.push_back(RunNode(n, outputs, input));
  return outputs;
}

torch::Tensor Network::ForwardFrom(int index, int source, const torch::Tensor& crossing) {
  const int n = static_cast<int>(nodes_.size());
  return index >= n ? crossing : ForwardRange(index, source, crossing, n, n - 1);
}

torch::Tensor Network::ForwardRange(int index, int source, const torch::Tensor& crossing, int end,
                                    int wanted) {
  // Only the crossing tensor is defined before `index`: a valid split point
  // guarantees no later node reads anything else from before it.
  std::vector<torch::Tensor> outputs(nodes_.size());
  if (source != kInput) outputs[source] = crossing;
  const torch::Tensor& input = source == kInput ? crossing : torch::Tensor();
  for (int i = index; i < end; ++i) outputs[i] = RunNode(nodes_[i], outputs, input);
  return wanted == kInput ? input : outputs[wanted];
}

Graph Network::Record(const std::string& model_name, const Shape& input_shape) {
  torch::InferenceMode guard;
  const torch::Tensor input = torch::zeros(input_shape);
  Graph g;
  g.model = model_name;
  g.input_shape = input_shape;
  g.element_bytes = static_cast<int>(input.element_size());
  g.input_bytes = input.numel() * input.element_size();

  std::vector<torch::Tensor> outputs;
  outputs.reserve(nodes_.size());
  KernelObserver observer;
  for (Node& n : nodes_) {
    outputs.push_back(RunNode(n, outputs, input));
    const torch::Tensor& out = outputs.back();
    Layer layer;
    layer.name = n.name;
    layer.kernel = observer.Take();
    layer.inputs = n.inputs;
    for (int i : n.inputs) {
      const torch::Tensor& in = i == kInput ? input : outputs[i];
      layer.input_shapes.push_back(ShapeOf(in));
      layer.input_bytes += in.numel() * in.element_size();
    }
    layer.output_shape = ShapeOf(out);
    layer.output_bytes = out.numel() * out.element_size();
    switch (n.op) {
      case Op::kModule: {
        std::optional<RowWindow> rows;
        layer.kind = ClassifyModule(*n.module.ptr(), out, &layer.macs, &rows);
        layer.param_bytes = ParamBytes(*n.module.ptr());
        // Strips cut NCHW tensors by rows, one layer after another.
        layer.row_local = rows && out.dim() == 4 && layer.input_shapes.size() == 1 &&
                          layer.input_shapes[0].size() == 4;
        if (layer.row_local) layer.rows = *rows;
        break;
      }
      case Op::kSum:
        layer.kind = LayerKind::kAdd;
        break;
      case Op::kConcat:
        layer.kind = LayerKind::kConcat;
        break;
    }
    g.layers.push_back(std::move(layer));
  }
  return g;
}

std::vector<double> Network::TimeNodes(const torch::Tensor& input) {
  torch::InferenceMode guard;
  std::vector<double> ms;
  std::vector<torch::Tensor> outputs;
  outputs.reserve(nodes_.size());
  for (Node& n : nodes_) {
    const Stopwatch node;
    outputs.push_back(RunNode(n, outputs, input));
    ms.push_back(node.Ms());
  }
  return ms;
}

}  // namespace coinfer
