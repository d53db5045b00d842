// Builders of the zoo's networks in the Network IR (LibTorch inside).
#pragma once

#include <string>

#include "base/status.h"
#include "dnn/network.h"

namespace coinfer {

// Builds the named network with freshly initialised weights and its input
// shape (batch 1). Returns InvalidInput for an unknown name.
Status BuildZooNetwork(const std::string& name, Network* net, Shape* input_shape);

}  // namespace coinfer
