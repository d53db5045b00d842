#include "dnn/torchscript_import.h"

#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/script.h>

#include <cmath>
#include <map>

#include "base/parse.h"
#include "dnn/network.h"
#include "dnn/torchscript_probe.h"

namespace coinfer {
namespace {

namespace nn = torch::nn;
using torch::jit::Node;
using torch::jit::Value;

constexpr char kPrefix[] = "torchscript:";

// A bound on every tensor an imported model computes, its input included
// (256 MiB of fp32), and on a convolution's unfolded input: a huge padding,
// output size or input cannot exhaust memory. The zoo's largest is 29 M
// (VGG-16's second convolution unfolded at 224x224).
constexpr int64_t kMaxElements = int64_t{1} << 26;
constexpr char kMaxElementsText[] = "2^26";

int64_t Elements(const Shape& shape) {
  int64_t n = 1;
  for (const int64_t d : shape) n = d > 0 && n <= kMaxElements / d ? n * d : kMaxElements + 1;
  return n;
}

// Maps the values of a frozen forward graph onto Network nodes.
class Importer {
 public:
  Importer(const std::string& file, Network* net) : file_(file), net_(net) {}

  Status Run(torch::jit::Graph& graph, const Shape& input_shape) {
    if (graph.inputs().size() < 2) return Error("forward", "must take a tensor");
    values_[graph.inputs().at(1)] = Network::kInput;  // input 0 is self
    shapes_[graph.inputs().at(1)] = input_shape;
    for (Node* node : graph.nodes()) COINFER_RETURN_IF_ERROR(Map(node));
    if (graph.outputs().size() != 1 || !values_.count(graph.outputs()[0]))
      return Error("forward", "must return one tensor");
    if (net_->last() < 0) return Error("forward", "has no layer");
    if (values_.at(graph.outputs()[0]) != net_->last())
      return Error("forward", "must return the last layer's output");
    return Status::Ok();
  }

 private:
  Status Error(const std::string& field, const std::string& reason) const {
    return Status::InvalidInput(file_, field, reason);
  }

  c10::IValue Constant(const Value* v) const {
    auto c = torch::jit::toIValue(v);
    return c ? *c : c10::IValue();
  }
  torch::Tensor Tensor(const Value* v) const {
    const c10::IValue c = Constant(v);
    return c.isTensor() ? c.toTensor() : torch::Tensor();
  }
  std::vector<int64_t> Ints(const Value* v) const {
    const c10::IValue c = Constant(v);
    if (c.isIntList()) return c.toIntVector();
    if (c.isInt()) return {c.toInt()};
    return {};
  }
  std::string Name(const Node* node) const {
    return std::string(node->kind().toUnqualString()) + "." + std::to_string(net_->last() + 1);
  }
  Status Input(const Node* node, size_t i, int* id) const {
    auto it = values_.find(node->inputs().at(i));
    if (it == values_.end())
      return Error(node->kind().toQualString(), "input " + std::to_string(i) + " is not a tensor");
    *id = it->second;
    return Status::Ok();
  }
  // The shape of a node's input i, which must be a tensor.
  Status InputShape(const Node* node, size_t i, const Shape** shape) const {
    int id = 0;
    COINFER_RETURN_IF_ERROR(Input(node, i, &id));
    *shape = &shapes_.at(node->inputs().at(i));
    return Status::Ok();
  }
  // Refuses an output (or a convolution's unfolded input) that is empty or
  // beyond kMaxElements, before LibTorch allocates it.
  Status CheckSize(const Node* node, const Shape& shape, const char* what = "output") const {
    for (const int64_t d : shape)
      if (d < 1)
        return Error(node->kind().toQualString(),
                     std::string(what) + " would be empty for this input shape");
    if (Elements(shape) > kMaxElements)
      return Error(node->kind().toQualString(),
                   std::string(what) + " would have more than " + kMaxElementsText + " elements");
    return Status::Ok();
  }
  Status AddModule(const Node* node, nn::AnyModule module, Shape out) {
    int in = 0;
    COINFER_RETURN_IF_ERROR(Input(node, 0, &in));
    COINFER_RETURN_IF_ERROR(CheckSize(node, out));
    values_[node->output()] = net_->Add(Name(node), std::move(module), in);
    shapes_[node->output()] = std::move(out);
    return Status::Ok();
  }
  // A node whose output has its (first) input's shape.
  Status AddSameShape(const Node* node, nn::AnyModule module) {
    const Shape* in = nullptr;
    COINFER_RETURN_IF_ERROR(InputShape(node, 0, &in));
    return AddModule(node, std::move(module), *in);
  }
  // A 4-d input's spatial output size through a window (kernel k, stride s,
  // padding p, dilation d), as LibTorch computes it (floor).
  static Shape Windowed(const Shape& in, int64_t channels, const std::vector<int64_t>& k,
                        const std::vector<int64_t>& s, const std::vector<int64_t>& p,
                        const std::vector<int64_t>& d) {
    auto at = [](const std::vector<int64_t>& v, int i) { return v.size() == 1 ? v[0] : v[i]; };
    Shape out = {in[0], channels, 0, 0};
    for (int i = 0; i < 2; ++i)
      out[2 + i] = (in[2 + i] + 2 * at(p, i) - at(d, i) * (at(k, i) - 1) - 1) / at(s, i) + 1;
    return out;
  }
  // The shape of a node's first input, which must be a 4-d tensor.
  Status Input4d(const Node* node, const Shape** shape) const {
    COINFER_RETURN_IF_ERROR(InputShape(node, 0, shape));
    if ((*shape)->size() != 4)
      return Error(node->kind().toQualString(), "expects a 4-d (NxCxHxW) input");
    return Status::Ok();
  }

