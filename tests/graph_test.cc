#include <gtest/gtest.h>

#include <map>

#include "dnn/zoo.h"

namespace coinfer {
namespace {

// Graphs are recorded once per model: building ImageNet models costs seconds.
const Graph& ZooGraph(const std::string& name) {
  static std::map<std::string, Graph> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    Graph g;
    Status st = RecordZooGraph(name, &g);
    EXPECT_TRUE(st.ok()) << st.message();
    it = cache.emplace(name, std::move(g)).first;
  }
  return it->second;
}

struct PublishedMacs {
  const char* model;
  double gmacs;
};

void PrintTo(const PublishedMacs& p, std::ostream* os) { *os << p.model; }

class ZooMacsTest : public ::testing::TestWithParam<PublishedMacs> {};

TEST_P(ZooMacsTest, MacsWithinThreePercentOfPublished) {
  const Graph& g = ZooGraph(GetParam().model);
  const double gmacs = g.TotalMacs() / 1e9;
  EXPECT_NEAR(gmacs, GetParam().gmacs, 0.03 * GetParam().gmacs) << GetParam().model;
}

INSTANTIATE_TEST_SUITE_P(
    Published, ZooMacsTest,
    ::testing::Values(PublishedMacs{"vgg16", 15.5}, PublishedMacs{"vgg13", 11.31},
                      PublishedMacs{"resnet18", 1.82}, PublishedMacs{"resnet50", 4.1},
                      PublishedMacs{"mobilenet_v2", 0.30}, PublishedMacs{"alexnet", 0.71}),
    [](const auto& info) { return std::string(info.param.model); });

TEST(GraphTest, OutputBytesAreShapeTimesElementSize) {
  for (const std::string name : {"resnet18", "mobilenet_v2", "small_vgg"}) {
    const Graph& g = ZooGraph(name);
    for (const Layer& l : g.layers) {
      EXPECT_EQ(l.output_bytes, NumElements(l.output_shape) * g.element_bytes)
          << name << " " << l.name;
    }
    EXPECT_EQ(g.input_bytes, NumElements(g.input_shape) * g.element_bytes);
  }
}

TEST(GraphTest, VggIsAChainWithASplitAtEveryBoundary) {
  const Graph& g = ZooGraph("vgg16");
  ASSERT_TRUE(g.IsChain());
  const auto points = g.SplitPoints();
  ASSERT_EQ(points.size(), g.layers.size() + 1);
  EXPECT_EQ(points.front().bytes, 224 * 224 * 3 * 4);
  EXPECT_EQ(points[1].bytes, 64 * 224 * 224 * 4);  // after the first conv
  EXPECT_EQ(points.back().bytes, 0);
  // 13 convolutions and 3 fully connected layers.
  int conv = 0, linear = 0;
  for (const Layer& l : g.layers) {
    conv += l.kind == LayerKind::kConv;
    linear += l.kind == LayerKind::kLinear;
  }
  EXPECT_EQ(conv, 13);
  EXPECT_EQ(linear, 3);
}

TEST(GraphTest, ResNetSplitsOnlyWhereOneTensorCrosses) {
  const Graph& g = ZooGraph("resnet18");
  ASSERT_FALSE(g.IsChain());
  const auto points = g.SplitPoints();
  // Inside a residual block two tensors are live, so far fewer splits than layers.
  EXPECT_LT(points.size(), g.layers.size() / 2);
  for (const SplitPoint& p : points) {
    if (p.index == 0 || p.index == g.size()) continue;
    // Every layer after the cut reads only layers after the cut or the crossing tensor.
    for (int v = p.index; v < g.size(); ++v)
      for (int u : g.layers[v].inputs) EXPECT_TRUE(u >= p.index || u == p.source) << p.index;
  }
  // The output of each of the 8 basic blocks is a split point, plus stem and head ones.
  int block_outputs = 0;
  for (const SplitPoint& p : points)
    if (p.source >= 0 && g.layers[p.source].name.find(".relu2") != std::string::npos)
      ++block_outputs;
  EXPECT_EQ(block_outputs, 8);
}

TEST(GraphTest, UnknownModelIsAnInputError) {
  Graph g;
  Status st = RecordZooGraph("vgg17", &g);
  EXPECT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find("vgg17"), std::string::npos);
}

TEST(GraphTest, SmallNetworksTakeFashionMnistShape) {
  for (const std::string name : {"small_vgg", "small_resnet"}) {
    const Graph& g = ZooGraph(name);
    EXPECT_EQ(g.input_shape, (Shape{1, 1, 28, 28}));
    EXPECT_EQ(g.layers.back().output_shape, (Shape{1, 10}));
  }
}

