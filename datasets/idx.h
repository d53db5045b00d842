// The IDX format of MNIST and Fashion-MNIST (big-endian header: magic
// 0x0000080N for N dimensions of unsigned bytes, then each dimension's size).
// coinfer caches Fashion-MNIST in it, and reads any MNIST-style directory:
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
// t10k-labels-idx1-ubyte.
#pragma once

#include <string>

#include "base/status.h"
#include "datasets/image_set.h"

namespace coinfer {

// Reads one split ("train" or "t10k" prefix) of an IDX directory.
Status ReadIdxSplit(const std::string& dir, const std::string& prefix, ImageSet* out);
// Writes `set` (one channel) as <prefix>-images-idx3-ubyte and <prefix>-labels-idx1-ubyte.
Status WriteIdxSplit(const ImageSet& set, const std::string& dir, const std::string& prefix);

}  // namespace coinfer
