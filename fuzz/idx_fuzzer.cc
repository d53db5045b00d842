// IDX image and label files (MNIST's format): an input error, or a set whose
// sizes agree. The input is split in two at its first byte's share.
#include <filesystem>

#include "datasets/idx.h"
#include "fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coinfer;
  if (size == 0) return 0;
  const size_t cut = 1 + (size - 1) * data[0] / 255;
  const std::string images = WriteFuzzFile("idx/train-images-idx3-ubyte", data + 1, cut - 1);
  WriteFuzzFile("idx/train-labels-idx1-ubyte", data + cut, size - cut);
  ImageSet set;
  if (!ReadIdxSplit(std::filesystem::path(images).parent_path().string(), "train", &set).ok())
    return 0;
  FuzzCheck(set.pixels.size() == static_cast<size_t>(set.count * set.ImageSize()));
  FuzzCheck(set.labels.size() == static_cast<size_t>(set.count));
  for (uint8_t label : set.labels) FuzzCheck(label < set.classes);
  return 0;
}
