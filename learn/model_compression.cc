#include "learn/model_compression.h"

#include "datasets/dataset.h"
#include "learn/channel_pruning.h"
#include "learn/trained_network.h"

namespace coinfer {
namespace {

int64_t MacsBefore(const Graph& g, int split) {
  int64_t macs = 0;
  for (int v = 0; v < split && v < g.size(); ++v) macs += g.layers[v].macs;
  return macs;
}

}  // namespace

Status RecordTrainedGraph(const std::string& card_path, Graph* graph) {
  Network net;
  ModelCard card;
  Shape shape;
  COINFER_RETURN_IF_ERROR(LoadTrainedNetwork(card_path, &net, &card, &shape));
  *graph = net.Record(card.model, shape);
  return Status::Ok();
}

Status PruneModel(const PruneOptions& options, const std::string& out_dir,
                  const std::function<void(const EpochReport&)>& progress, PruneReport* report) {
  Network net;
  ModelCard base;
  Shape shape;
  COINFER_RETURN_IF_ERROR(LoadTrainedNetwork(options.card, &net, &base, &shape));
  if (base.pruned)
    return Status::InvalidInput(options.card, "model", "is already a pruned variant");
  const bool l1 = options.l1.accuracy_floor > 0;
  if (!l1 && !(options.keep_fraction > 0 && options.keep_fraction <= 1))
    return Status::InvalidInput("", "keep", "must be in (0, 1]");
  const Graph graph = net.Record(base.model, shape);
  bool is_split = false;
  for (const SplitPoint& p : graph.SplitPoints()) is_split = is_split || p.index == options.split;
  if (!l1 && (!is_split || options.split == 0))
    return Status::InvalidInput("", "split",
                                std::to_string(options.split) + " is not a split point of " +
                                    base.model + " with device-side layers");
  ImageSet train, validation, test;
  COINFER_RETURN_IF_ERROR(LoadDataset(base.dataset, Split::kTrain, &train));
  COINFER_RETURN_IF_ERROR(LoadDataset(base.dataset, Split::kValidation, &validation));
  COINFER_RETURN_IF_ERROR(LoadDataset(base.dataset, Split::kTest, &test));
  torch::set_num_threads(options.fine_tune.threads);
  torch::manual_seed(options.fine_tune.seed);

  PruningPlan plan;
  if (l1) {
    COINFER_RETURN_IF_ERROR(
        PlanL1Pruning(options.card, graph, validation, options.l1, options.l1_progress, &plan));
  } else {
    plan = PlanPruning(net, graph, train, options.calibration_samples, options.split,
                       options.keep_fraction);
  }
  COINFER_RETURN_IF_ERROR(ApplyPruning(plan, graph, &net));
  PruneReport r;
  r.device_macs_before = MacsBefore(graph, plan.split);
  r.device_macs_after = MacsBefore(net.Record(base.model, shape), plan.split);
  r.pruned_correct = CountCorrect(Predict(net, test, test.count), test);

  TrainOptions tune = options.fine_tune;
  tune.validation_samples = 0;  // the card's accuracies are on whole splits
  EpochReport last;
  if (tune.epochs > 0) last = TrainEpochs(net, train, validation, tune, progress);
  net.SetTraining(false);

  ModelCard c = base;
  c.pruned = true;
  c.pruning = plan;
  c.base_sha256 = base.sha256;
  c.test_correct =
      tune.epochs > 0 ? CountCorrect(Predict(net, test, test.count), test) : r.pruned_correct;
  c.test_samples = test.count;
  c.validation_samples = validation.count;
  c.validation_correct = tune.epochs > 0
                             ? last.validation_correct
                             : CountCorrect(Predict(net, validation, validation.count), validation);
  c.epochs = tune.epochs;
  c.train_samples =
      tune.train_samples > 0 ? std::min(tune.train_samples, train.count) : train.count;
  c.batch_size = tune.batch_size;
  c.learning_rate = tune.learning_rate;
  c.seed = tune.seed;
  c.threads = tune.threads;
  COINFER_RETURN_IF_ERROR(SaveTrained(net, c, out_dir, &r.card));
  *report = r;
  return Status::Ok();
}

}  // namespace coinfer
