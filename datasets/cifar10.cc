#include "datasets/cifar10.h"

#include <fstream>
#include <iterator>

namespace coinfer {
namespace {

constexpr int64_t kImageBytes = 3 * 32 * 32;

Status ReadBatch(const std::string& path, ImageSet* set) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot open");
  const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                   std::istreambuf_iterator<char>()};
  if (bytes.empty() || bytes.size() % (kImageBytes + 1) != 0)
    return Status::InvalidInput(path, "size", "not a whole number of 3073-byte CIFAR-10 records");
  for (size_t at = 0; at < bytes.size(); at += kImageBytes + 1) {
    if (bytes[at] >= 10)
      return Status::InvalidInput(path, "record " + std::to_string(at / (kImageBytes + 1)),
                                  "label must be 0..9");
    set->labels.push_back(bytes[at]);
    set->pixels.insert(set->pixels.end(), bytes.begin() + at + 1,
                       bytes.begin() + at + 1 + kImageBytes);
    ++set->count;
  }
  return Status::Ok();
}

}  // namespace

Status ReadCifar10(const std::string& dir, bool train, ImageSet* out) {
  ImageSet set;
  set.channels = 3;
  set.height = set.width = 32;
  set.classes = 10;
  if (train) {
    for (int b = 1; b <= 5; ++b)
      COINFER_RETURN_IF_ERROR(ReadBatch(dir + "/data_batch_" + std::to_string(b) + ".bin", &set));
  } else {
    COINFER_RETURN_IF_ERROR(ReadBatch(dir + "/test_batch.bin", &set));
  }
  *out = std::move(set);
  return Status::Ok();
}

}  // namespace coinfer
