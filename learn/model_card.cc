#include "learn/model_card.h"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <type_traits>

namespace coinfer {

std::string ModelCard::Name() const {
  if (!pruned) return model;
  if (pruning.accuracy_floor > 0)
    return model + "-l1-a" +
           std::to_string(static_cast<int>(std::lround(pruning.accuracy_floor * 1000)));
  return model + "-s" + std::to_string(pruning.split) + "-k" +
         std::to_string(static_cast<int>(std::lround(pruning.keep_fraction * 100)));
}

namespace {

// A field that is not what the card needs: its key and why.
struct FieldError {
  std::string key, reason;
};

// An integer field that fits T. nlohmann converts a float, or an integer out
// of T's range, with undefined behaviour: both are refused first.
template <typename T>
T Integer(const nlohmann::json& value, const std::string& key) {
  if (!value.is_number_integer()) throw FieldError{key, "not an integer"};
  bool fits = false;
  if (value.is_number_unsigned()) {
    fits = value.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
  } else if constexpr (std::is_signed_v<T>) {
    const int64_t v = value.get<int64_t>();
    fits = v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max();
  } else {
    fits = value.get<int64_t>() >= 0;
  }
  if (!fits) throw FieldError{key, "out of range"};
  return value.get<T>();
}

template <typename T>
T Integer(const nlohmann::json& object, const char* key, T fallback) {
  return object.contains(key) ? Integer<T>(object.at(key), key) : fallback;
}

}  // namespace

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
    c.test_correct = Integer<int64_t>(j.at("test_correct"), "test_correct");
    c.test_samples = Integer<int64_t>(j.at("test_samples"), "test_samples");
    // Cards written before the validation split have none.
    c.validation_correct = Integer<int64_t>(j, "validation_correct", 0);
    c.validation_samples = Integer<int64_t>(j, "validation_samples", 0);
    c.epochs = Integer<int>(j.at("epochs"), "epochs");
    c.train_samples = Integer<int64_t>(j.at("train_samples"), "train_samples");
    c.batch_size = Integer<int>(j.at("batch_size"), "batch_size");
    c.learning_rate = j.at("learning_rate").get<double>();
    c.seed = Integer<uint64_t>(j.at("seed"), "seed");
    c.threads = Integer<int>(j.at("threads"), "threads");
    if (j.contains("pruning")) {
      const auto& p = j.at("pruning");
      c.pruned = true;
      c.base_sha256 = p.at("base_sha256").get<std::string>();
      c.pruning.split = Integer<int>(p.at("split"), "pruning.split");
      c.pruning.keep_fraction = p.at("keep_fraction").get<double>();
      if (p.contains("accuracy_floor"))
        c.pruning.accuracy_floor = p.at("accuracy_floor").get<double>();
      for (const auto& conv : p.at("convs")) {
        PrunedConv pruned{Integer<int>(conv.at("layer"), "pruning.convs.layer"), {}};
        for (const auto& kept : conv.at("kept"))
          pruned.kept.push_back(Integer<int64_t>(kept, "pruning.convs.kept"));
        c.pruning.convs.push_back(std::move(pruned));
      }
    }
    *card = c;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidInput(path, "model card", e.what());
  } catch (const FieldError& e) {
    return Status::InvalidInput(path, e.key, e.reason);
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
