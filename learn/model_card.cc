#include "learn/model_card.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace coinfer {

std::string ModelCard::Name() const {
  if (!pruned) return model;
  if (pruning.accuracy_floor > 0)
    return model + "-l1-a" +
           std::to_string(static_cast<int>(std::lround(pruning.accuracy_floor * 1000)));
  return model + "-s" + std::to_string(pruning.split) + "-k" +
         std::to_string(static_cast<int>(std::lround(pruning.keep_fraction * 100)));
}

Status ReadModelCard(const std::string& path, ModelCard* card) {
  std::ifstream in(path);
  if (!in) return Status::IoError(path + ": cannot open");
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    ModelCard c;
    c.model = j.at("model").get<std::string>();
    c.dataset = j.at("dataset").get<std::string>();
    c.weights = j.at("weights").get<std::string>();
    c.sha256 = j.at("sha256").get<std::string>();
    c.test_correct = j.at("test_correct").get<int64_t>();
    c.test_samples = j.at("test_samples").get<int64_t>();
    // Cards written before the validation split have none.
    c.validation_correct = j.value("validation_correct", int64_t{0});
    c.validation_samples = j.value("validation_samples", int64_t{0});
    c.epochs = j.at("epochs").get<int>();
    c.train_samples = j.at("train_samples").get<int64_t>();
    c.batch_size = j.at("batch_size").get<int>();
    c.learning_rate = j.at("learning_rate").get<double>();
    c.seed = j.at("seed").get<uint64_t>();
    c.threads = j.at("threads").get<int>();
    if (j.contains("pruning")) {
      const auto& p = j.at("pruning");
      c.pruned = true;
      c.base_sha256 = p.at("base_sha256").get<std::string>();
      c.pruning.split = p.at("split").get<int>();
      c.pruning.keep_fraction = p.at("keep_fraction").get<double>();
      if (p.contains("accuracy_floor"))
        c.pruning.accuracy_floor = p.at("accuracy_floor").get<double>();
      for (const auto& conv : p.at("convs"))
        c.pruning.convs.push_back(
            {conv.at("layer").get<int>(), conv.at("kept").get<std::vector<int64_t>>()});
    }
    *card = c;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidInput(path, "model card", e.what());
  }
  return Status::Ok();
}

Status WriteModelCard(const ModelCard& c, const std::string& path) {
  nlohmann::ordered_json j = {
      {"model", c.model},
      {"dataset", c.dataset},
      {"weights", c.weights},
      {"sha256", c.sha256},
      {"test_correct", c.test_correct},
      {"test_samples", c.test_samples},
      {"test_accuracy", c.TestAccuracy()},
      {"validation_correct", c.validation_correct},
      {"validation_samples", c.validation_samples},
      {"epochs", c.epochs},
      {"train_samples", c.train_samples},
      {"batch_size", c.batch_size},
      {"learning_rate", c.learning_rate},
      {"seed", c.seed},
      {"threads", c.threads},
  };
  if (c.pruned) {
    nlohmann::ordered_json convs = nlohmann::ordered_json::array();
    for (const PrunedConv& conv : c.pruning.convs)
      convs.push_back({{"layer", conv.layer}, {"kept", conv.kept}});
    j["pruning"] = {{"base_sha256", c.base_sha256},
                    {"split", c.pruning.split},
                    {"keep_fraction", c.pruning.keep_fraction},
                    {"convs", convs}};
    if (c.pruning.accuracy_floor > 0) j["pruning"]["accuracy_floor"] = c.pruning.accuracy_floor;
  }
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  if (!out) return Status::IoError(path + ": cannot write");
  return Status::Ok();
}

}  // namespace coinfer