  // A convolution's or pooling's stride, padding, dilation, kernel or output
  // size: one or two constants in [lo, kMaxSpatial]. LibTorch divides by some
  // (groups, strides) before checking them, and a huge one asks for a huge output.
  static constexpr int64_t kMaxSpatial = 4096;
  Status CheckSpatial(const Node* node, const char* what, const std::vector<int64_t>& values,
                      int64_t lo) const {
    bool ok = values.size() == 1 || values.size() == 2;
    for (const int64_t v : values) ok = ok && v >= lo && v <= kMaxSpatial;
    if (ok) return Status::Ok();
    return Error(node->kind().toQualString(),
                 std::string(what) + ": expected one or two constants from " + std::to_string(lo) +
                     " to " + std::to_string(kMaxSpatial));
  }

  Status Conv(const Node* node) {
    const torch::Tensor w = Tensor(node->inputs()[1]), b = Tensor(node->inputs()[2]);
    const auto stride = Ints(node->inputs()[3]), padding = Ints(node->inputs()[4]),
               dilation = Ints(node->inputs()[5]);
    // aten::_convolution has transposed and output_padding before groups.
    const bool underscore = node->kind() == c10::Symbol::fromQualString("aten::_convolution");
    const auto groups = Ints(node->inputs()[underscore ? 8 : 6]);
    if (!w.defined() || w.dim() != 4 || groups.size() != 1 || stride.empty() || padding.empty())
      return Error(node->kind().toQualString(), "expects a constant 4-d weight and int arguments");
    if (underscore && Constant(node->inputs()[6]).toBool())
      return Error("aten::_convolution", "transposed convolutions are not supported");
    COINFER_RETURN_IF_ERROR(CheckSpatial(node, "stride", stride, 1));
    COINFER_RETURN_IF_ERROR(CheckSpatial(node, "padding", padding, 0));
    COINFER_RETURN_IF_ERROR(CheckSpatial(node, "dilation", dilation, 1));
    COINFER_RETURN_IF_ERROR(CheckSpatial(node, "groups", groups, 1));
    const Shape* input = nullptr;
    COINFER_RETURN_IF_ERROR(Input4d(node, &input));
    const Shape& in = *input;
    const Shape out = Windowed(in, w.size(0), {w.size(2), w.size(3)}, stride, padding, dilation);
    // What LibTorch's convolutions may unfold the input into: a column per
    // output position, (input channels / groups) x kernel rows.
    COINFER_RETURN_IF_ERROR(CheckSize(
        node, {in[0], w.size(1) * w.size(2) * w.size(3), out[2], out[3]}, "the unfolded input"));
    auto pair = [](std::vector<int64_t> v) {
      return v.size() == 1 ? std::vector<int64_t>{v[0], v[0]} : v;
    };
    nn::Conv2d conv(nn::Conv2dOptions(w.size(1) * groups[0], w.size(0), {w.size(2), w.size(3)})
                        .stride(pair(stride))
                        .padding(pair(padding))
                        .dilation(pair(dilation))
                        .groups(groups[0])
                        .bias(b.defined()));
    torch::NoGradGuard no_grad;
    conv->weight.copy_(w);
    if (b.defined()) conv->bias.copy_(b);
    return AddModule(node, nn::AnyModule(conv), out);
  }

  Status Linear(const Node* node) {
    const torch::Tensor w = Tensor(node->inputs()[1]), b = Tensor(node->inputs()[2]);
    if (!w.defined() || w.dim() != 2) return Error("aten::linear", "expects a constant weight");
    const Shape* in = nullptr;
    COINFER_RETURN_IF_ERROR(InputShape(node, 0, &in));
    Shape out = *in;
    if (out.empty() || out.back() != w.size(1))
      return Error("aten::linear", "expects inputs of " + std::to_string(w.size(1)) + " features");
    out.back() = w.size(0);
    nn::Linear fc(nn::LinearOptions(w.size(1), w.size(0)).bias(b.defined()));
    torch::NoGradGuard no_grad;
    fc->weight.copy_(w);
    if (b.defined()) fc->bias.copy_(b);
    return AddModule(node, nn::AnyModule(fc), out);
  }

