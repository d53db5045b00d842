// CIFAR-10's binary version (data_batch_1.bin .. data_batch_5.bin and
// test_batch.bin; each record is a label byte then 3x32x32 pixels), for users
// who have it: coinfer cannot fetch it here.
#pragma once

#include <string>

#include "base/status.h"
#include "datasets/image_set.h"

namespace coinfer {

// train: the five data batches; otherwise the test batch.
Status ReadCifar10(const std::string& dir, bool train, ImageSet* out);

}  // namespace coinfer
