// ImageSet: labelled 8-bit images, the form every dataset reader produces.
// Plain C++; the learn/ folder turns it into LibTorch tensors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace coinfer {

struct ImageSet {
  int64_t count = 0;
  int64_t channels = 0, height = 0, width = 0;
  std::vector<uint8_t> pixels;  // count x channels x height x width, row-major
  std::vector<uint8_t> labels;  // count class indices
  int classes = 0;              // labels are in [0, classes)

  int64_t ImageSize() const { return channels * height * width; }
  const uint8_t* Image(int64_t i) const { return pixels.data() + i * ImageSize(); }
};

}  // namespace coinfer
