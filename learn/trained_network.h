// Trained networks: the zoo network with weights from a model card, checked
// against the card's SHA-256; and the helpers that feed images to LibTorch.
#pragma once

#include <torch/torch.h>

#include <string>

#include "base/status.h"
#include "datasets/image_set.h"
#include "dnn/network.h"
#include "learn/model_card.h"

namespace coinfer {

// SHA-256 (hex) over every parameter's and buffer's name and fp32 values.
std::string WeightsSha256(const Network& net);

// Builds card.model from the zoo and loads the card's weights; an error when
// the file is missing, does not fit the network, or its hash differs.
Status LoadTrainedNetwork(const std::string& card_path, Network* net, ModelCard* card,
                          Shape* input_shape);

// Images [begin, begin + count) as a float tensor N x C x H x W scaled to [0, 1].
torch::Tensor ImagesToTensor(const ImageSet& set, int64_t begin, int64_t count);
torch::Tensor LabelsToTensor(const ImageSet& set, int64_t begin, int64_t count);

}  // namespace coinfer
