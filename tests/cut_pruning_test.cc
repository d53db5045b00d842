// CNNPC's channel pruning of a cut tensor (learn/cut_pruning.h), on networks
// built by hand where the right answer is known, and measured on the shipped
// small_vgg through the catalog.
#include "learn/cut_pruning.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "learn/capture.h"
#include "learn/model_card.h"

namespace coinfer {
namespace {

namespace nn = torch::nn;

// The input (3 channels, 6x6) read by one 3x3 convolution whose weights on
// input channel 0 are zero: that channel, however strong, is useless.
struct IgnoredChannel {
  Network net;
  Graph graph;
  torch::Tensor input;

  explicit IgnoredChannel(bool through_relu) {
    torch::manual_seed(1);
    int in = Network::kInput;
    if (through_relu) in = net.Add("relu", nn::AnyModule(nn::ReLU()), in);
    nn::Conv2d conv(nn::Conv2dOptions(3, 4, 3).padding(1));
    {
      torch::NoGradGuard no_grad;
      conv->weight.index_put_({torch::indexing::Slice(), 0}, 0.0);
    }
    net.Add("conv", nn::AnyModule(conv), in);
    graph = net.Record("ignored", {1, 3, 6, 6});
    input = torch::randn({64, 3, 6, 6});
    input.index({torch::indexing::Slice(), 0}).mul_(10);  // channel 0 is the strongest
  }
};

TEST(CutPruning, LassoDropsAChannelTheConsumerIgnoresHoweverStrong) {
  IgnoredChannel m(false);
  const CutPruning p = PlanCutPruning(m.net, m.graph, m.graph.SplitPoints()[0], m.input, 1.0 / 3);
  EXPECT_TRUE(p.lasso);
  EXPECT_EQ(p.kept, (std::vector<int>{1, 2}));
}

// A consumer that is not linear in the tensor (a ReLU): ranking by energy,
// which keeps the strongest channel.
TEST(CutPruning, WithoutALinearConsumerChannelsAreRankedByEnergy) {
  IgnoredChannel m(true);
  const CutPruning p = PlanCutPruning(m.net, m.graph, m.graph.SplitPoints()[0], m.input, 1.0 / 3);
  EXPECT_FALSE(p.lasso);
  EXPECT_EQ(p.kept.size(), 2u);
  EXPECT_EQ(p.kept[0], 0);
}

// Removed channels that are affine functions of the kept ones are rebuilt
// exactly by the least squares; the codec then gives the tensor back.
TEST(CutPruning, RedundantChannelsAreRebuiltExactly) {
  torch::manual_seed(2);
  Network net;
  net.Add("conv", nn::AnyModule(nn::Conv2d(nn::Conv2dOptions(4, 4, 3).padding(1))),
          Network::kInput);
  const Graph graph = net.Record("redundant", {1, 4, 6, 6});
  using torch::indexing::Slice;
  torch::Tensor x = torch::randn({32, 4, 6, 6});
  // Channels 2 and 3 are affine in 0 and 1 (so any two rebuild the others).
  x.index_put_({Slice(), 2}, x.index({Slice(), 0}) * 0.5 - x.index({Slice(), 1}) + 2);
  x.index_put_({Slice(), 3}, x.index({Slice(), 1}) * 3 + x.index({Slice(), 0}) - 1);
  const CutPruning p = PlanCutPruning(net, graph, graph.SplitPoints()[0], x, 0.5);
  ASSERT_EQ(p.kept.size(), 2u);
  EXPECT_EQ(p.reconstruction.size(), 2u * 3);
  CodecSpec spec;
  ASSERT_TRUE(ParseCodecSpec("prune:0.5", &spec).ok());
  Codec codec(spec, p.kept, p.reconstruction);
  for (int64_t s : {0, 17}) {
    const torch::Tensor sample = x[s].contiguous();
    std::string bytes;
    ASSERT_TRUE(codec.Encode(sample.data_ptr<float>(), {4, 6, 6}, &bytes).ok());
    Activation back;
    ASSERT_TRUE(codec.Decode(bytes, &back).ok());
    for (int64_t i = 0; i < sample.numel(); ++i)
      EXPECT_NEAR(back.values[i], sample.data_ptr<float>()[i], 1e-3) << s << " " << i;
  }
}

// A residual add passes every channel on, so in LASSO each channel is its
// own contribution: beside a convolution that reads nothing, the channel
// kept is the strongest (ignoring the add would leave nothing to rank by).
TEST(CutPruning, AnAddConsumerCountsEveryChannelItPassesOn) {
  torch::manual_seed(3);
  Network net;
  const int conv =
      net.Add("conv", nn::AnyModule(nn::Conv2d(nn::Conv2dOptions(3, 3, 1))), Network::kInput);
  net.AddSum("add", {conv, Network::kInput});
  {
    torch::NoGradGuard no_grad;
    auto* c = dynamic_cast<nn::Conv2dImpl*>(net.module(conv).get());
    c->weight.zero_();  // the convolution reads nothing: only the add matters
    c->bias.zero_();
  }
  const Graph graph = net.Record("add", {1, 3, 4, 4});
  torch::Tensor x = torch::randn({16, 3, 4, 4});
  x.index({torch::indexing::Slice(), 1}).mul_(10);
  const CutPruning p = PlanCutPruning(net, graph, graph.SplitPoints()[0], x, 2.0 / 3);
  EXPECT_TRUE(p.lasso);
  EXPECT_EQ(p.kept, (std::vector<int>{1}));
}

// On the shipped small_vgg, after its first pool: pruning half the channels
// sends what selecting half sends, and rebuilding them loses less accuracy
// than filling zeros; pruning nothing changes no prediction. Then probes of
// two cuts (after the first and the second pool).
TEST(CutPruning, CaptureMeasuresPruningOnTheTestSplit) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "coinfer_cut_pruning";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::unique_ptr<CompressionCatalog> catalog;
  ASSERT_TRUE(CompressionCatalog::Open((dir / "catalog.sqlite").string(), &catalog).ok());
  CaptureOptions o;
  o.card = COINFER_SOURCE_DIR "/models/small_vgg.json";
  o.codecs = {"none", "prune:0", "prune:0.5", "channels:0.5", "prune:0.75", "channels:0.25"};
  o.splits = {5, 10};
  o.samples = 1000;
  o.pairs = {{5, "none", 10, "none"}, {5, "prune:0.5", 10, "none"}, {5, "none", 10, "prune:0.5"}};
  const Status st = CaptureToCatalog(o, catalog.get(), [](const CatalogEntry&) {});
  ASSERT_TRUE(st.ok()) << st.message();
  ModelCard card;
  ASSERT_TRUE(ReadModelCard(o.card, &card).ok());
  auto entry = [&](const std::string& codec, int split = 5) {
    bool found = false;
    CatalogEntry e;
    EXPECT_TRUE(
        catalog->Find({card.Name(), card.sha256, card.dataset, split, codec}, 1000, &found, &e)
            .ok());
    EXPECT_TRUE(found) << codec;
    return e;
  };
  auto pair = [&](const std::string& first, const std::string& second) {
    bool found = false;
    CatalogEntry e;
    EXPECT_TRUE(catalog
                    ->FindPair({card.Name(), card.sha256, card.dataset, 5, first}, 10, second, 1000,
                               &found, &e)
                    .ok());
    EXPECT_TRUE(found) << first << " then " << second;
    return e;
  };
  EXPECT_EQ(entry("prune:0").correct, entry("none").correct);
  EXPECT_EQ(entry("prune:0.5").sample_bytes, entry("channels:0.5").sample_bytes);
  EXPECT_GT(entry("prune:0.5").Accuracy(), entry("channels:0.5").Accuracy());
  EXPECT_GT(entry("prune:0.75").Accuracy(), entry("channels:0.25").Accuracy());
  EXPECT_GE(entry("prune:0.5").Accuracy(), entry("prune:0.75").Accuracy());

  // Two cuts: a lossless second (or first) cut changes nothing, so each
  // probe gives exactly the predictions of its one lossy cut, measured alone.
  EXPECT_EQ(pair("none", "none").correct, entry("none").correct);
  EXPECT_EQ(pair("prune:0.5", "none").correct, entry("prune:0.5").correct);
  EXPECT_EQ(pair("prune:0.5", "none").sample_bytes, entry("prune:0.5").sample_bytes);
  EXPECT_EQ(pair("prune:0.5", "none").then_bytes, entry("none", 10).sample_bytes);
  EXPECT_EQ(pair("none", "prune:0.5").correct, entry("prune:0.5", 10).correct);
  EXPECT_EQ(pair("none", "prune:0.5").then_bytes, entry("prune:0.5", 10).sample_bytes);
}

}  // namespace
}  // namespace coinfer
