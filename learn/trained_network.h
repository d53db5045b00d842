// Trained networks: the zoo network with weights from a model card, checked
// against the card's SHA-256; and the helpers that feed images to LibTorch.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

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

// Every image of `set` as a uint8 N x C x H x W view of its pixels (no copy).
torch::Tensor ImageBytes(const ImageSet& set);
// Pixel bytes as the networks' input: float, scaled to [0, 1].
torch::Tensor ToNetworkInput(const torch::Tensor& bytes);
// Images [begin, begin + count) as network input.
torch::Tensor ImagesToTensor(const ImageSet& set, int64_t begin, int64_t count);

// For each node in `nodes` (Layer::kModelInput: the input), each channel's
// total |activation| (each feature's, for a 2-d output) summed over the
// first `samples` images of `set`: the channel attention that codecs and
// pruning rank channels by.
std::map<int, torch::Tensor> ChannelActivity(Network& net, const ImageSet& set, int64_t samples,
                                             const std::vector<int>& nodes);

}  // namespace coinfer
