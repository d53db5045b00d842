// ModelCard: the sidecar JSON next to trained weights (models/NAME.json). It
// records how the weights were trained, their SHA-256 (over every parameter
// and buffer, so a changed weight is a changed model for the catalog) and the
// test accuracy as counts, so reloading can check it exactly, and the
// validation accuracy of the last epoch (absent, 0, in cards trained before
// the validation split existed: their weights have seen those images).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "learn/channel_pruning.h"

namespace coinfer {

struct ModelCard {
  std::string model;    // zoo name
  std::string dataset;  // dataset spec, e.g. "fashion-mnist"
  std::string weights;  // weights file, relative to the card's directory
  std::string sha256;   // of the weights' values (WeightsSha256)
  int64_t test_correct = 0, test_samples = 0;
  int64_t validation_correct = 0, validation_samples = 0;
  int epochs = 0;
  int64_t train_samples = 0;
  int batch_size = 0;
  double learning_rate = 0;
  uint64_t seed = 0;
  int threads = 0;

  // For a variant with pruned channels (learn/channel_pruning.h): the plan
  // that rebuilds its shape from the zoo model, and the base weights' hash.
  bool pruned = false;
  PruningPlan pruning;
  std::string base_sha256;

  // The model's name in file names and the catalog: the zoo name, or for a
  // pruned variant e.g. "small_vgg-s5-k50" (split 5, 50 % of the channels).
  std::string Name() const;

  double TestAccuracy() const {
    return test_samples ? static_cast<double>(test_correct) / test_samples : 0;
  }
};

Status ReadModelCard(const std::string& path, ModelCard* card);
Status WriteModelCard(const ModelCard& card, const std::string& path);

}  // namespace coinfer
