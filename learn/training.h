// Training the zoo's small networks with LibTorch (Adam, cross-entropy,
// shuffled mini-batches, seeded), and evaluating any trained network.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "datasets/image_set.h"
#include "learn/model_card.h"

namespace coinfer {

class Network;

struct TrainOptions {
  std::string model;
  std::string dataset = "fashion-mnist";
  int epochs = 3;
  int batch_size = 64;
  double learning_rate = 1e-3;
  uint64_t seed = 1;
  int threads = 2;
  int64_t train_samples = 0;       // 0: the whole train split, else its first N
  int64_t validation_samples = 0;  // 0: the whole validation split, else its first N
  int64_t test_samples = 0;        // 0: the whole test split, else its first N
};

struct EpochReport {
  int epoch = 0;
  double mean_loss = 0;  // over the epoch's batches
  double train_accuracy = 0;
  int64_t validation_correct = 0, validation_samples = 0;
  double seconds = 0;
};

// Trains options.model from fresh (seeded) weights on the train split,
// reports each epoch's validation accuracy, measures the test accuracy once at
// the end, and writes <out_dir>/<model>.pt and <model>.json (the card, also
// returned).
Status TrainModel(const TrainOptions& options, const std::string& out_dir,
                  const std::function<void(const EpochReport&)>& progress, ModelCard* card);

// Trains `net` in place (Adam, shuffled mini-batches, seeded) for
// options.epochs over the first options.train_samples images of `train`,
// evaluating each epoch on `validation`; returns the last epoch's report.
EpochReport TrainEpochs(Network& net, const ImageSet& train, const ImageSet& validation,
                        const TrainOptions& options,
                        const std::function<void(const EpochReport&)>& progress);

// Writes <out_dir>/<card.Name()>.pt and .json (weights file and hash set in
// the card, also returned), each renamed into place.
Status SaveTrained(const Network& net, ModelCard card, const std::string& out_dir,
                   ModelCard* saved);

// The predicted class of images [0, count) of `set`, in batches, inference mode.
std::vector<int64_t> Predict(Network& net, const ImageSet& set, int64_t count);

// How many of `predictions` equal the labels of `set`.
int64_t CountCorrect(const std::vector<int64_t>& predictions, const ImageSet& set);

}  // namespace coinfer