  Status BatchNorm(const Node* node) {
    const torch::Tensor w = Tensor(node->inputs()[1]), b = Tensor(node->inputs()[2]),
                        mean = Tensor(node->inputs()[3]), var = Tensor(node->inputs()[4]);
    if (!mean.defined() || !var.defined())
      return Error("aten::batch_norm", "expects constant running statistics");
    nn::BatchNorm2d bn(nn::BatchNorm2dOptions(mean.size(0))
                           .eps(Constant(node->inputs()[7]).toDouble())
                           .affine(w.defined()));
    torch::NoGradGuard no_grad;
    bn->running_mean.copy_(mean);
    bn->running_var.copy_(var);
    if (w.defined()) bn->weight.copy_(w);
    if (b.defined()) bn->bias.copy_(b);
    return AddSameShape(node, nn::AnyModule(bn));
  }

  Status Pool(const Node* node, bool max) {
    const auto kernel = Ints(node->inputs()[1]), stride = Ints(node->inputs()[2]),
               padding = Ints(node->inputs()[3]);
    if (kernel.empty()) return Error(node->kind().toQualString(), "expects a constant kernel");
    const auto step = stride.empty() ? kernel : stride;
    COINFER_RETURN_IF_ERROR(CheckSpatial(node, "kernel", kernel, 1));
    COINFER_RETURN_IF_ERROR(CheckSpatial(node, "stride", step, 1));
    COINFER_RETURN_IF_ERROR(CheckSpatial(node, "padding", padding, 0));
    const Shape* in = nullptr;
    COINFER_RETURN_IF_ERROR(Input4d(node, &in));
    const Shape out = Windowed(*in, (*in)[1], kernel, step, padding, {1});
    if (max)
      return AddModule(
          node,
          nn::AnyModule(nn::MaxPool2d(nn::MaxPool2dOptions(kernel).stride(step).padding(padding))),
          out);
    return AddModule(
        node,
        nn::AnyModule(nn::AvgPool2d(nn::AvgPool2dOptions(kernel).stride(step).padding(padding))),
        out);
  }

  Status Map(const Node* node) {
    const std::string kind = node->kind().toQualString();
    if (kind == "prim::Constant") return Status::Ok();
    if (kind == "prim::ListConstruct") {
      lists_[node->output()] = node->inputs().vec();
      return Status::Ok();
    }
    if (kind == "aten::conv2d" || kind == "aten::_convolution") return Conv(node);
    if (kind == "aten::linear") return Linear(node);
    if (kind == "aten::batch_norm") return BatchNorm(node);
    if (kind == "aten::relu" || kind == "aten::relu_")
      return AddSameShape(node, nn::AnyModule(nn::ReLU()));
    if (kind == "aten::hardtanh" || kind == "aten::hardtanh_") {
      if (Constant(node->inputs()[1]).toDouble() != 0 ||
          Constant(node->inputs()[2]).toDouble() != 6)
        return Error(kind, "only hardtanh(0, 6) (ReLU6) is supported");
      return AddSameShape(node, nn::AnyModule(nn::ReLU6()));
    }
    if (kind == "aten::max_pool2d") return Pool(node, true);
    if (kind == "aten::avg_pool2d") return Pool(node, false);
    if (kind == "aten::adaptive_avg_pool2d") {
      const auto size = Ints(node->inputs()[1]);
      COINFER_RETURN_IF_ERROR(CheckSpatial(node, "output size", size, 1));
      const Shape* in = nullptr;
      COINFER_RETURN_IF_ERROR(Input4d(node, &in));
      return AddModule(node,
                       nn::AnyModule(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions(size))),
                       {(*in)[0], (*in)[1], size[0], size.back()});
    }
    if (kind == "aten::flatten") {
      if (Constant(node->inputs()[1]).toInt() != 1)
        return Error(kind, "only flatten from dimension 1 is supported");
      const Shape* in = nullptr;
      COINFER_RETURN_IF_ERROR(InputShape(node, 0, &in));
      if (in->size() < 2) return Error(kind, "expects an input of at least 2 dimensions");
      return AddModule(node, nn::AnyModule(nn::Flatten()),
                       {(*in)[0], Elements(Shape(in->begin() + 1, in->end()))});
    }
    if (kind == "aten::add" || kind == "aten::add_") {
      int a = 0, b = 0;
      COINFER_RETURN_IF_ERROR(Input(node, 0, &a));
      COINFER_RETURN_IF_ERROR(Input(node, 1, &b));
      const Shape *shape_a = nullptr, *shape_b = nullptr;
      COINFER_RETURN_IF_ERROR(InputShape(node, 0, &shape_a));
      COINFER_RETURN_IF_ERROR(InputShape(node, 1, &shape_b));
      if (node->inputs().size() > 2 && Constant(node->inputs()[2]).toScalar().toDouble() != 1)
        return Error(kind, "only add with alpha 1 is supported");
      if (*shape_a != *shape_b) return Error(kind, "only add of tensors of one shape is supported");
      values_[node->output()] = net_->AddSum(Name(node), {a, b});
      shapes_[node->output()] = *shape_a;
      return Status::Ok();
    }
    if (kind == "aten::cat") {
      auto list = lists_.find(node->inputs()[0]);
      if (list == lists_.end() || Constant(node->inputs()[1]).toInt() != 1)
        return Error(kind, "only cat of a tensor list along dimension 1 is supported");
      std::vector<int> inputs;
      Shape out;
      for (const Value* v : list->second) {
        if (!values_.count(v)) return Error(kind, "an input is not a tensor");
        inputs.push_back(values_.at(v));
        const Shape& shape = shapes_.at(v);
        if (shape.size() < 2) return Error(kind, "expects inputs of at least 2 dimensions");
        if (out.empty()) {
          out = shape;
        } else {
          out[1] += shape[1];
          if (Shape(out.begin() + 2, out.end()) != Shape(shape.begin() + 2, shape.end()) ||
              out[0] != shape[0])
            return Error(kind, "expects inputs that differ only in channels");
        }
      }
      if (inputs.empty()) return Error(kind, "expects at least one tensor");
      COINFER_RETURN_IF_ERROR(CheckSize(node, out));
      values_[node->output()] = net_->AddConcat(Name(node), inputs);
      shapes_[node->output()] = out;
      return Status::Ok();
    }
    return Error("op", "unsupported op " + kind);
  }

