#include "learn/model_card.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace coinfer {

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
    c.epochs = j.at("epochs").get<int>();
    c.train_samples = j.at("train_samples").get<int64_t>();
    c.batch_size = j.at("batch_size").get<int>();
    c.learning_rate = j.at("learning_rate").get<double>();
    c.seed = j.at("seed").get<uint64_t>();
    c.threads = j.at("threads").get<int>();
    *card = c;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidInput(path, "model card", e.what());
  }
  return Status::Ok();
}

Status WriteModelCard(const ModelCard& c, const std::string& path) {
  const nlohmann::ordered_json j = {
      {"model", c.model},
      {"dataset", c.dataset},
      {"weights", c.weights},
      {"sha256", c.sha256},
      {"test_correct", c.test_correct},
      {"test_samples", c.test_samples},
      {"test_accuracy", c.TestAccuracy()},
      {"epochs", c.epochs},
      {"train_samples", c.train_samples},
      {"batch_size", c.batch_size},
      {"learning_rate", c.learning_rate},
      {"seed", c.seed},
      {"threads", c.threads},
  };
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  if (!out) return Status::IoError(path + ": cannot write");
  return Status::Ok();
}

}  // namespace coinfer
