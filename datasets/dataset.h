// Datasets by name, behind one interface, so a scenario or command can point
// coinfer at its own data:
//   fashion-mnist   the cache scripts/data builds (IDX files) in
//                   $COINFER_DATA_DIR/fashion-mnist, by default
//                   <source>/datasets/cache/fashion-mnist
//   idx:DIR         any MNIST-style IDX directory
//   cifar10:DIR     CIFAR-10's binary version
//   imagefolder:DIR DIR/train/<class>/* and DIR/test/<class>/* (torchvision's
//                   ImageFolder layout, one folder per split)
#pragma once

#include <string>

#include "base/status.h"
#include "datasets/image_set.h"

namespace coinfer {

// kTrain and kValidation partition the dataset's own train split
// (datasets/validation_split.h); kTest is its test split.
enum class Split { kTrain, kValidation, kTest };

const char* SplitName(Split split);  // train, validation, test

// The directory the fashion-mnist cache lives in.
std::string FashionMnistCacheDir();

Status LoadDataset(const std::string& spec, Split split, ImageSet* out);

}  // namespace coinfer
