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