  std::string file_;
  Network* net_;
  std::map<const Value*, int> values_;    // tensor values -> Network node
  std::map<const Value*, Shape> shapes_;  // tensor values -> their shape
  std::map<const Value*, std::vector<const Value*>> lists_;
};

}  // namespace

bool IsTorchScriptSpec(const std::string& spec) { return spec.rfind(kPrefix, 0) == 0; }

std::string TorchScriptFile(const std::string& spec) {
  const std::string rest = spec.substr(sizeof(kPrefix) - 1);
  return rest.substr(0, rest.rfind('@'));
}

Status ImportTorchScript(const std::string& spec, Network* net, Shape* input_shape) {
  const std::string rest = spec.substr(sizeof(kPrefix) - 1);
  const size_t at = rest.rfind('@');
  const std::string file = TorchScriptFile(spec);
  Shape shape;
  if (at != std::string::npos)
    for (const std::string& d : SplitFields(rest.substr(at + 1), 'x')) {
      double v = 0;
      // The range first: converting a double beyond int64's range is undefined.
      if (!ParseNumber(d, &v) || v < 1 || v > double(kMaxElements) || v != std::floor(v)) {
        shape.clear();
        break;
      }
      shape.push_back(static_cast<int64_t>(v));
    }
  if (shape.size() != 4)
    return Status::InvalidInput("", "model",
                                "'" + spec +
                                    "': expected torchscript:PATH@NxCxHxW, e.g. "
                                    "torchscript:net.pt@1x3x224x224");
  if (Elements(shape) > kMaxElements)
    return Status::InvalidInput(
        "", "model", "'" + spec + "': the input has more than " + kMaxElementsText + " elements");
  COINFER_RETURN_IF_ERROR(ProbeTorchScriptLoad(file));
  // LibTorch reports what it cannot run (a missing forward, a non-constant
  // parameter, an input of the wrong shape) by throwing: every step is inside.
  try {
    torch::jit::Module module = torch::jit::load(file);
    module.eval();
    module = torch::jit::freeze(module, c10::nullopt, /*optimize_numerics=*/false);
    std::shared_ptr<torch::jit::Graph> graph = module.get_method("forward").graph()->copy();
    torch::jit::Inline(*graph);
    Importer importer(file, net);
    COINFER_RETURN_IF_ERROR(importer.Run(*graph, shape));
    net->SetTraining(false);
    // One pass on zeros: an input the network cannot take fails here, named.
    torch::InferenceMode guard;
    net->Forward(torch::zeros(shape));
  } catch (const c10::Error& e) {
    return Status::InvalidInput(file, "torchscript", e.what_without_backtrace());
  } catch (const std::exception& e) {
    return Status::InvalidInput(file, "torchscript", e.what());
  }
  *input_shape = shape;
  return Status::Ok();
}

}  // namespace coinfer
