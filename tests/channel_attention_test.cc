// Channel attention against its definition computed element by element, and
// the compact zoo networks running end to end in LibTorch.
#include "dnn/channel_attention.h"

#include <gtest/gtest.h>

#include <cmath>

#include "dnn/zoo_networks.h"

namespace coinfer {
namespace {

TEST(ChannelAttentionTest, RescalesEachChannelBySigmoidOfTheFullyConnectedMeans) {
  torch::manual_seed(5);
  ChannelAttention attention(3);
  const torch::Tensor x = torch::randn({2, 3, 4, 5});
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    y = attention->forward(x);
  }
  const torch::Tensor w = attention->fc->weight, b = attention->fc->bias;
  for (int64_t n = 0; n < 2; ++n) {
    double mean[3] = {0, 0, 0};
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t h = 0; h < 4; ++h)
        for (int64_t v = 0; v < 5; ++v) mean[c] += x[n][c][h][v].item<double>();
      mean[c] /= 20;
    }
    for (int64_t c = 0; c < 3; ++c) {
      double z = b[c].item<double>();
      for (int64_t k = 0; k < 3; ++k) z += w[c][k].item<double>() * mean[k];
      const double scale = 1 / (1 + std::exp(-z));
      for (int64_t h = 0; h < 4; ++h)
        for (int64_t v = 0; v < 5; ++v)
          EXPECT_NEAR(y[n][c][h][v].item<double>(), scale * x[n][c][h][v].item<double>(), 1e-5);
    }
  }
}

TEST(ChannelAttentionTest, CompactNetworksRunAndKeepTheirOutputShape) {
  // (MobileNets have no standard 3x3 convolution: nothing to replace.)
  for (const std::string model : {"small_vgg", "small_resnet"}) {
    Network plain, compact;
    Shape shape;
    ASSERT_TRUE(BuildZooNetwork(model, &plain, &shape).ok());
    ASSERT_TRUE(BuildZooNetwork(model + "-compact", &compact, &shape).ok());
    torch::InferenceMode guard;
    const torch::Tensor input = torch::randn(shape);
    EXPECT_EQ(compact.Forward(input).sizes(), plain.Forward(input).sizes()) << model;
  }
}

}  // namespace
}  // namespace coinfer
