// Channel attention, as EdgeDI's compact block uses it: the feature map's
// global average per channel, a fully connected layer over the channels, a
// sigmoid, and each channel rescaled by its weight (squeeze-and-excitation
// with one layer). One module, so that a graph records it as one layer
// (LayerKind::kAttention) and a pruned channel removes one row and one
// column of its weights. Includes LibTorch: include it only from .cc files.
#pragma once

#include <torch/torch.h>

namespace coinfer {

class ChannelAttentionImpl : public torch::nn::Cloneable<ChannelAttentionImpl> {
 public:
  explicit ChannelAttentionImpl(int64_t channels) : channels_(channels) { reset(); }
  void reset() override { fc = register_module("fc", torch::nn::Linear(channels_, channels_)); }
  torch::Tensor forward(const torch::Tensor& x) {
    const torch::Tensor weights = torch::sigmoid(fc(x.mean({2, 3})));
    return x * weights.unsqueeze(2).unsqueeze(3);
  }
  int64_t channels() const { return channels_; }

  torch::nn::Linear fc{nullptr};

 private:
  int64_t channels_;
};
TORCH_MODULE(ChannelAttention);

}  // namespace coinfer
