#include "learn/l1_pruning.h"

#include <algorithm>

#include "compress/codec.h"
#include "dnn/network.h"
#include "learn/model_card.h"
#include "learn/trained_network.h"
#include "learn/training.h"

namespace coinfer {
namespace {

// The trained network with `plan` applied, scored on the first `samples`
// validation images.
Status ScorePlan(const std::string& card_path, const Graph& graph, const PruningPlan& plan,
                 const ImageSet& validation, int64_t samples, double* accuracy) {
  Network net;
  ModelCard card;
  Shape shape;
  COINFER_RETURN_IF_ERROR(LoadTrainedNetwork(card_path, &net, &card, &shape));
  COINFER_RETURN_IF_ERROR(ApplyPruning(plan, graph, &net));
  net.SetTraining(false);
  *accuracy = static_cast<double>(CountCorrect(Predict(net, validation, samples), validation)) /
              static_cast<double>(samples);
  return Status::Ok();
}

}  // namespace

Status PlanL1Pruning(const std::string& card_path, const Graph& graph, const ImageSet& validation,
                     const L1PruningOptions& options,
                     const std::function<void(const L1Step&)>& progress, PruningPlan* out) {
  if (!(options.accuracy_floor > 0 && options.accuracy_floor <= 1))
    return Status::InvalidInput("", "accuracy-floor", "must be in (0, 1]");
  Network net;
  ModelCard card;
  Shape shape;
  COINFER_RETURN_IF_ERROR(LoadTrainedNetwork(card_path, &net, &card, &shape));
  const int64_t samples = options.validation_samples > 0
                              ? std::min(options.validation_samples, validation.count)
                              : validation.count;
  PruningPlan plan;
  plan.split = graph.size();
  plan.accuracy_floor = options.accuracy_floor;
  torch::NoGradGuard no_grad;
  for (int v : PrunableConvs(net, graph, graph.size())) {
    const auto* conv = dynamic_cast<const torch::nn::Conv2dImpl*>(net.module(v).get());
    const torch::Tensor l1 = conv->weight.abs().sum({1, 2, 3});
    const int64_t channels = l1.size(0);
    L1Step step{v, channels, channels, 0};
    for (double fraction : options.keep_fractions) {
      const int64_t keep = KeptCount(channels, fraction);
      if (keep >= channels) continue;
      const torch::Tensor top = std::get<0>(std::get<1>(l1.topk(keep)).sort()).contiguous();
      PruningPlan trial = plan;
      trial.convs.push_back({v, {top.data_ptr<int64_t>(), top.data_ptr<int64_t>() + keep}});
      double accuracy = 0;
      COINFER_RETURN_IF_ERROR(ScorePlan(card_path, graph, trial, validation, samples, &accuracy));
      if (accuracy >= options.accuracy_floor) {
        plan = std::move(trial);
        step = {v, channels, keep, accuracy};
        break;
      }
    }
    if (progress) progress(step);
  }
  *out = std::move(plan);
  return Status::Ok();
}

}  // namespace coinfer
