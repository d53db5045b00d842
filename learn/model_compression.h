// Builds a JMDC model-compression variant: a trained network whose
// device-side convolutions keep a fraction of their channels (chosen by
// attention, learn/channel_pruning.h), fine-tuned, measured on the test split
// and saved with a card that records the pruning and the base weights.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "dnn/graph.h"
#include "learn/l1_pruning.h"
#include "learn/model_card.h"
#include "learn/training.h"

namespace coinfer {

struct PruneOptions {
  std::string card;  // the trained base model's card
  // JMDC's: the convolutions before split keep keep_fraction of their
  // channels, chosen by attention over calibration images.
  int split = 0;  // split point (layer index): layers before it are pruned
  double keep_fraction = 0.5;
  int64_t calibration_samples = 1000;  // train images that score channels
  // EdgeDI's, when l1.accuracy_floor > 0: every convolution of the network,
  // by L1 norm, layer by layer down to the floor (learn/l1_pruning.h).
  L1PruningOptions l1{0};
  TrainOptions fine_tune;  // epochs (0: none), learning rate, samples
  // Progress of the L1 plan, a line per layer.
  std::function<void(const L1Step&)> l1_progress;
};

struct PruneReport {
  int64_t device_macs_before = 0, device_macs_after = 0;  // layers [0, split)
  int64_t pruned_correct = 0;                             // test images right before fine-tuning
  ModelCard card;                                         // the variant's, after fine-tuning
};

// The Graph of a trained model or variant (its card), recorded with its weights' shapes.
Status RecordTrainedGraph(const std::string& card_path, Graph* graph);

Status PruneModel(const PruneOptions& options, const std::string& out_dir,
                  const std::function<void(const EpochReport&)>& progress, PruneReport* report);

}  // namespace coinfer
