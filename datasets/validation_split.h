// The validation split: images carved from a dataset's train split, so that
// a search can choose among configurations on images that neither trained
// the weights nor are reported as the result. Per class, the last
// 1/kValidationShare of that class's train images (in file order) are
// validation, the rest train; both keep file order. On Fashion-MNIST, whose
// train split interleaves the classes (6000 each), that is the last 500 of
// each class: train is images [0, 55000), validation [55000, 60000), and any
// prefix of either is balanced.
#pragma once

#include "datasets/image_set.h"

namespace coinfer {

constexpr int kValidationShare = 12;

// Splits `all_train` (a dataset's whole train split) into train and validation.
void SplitOffValidation(const ImageSet& all_train, ImageSet* train, ImageSet* validation);

}  // namespace coinfer
