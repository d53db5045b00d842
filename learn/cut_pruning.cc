#include "learn/cut_pruning.h"

#include <algorithm>

#include "compress/lasso.h"

namespace coinfer {
namespace {

namespace nn = torch::nn;
using torch::indexing::Slice;

constexpr int64_t kPositionsPerImage = 16;

// The layers from `first` on reading `source`'s output (kModelInput: the
// model's input).
std::vector<int> ReadersOf(const Graph& g, int source, int first) {
  std::vector<int> readers;
  for (int v = first; v < g.size(); ++v) {
    const auto& in = g.layers[v].inputs;
    if (std::find(in.begin(), in.end(), source) != in.end()) readers.push_back(v);
  }
  return readers;
}

// `count` evenly spaced indices of [0, n).
torch::Tensor Spread(int64_t n, int64_t count) {
  count = std::min(count, n);
  return (torch::arange(count, torch::kFloat64).add(0.5).mul(static_cast<double>(n) / count))
      .floor()
      .to(torch::kInt64);
}

// Contributions z (samples x outputs x channels) -> Gram of the channels,
// averaged over the output elements.
torch::Tensor GramOf(const torch::Tensor& z) {
  const torch::Tensor flat = z.reshape({-1, z.size(-1)});
  return flat.t().mm(flat) / static_cast<double>(flat.size(0));
}

// The consumer's Gram, or an undefined tensor when it is not linear in x.
torch::Tensor ConsumerGram(Network& net, const Graph& g, int consumer, const torch::Tensor& x) {
  const Layer& layer = g.layers[consumer];
  const int64_t n = x.size(0), c = x.size(1);
  if (layer.kind == LayerKind::kAdd) {
    const torch::Tensor flat = x.reshape({n, c, -1});
    return torch::diag(flat.pow(2).mean(torch::IntArrayRef{0, 2})) / static_cast<double>(c);
  }
  if (layer.kind == LayerKind::kFlatten) {
    const std::vector<int> next = ReadersOf(g, consumer, consumer + 1);
    if (next.size() != 1 || g.layers[next[0]].kind != LayerKind::kLinear) return {};
    return ConsumerGram(net, g, next[0], x);
  }
  if (layer.kind == LayerKind::kLinear) {
    const auto* linear = dynamic_cast<const nn::LinearImpl*>(net.module(consumer).get());
    if (!linear) return {};
    const torch::Tensor w = linear->weight.to(torch::kFloat64);
    // A linear layer reads the tensor whole (directly, or through a flatten).
    if (w.size(1) != x[0].numel()) return {};
    const torch::Tensor xs = x.reshape({n, c, -1});
    return GramOf(torch::einsum("sch,och->soc", {xs, w.reshape({w.size(0), c, -1})}));
  }
  if (layer.kind != LayerKind::kConv || x.dim() != 4) return {};
  const auto* conv = dynamic_cast<const nn::Conv2dImpl*>(net.module(consumer).get());
  if (!conv || conv->options.groups() != 1 ||
      !c10::holds_alternative<torch::enumtype::kZeros>(conv->options.padding_mode()))
    return {};
  const auto* padding = c10::get_if<torch::ExpandingArray<2>>(&conv->options.padding());
  if (!padding) return {};
  // The patches at the sampled positions, a few images at a time (unfolding
  // every position of every image at once takes gigabytes at ImageNet sizes).
  const auto options = torch::nn::functional::UnfoldFuncOptions(conv->options.kernel_size())
                           .dilation(conv->options.dilation())
                           .padding(*padding)
                           .stride(conv->options.stride());
  std::vector<torch::Tensor> chunks;
  constexpr int64_t kImages = 8;
  for (int64_t at = 0; at < n; at += kImages) {
    const torch::Tensor patches = torch::nn::functional::unfold(
        x.index({Slice(at, std::min(at + kImages, n))}), options);  // N' x (C·kh·kw) x L
    const torch::Tensor picked =
        patches.index_select(2, Spread(patches.size(2), kPositionsPerImage));
    chunks.push_back(picked.reshape({picked.size(0), c, -1, picked.size(2)})
                         .permute({0, 3, 1, 2})
                         .reshape({-1, c, patches.size(1) / c}));
  }
  const torch::Tensor sampled = torch::cat(chunks);  // samples x C x (kh·kw)
  const torch::Tensor w = conv->weight.to(torch::kFloat64).reshape({conv->weight.size(0), c, -1});
  torch::Tensor gram = torch::zeros({c, c}, torch::kFloat64);
  constexpr int64_t kChunk = 128;  // samples per contribution tensor, to bound memory
  for (int64_t at = 0; at < sampled.size(0); at += kChunk) {
    const torch::Tensor z =
        torch::einsum("sct,oct->soc", {sampled.index({Slice(at, at + kChunk)}), w})
            .reshape({-1, c});
    gram += z.t().mm(z);
  }
  return gram / static_cast<double>(sampled.size(0) * w.size(0));
}

// The channels to keep: by LASSO on the consumers' contributions where
// every consumer is linear in x, else by energy.
std::vector<int> SelectChannels(Network& net, const Graph& g, const SplitPoint& split,
                                const torch::Tensor& x, int64_t keep, bool* lasso) {
  const int64_t c = x.size(1);
  torch::Tensor gram = torch::zeros({c, c}, torch::kFloat64);
  *lasso = true;
  for (int consumer : ReadersOf(g, split.source, split.index)) {
    const torch::Tensor part = ConsumerGram(net, g, consumer, x);
    if (!part.defined()) {
      *lasso = false;
      break;
    }
    gram += part;
  }
  if (!*lasso)
    gram = torch::diag(x.reshape({x.size(0), c, -1}).pow(2).mean(torch::IntArrayRef{0, 2}));
  gram = gram.contiguous();
  std::vector<double> g_flat(gram.data_ptr<double>(), gram.data_ptr<double>() + c * c);
  // The output is the sum of every contribution: Zᵀy = G·1.
  const torch::Tensor zty = gram.sum(1).contiguous();
  std::vector<double> c_flat(zty.data_ptr<double>(), zty.data_ptr<double>() + c);
  return LassoSelect(g_flat, c_flat, static_cast<int>(keep));
}

// Least-squares rebuild of the removed channels from the kept ones.
ChannelReconstruction Reconstruct(const torch::Tensor& x, const std::vector<int>& kept) {
  const int64_t c = x.size(1);
  // Positions as rows: (N·positions) x C.
  const torch::Tensor rows = x.reshape({x.size(0), c, -1}).permute({0, 2, 1}).reshape({-1, c});
  std::vector<int64_t> kept64(kept.begin(), kept.end()), removed;
  for (int64_t i = 0, next = 0; i < c; ++i) {
    if (next < static_cast<int64_t>(kept.size()) && kept[next] == i)
      ++next;
    else
      removed.push_back(i);
  }
  if (removed.empty()) return {};
  const torch::Tensor a = torch::cat({rows.index_select(1, torch::tensor(kept64)),
                                      torch::ones({rows.size(0), 1}, torch::kFloat64)},
                                     1);
  const torch::Tensor b = rows.index_select(1, torch::tensor(removed));
  torch::Tensor normal = a.t().mm(a);
  const double ridge = 1e-8 * normal.diagonal().mean().item<double>();
  normal += ridge * torch::eye(normal.size(0), torch::kFloat64);
  // Column r of m: removed channel r's weights over the kept ones, then its constant.
  const torch::Tensor m =
      torch::linalg_solve(normal, a.t().mm(b)).t().contiguous().to(torch::kFloat32);
  return ChannelReconstruction(m.data_ptr<float>(), m.data_ptr<float>() + m.numel());
}

}  // namespace

CutPruning PlanCutPruning(Network& net, const Graph& graph, const SplitPoint& split,
                          const torch::Tensor& calibration, double rate) {
  torch::NoGradGuard no_grad;
  torch::Tensor x = calibration;
  if (split.source != Layer::kModelInput) x = net.ForwardAll(calibration)[split.source];
  x = x.to(torch::kFloat64).contiguous();
  CutPruning out;
  const int64_t keep = KeptCount(x.size(1), 1 - rate);
  out.kept = SelectChannels(net, graph, split, x, keep, &out.lasso);
  out.reconstruction = Reconstruct(x, out.kept);
  return out;
}

}  // namespace coinfer