// LibTorch 1.13 runs a 3x3 convolution on at most 20480 input elements with
// its native kernel, larger ones with oneDNN: the graph says which ran.
TEST(GraphTest, RecordNamesTheKernelThatRanEachLayer) {
  const Graph& g = ZooGraph("small_vgg");
  EXPECT_EQ(g.layers[0].kernel, "_slow_conv2d_forward");  // 1x1x28x28
  EXPECT_EQ(g.layers[2].kernel, "mkldnn_convolution");    // 1x32x28x28
  EXPECT_EQ(g.layers[1].kernel, "clamp_min");             // ReLU
  EXPECT_EQ(g.layers[4].kernel, "max_pool2d_with_indices");
  EXPECT_EQ(g.layers.back().kernel, "addmm");  // Linear: past the transpose of its weight
  const Graph& resnet = ZooGraph("small_resnet");
  for (const Layer& l : resnet.layers) {
    if (l.kind == LayerKind::kBatchNorm) {
      EXPECT_EQ(l.kernel, "native_batch_norm") << l.name;
    }
  }
}

}  // namespace
}  // namespace coinfer

namespace coinfer {
namespace {

// A VGG's MACs worked out from its configuration (3x3 widths, 0 for a 2x2
// pooling) alone: a standard 3x3 convolution costs H·W·cin·cout·9; with
// `compact`, one of at least 16 input channels costs EdgeDI's block instead:
// a 1x1 reduction to cin/4, the 3x3 on cin/4 channels, attention's
// (cin/4)² fully connected, a 1x1 expansion to cout.
int64_t VggMacs(const std::vector<int>& cfg, int64_t cin, int64_t side, bool compact) {
  int64_t macs = 0;
  for (int c : cfg) {
    if (c == 0) {
      side /= 2;
      continue;
    }
    const int64_t hw = side * side, mid = cin / 4;
    macs += compact && cin >= 16 ? hw * cin * mid + hw * mid * mid * 9 + mid * mid + hw * mid * c
                                 : hw * cin * c * 9;
    cin = c;
  }
  return macs;
}

TEST(GraphTest, CompactVggsCostWhatTheirBlocksCost) {
  const std::vector<int> small = {32, 32, 0, 64, 64, 0};
  const int64_t small_classifier = 3136 * 128 + 128 * 10;
  EXPECT_EQ(ZooGraph("small_vgg").TotalMacs(), VggMacs(small, 1, 28, false) + small_classifier);
  EXPECT_EQ(ZooGraph("small_vgg-compact").TotalMacs(),
            VggMacs(small, 1, 28, true) + small_classifier);
  const std::vector<int> vgg16 = {64, 64,  0,   128, 128, 0,   256, 256, 256,
                                  0,  512, 512, 512, 0,   512, 512, 512, 0};
  const int64_t classifier = 25088 * 4096 + 4096 * 4096 + 4096 * 1000;
  EXPECT_EQ(ZooGraph("vgg16").TotalMacs(), VggMacs(vgg16, 3, 224, false) + classifier);
  EXPECT_EQ(ZooGraph("vgg16-compact").TotalMacs(), VggMacs(vgg16, 3, 224, true) + classifier);
  // A block, layer by layer: reduce, 3x3, attention, expand, ReLU, batch norm;
  // the stem, which reads the one-channel image, stays a 3x3 convolution.
  const Graph& g = ZooGraph("small_vgg-compact");
  EXPECT_EQ(g.layers[0].name, "features.0");
  EXPECT_EQ(g.layers[0].macs, 28 * 28 * 1 * 32 * 9);
  const std::vector<std::pair<std::string, LayerKind>> block = {
      {"features.2.reduce", LayerKind::kConv},         {"features.2.conv", LayerKind::kConv},
      {"features.2.attention", LayerKind::kAttention}, {"features.2.expand", LayerKind::kConv},
      {"features.2.relu", LayerKind::kActivation},     {"features.2.bn", LayerKind::kBatchNorm}};
  for (size_t i = 0; i < block.size(); ++i) {
    EXPECT_EQ(g.layers[2 + i].name, block[i].first);
    EXPECT_EQ(g.layers[2 + i].kind, block[i].second) << block[i].first;
  }
  EXPECT_EQ(g.layers[4].output_shape, (Shape{1, 8, 28, 28}));
  EXPECT_FALSE(g.layers[4].row_local);  // attention averages over every row
}

TEST(GraphTest, CompactNamesAreZooNamesWithOneSuffix) {
  EXPECT_TRUE(IsZooModel("resnet18-compact"));
  EXPECT_TRUE(IsZooModel("small_vgg"));
  EXPECT_FALSE(IsZooModel("small_vgg-compact-compact"));
  EXPECT_FALSE(IsZooModel("-compact"));
  EXPECT_FALSE(IsZooModel("compact"));
}

}  // namespace
}  // namespace coinfer
