// CIFAR-10's binary batches: an input error, or a set whose sizes agree.
#include <filesystem>

#include "datasets/cifar10.h"
#include "fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coinfer;
  const std::string path = WriteFuzzFile("cifar/test_batch.bin", data, size);
  ImageSet set;
  if (!ReadCifar10(std::filesystem::path(path).parent_path().string(), false, &set).ok()) return 0;
  FuzzCheck(set.pixels.size() == static_cast<size_t>(set.count * set.ImageSize()));
  for (uint8_t label : set.labels) FuzzCheck(label < set.classes);
  return 0;
}
