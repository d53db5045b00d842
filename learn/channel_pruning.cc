#include "learn/channel_pruning.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "compress/codec.h"
#include "dnn/channel_attention.h"
#include "dnn/network.h"
#include "learn/trained_network.h"

namespace coinfer {
namespace {

namespace nn = torch::nn;

// Layers that keep their input's channels, each computed from the same
// channel (channel attention weighs each by all of them: its fully connected
// layer is sliced with the channels).
bool ElementWise(LayerKind kind) {
  return kind == LayerKind::kActivation || kind == LayerKind::kBatchNorm ||
         kind == LayerKind::kMaxPool || kind == LayerKind::kAvgPool ||
         kind == LayerKind::kAttention;
}

// Where a convolution's channels end: the element-wise layers on the way
// (`path`), the last of them (`end`, whose output is scored), and the
// consumer that reads the channels (a conv, or a linear after a flatten).
struct ChannelPath {
  std::vector<int> path;
  int end = 0;
  int consumer = -1;
  bool through_flatten = false;
};

bool FindPath(const Graph& g, const std::vector<std::vector<int>>& consumers, int conv,
              ChannelPath* out) {
  ChannelPath p;
  int v = conv;
  while (true) {
    if (consumers[v].size() != 1) return false;
    const int next = consumers[v][0];
    const LayerKind kind = g.layers[next].kind;
    if (ElementWise(kind)) {
      p.path.push_back(next);
      v = next;
      continue;
    }
    p.end = v;
    if (kind == LayerKind::kConv) {
      p.consumer = next;
    } else if (kind == LayerKind::kFlatten && consumers[next].size() == 1 &&
               g.layers[consumers[next][0]].kind == LayerKind::kLinear) {
      p.consumer = consumers[next][0];
      p.through_flatten = true;
    } else {
      return false;
    }
    *out = p;
    return true;
  }
}

torch::Tensor Index(const std::vector<int64_t>& kept) { return torch::tensor(kept, torch::kInt64); }

}  // namespace

std::vector<int> PrunableConvs(Network& net, const Graph& graph, int split) {
  const auto consumers = LayerConsumers(graph);
  std::vector<int> convs;
  for (int v = 0; v < split && v < graph.size(); ++v) {
    ChannelPath p;
    const auto* conv = dynamic_cast<const nn::Conv2dImpl*>(net.module(v).get());
    if (graph.layers[v].kind == LayerKind::kConv && conv && conv->options.groups() == 1 &&
        FindPath(graph, consumers, v, &p))
      convs.push_back(v);
  }
  return convs;
}

PruningPlan PlanPruning(Network& net, const Graph& graph, const ImageSet& calibration,
                        int64_t samples, int split, double keep_fraction) {
  PruningPlan plan;
  plan.split = split;
  plan.keep_fraction = keep_fraction;
  const auto consumers = LayerConsumers(graph);
  std::map<int, ChannelPath> paths;
  for (int v : PrunableConvs(net, graph, split)) FindPath(graph, consumers, v, &paths[v]);
  // Attention: each channel's total |x| after the element-wise layers.
  std::vector<int> ends;
  for (const auto& [conv, p] : paths) ends.push_back(p.end);
  const std::map<int, torch::Tensor> sums = ChannelActivity(net, calibration, samples, ends);
  for (const auto& [conv, p] : paths) {
    const torch::Tensor score = sums.at(p.end);
    const int64_t c = score.size(0);
    const int64_t keep = KeptCount(c, keep_fraction);
    if (keep == c) continue;
    const torch::Tensor top = std::get<0>(std::get<1>(score.topk(keep)).sort()).contiguous();
    plan.convs.push_back({conv, {top.data_ptr<int64_t>(), top.data_ptr<int64_t>() + keep}});
  }
  return plan;
}

Status ApplyPruning(const PruningPlan& plan, const Graph& graph, Network* net) {
  const auto consumers = LayerConsumers(graph);
  // Each convolution is rebuilt once with its kept outputs and, if its
  // producer was pruned, its kept inputs.
  std::map<int, std::vector<int64_t>> kept_out, kept_in;
  std::map<int, std::pair<std::vector<int64_t>, int64_t>> linear_in;  // kept channels, plane size
  std::vector<std::pair<int, std::vector<int64_t>>> batch_norms, attentions;
  for (const PrunedConv& pc : plan.convs) {
    ChannelPath p;
    if (pc.layer >= graph.size() || !FindPath(graph, consumers, pc.layer, &p))
      return Status::InvalidInput("", "pruning",
                                  "layer " + std::to_string(pc.layer) + " is not a prunable conv");
    kept_out[pc.layer] = pc.kept;
    for (int v : p.path) {
      if (graph.layers[v].kind == LayerKind::kBatchNorm) batch_norms.push_back({v, pc.kept});
      if (graph.layers[v].kind == LayerKind::kAttention) attentions.push_back({v, pc.kept});
    }
    if (p.through_flatten) {
      const Shape& s = graph.layers[p.end].output_shape;
      linear_in[p.consumer] = {pc.kept, s[2] * s[3]};
    } else {
      kept_in[p.consumer] = pc.kept;
    }
  }
  torch::NoGradGuard no_grad;
  std::map<int, bool> convs;
  for (const auto& [v, k] : kept_out) convs[v] = true;
  for (const auto& [v, k] : kept_in) convs[v] = true;
  for (const auto& [v, unused] : convs) {
    const auto* old = dynamic_cast<const nn::Conv2dImpl*>(net->module(v).get());
    torch::Tensor w = old->weight;
    torch::Tensor b = old->options.bias() ? old->bias : torch::Tensor();
    if (kept_out.count(v)) {
      w = w.index_select(0, Index(kept_out[v]));
      if (b.defined()) b = b.index_select(0, Index(kept_out[v]));
    }
    if (kept_in.count(v)) w = w.index_select(1, Index(kept_in[v]));
    const auto& o = old->options;
    nn::Conv2d conv(nn::Conv2dOptions(w.size(1), w.size(0), o.kernel_size())
                        .stride(o.stride())
                        .padding(o.padding())
                        .dilation(o.dilation())
                        .bias(o.bias()));
    conv->weight.copy_(w);
    if (b.defined()) conv->bias.copy_(b);
    net->ReplaceModule(v, nn::AnyModule(conv));
  }
  for (const auto& [v, kept] : batch_norms) {
    const auto* old = dynamic_cast<const nn::BatchNorm2dImpl*>(net->module(v).get());
    nn::BatchNorm2d bn(nn::BatchNorm2dOptions(static_cast<int64_t>(kept.size()))
                           .eps(old->options.eps())
                           .momentum(old->options.momentum()));
    bn->weight.copy_(old->weight.index_select(0, Index(kept)));
    bn->bias.copy_(old->bias.index_select(0, Index(kept)));
    bn->running_mean.copy_(old->running_mean.index_select(0, Index(kept)));
    bn->running_var.copy_(old->running_var.index_select(0, Index(kept)));
    net->ReplaceModule(v, nn::AnyModule(bn));
  }
  for (const auto& [v, kept] : attentions) {
    const auto* old = dynamic_cast<const ChannelAttentionImpl*>(net->module(v).get());
    ChannelAttention attention(static_cast<int64_t>(kept.size()));
    attention->fc->weight.copy_(
        old->fc->weight.index_select(0, Index(kept)).index_select(1, Index(kept)));
    attention->fc->bias.copy_(old->fc->bias.index_select(0, Index(kept)));
    net->ReplaceModule(v, nn::AnyModule(attention));
  }
  for (const auto& [v, in] : linear_in) {
    const auto& [kept, plane] = in;
    const auto* old = dynamic_cast<const nn::LinearImpl*>(net->module(v).get());
    std::vector<int64_t> features;
    for (int64_t c : kept)
      for (int64_t i = 0; i < plane; ++i) features.push_back(c * plane + i);
    nn::Linear fc(
        nn::LinearOptions(static_cast<int64_t>(features.size()), old->options.out_features())
            .bias(old->options.bias()));
    fc->weight.copy_(old->weight.index_select(1, Index(features)));
    if (old->options.bias()) fc->bias.copy_(old->bias);
    net->ReplaceModule(v, nn::AnyModule(fc));
  }
  return Status::Ok();
}

}  // namespace coinfer
