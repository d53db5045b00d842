// Strips run for real: every strip of a segment computed with LibTorch from
// its input rows and halo, concatenated, against the segment computed whole
// by the same modules (Network::ForwardAll) — for the zoo's segments and for
// layers with odd row counts, strides, dilations, paddings and ceil-mode
// pooling, where an off-by-one in the halo or the windows' alignment shows.
#include "dnn/strip_forward.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dnn/zoo.h"
#include "dnn/zoo_networks.h"

namespace coinfer {
namespace {

// Output rows [0, rows) cut into `parts` strips of uneven sizes (the last
// one row where possible), so borders fall at odd rows.
std::vector<RowRange> UnevenStrips(int64_t rows, int parts) {
  std::vector<RowRange> strips;
  int64_t begin = 0;
  for (int p = 0; p < parts && begin < rows; ++p) {
    const int64_t left = rows - begin;
    int64_t size = p + 1 == parts ? left : std::max<int64_t>(1, left * (p + 2) / (2 * parts + 1));
    if (p + 2 == parts && left > 1) size = left - 1;  // the last strip: one row
    strips.push_back({begin, begin + size});
    begin += size;
  }
  return strips;
}

// The rows of a segment's output computed strip by strip, concatenated.
torch::Tensor StripByStrip(Network& net, const Graph& g, Segment s,
                           const std::vector<torch::Tensor>& whole, const torch::Tensor& input,
                           const std::vector<RowRange>& strips) {
  const int source = g.layers[s.begin].inputs[0];
  const torch::Tensor& in = source == Network::kInput ? input : whole[source];
  std::vector<torch::Tensor> outputs;
  for (RowRange out : strips) {
    std::vector<RowRange> produced;
    RowRange rows;
    Status st = StripRows(g, s.begin, s.end, out, &produced, &rows);
    EXPECT_TRUE(st.ok()) << st.message();
    torch::Tensor y;
    st = ForwardStrip(net, g, s.begin, s.end, out, in.narrow(2, rows.begin, rows.size()), &y);
    EXPECT_TRUE(st.ok()) << st.message();
    if (!st.ok()) return {};
    outputs.push_back(y);
  }
  return torch::cat(outputs, 2);
}

// Every segment of `net`, cut into 1..4 strips, equals the whole.
void ExpectStripsEqualTheWhole(Network& net, const Graph& g, const std::string& model) {
  torch::manual_seed(7);
  torch::InferenceMode guard;
  net.SetTraining(false);
  const torch::Tensor input = torch::randn(g.input_shape);
  const std::vector<torch::Tensor> whole = net.ForwardAll(input);
  const std::vector<Segment> segments = StripSegments(g);
  ASSERT_FALSE(segments.empty()) << model;
  for (Segment s : segments) {
    const torch::Tensor& expected = whole[s.end - 1];
    for (int parts = 1; parts <= 4; ++parts) {
      const torch::Tensor got =
          StripByStrip(net, g, s, whole, input, UnevenStrips(expected.size(2), parts));
      ASSERT_TRUE(got.defined());
      ASSERT_EQ(got.sizes(), expected.sizes()) << model << " layers " << s.begin << "-" << s.end;
      const double scale = expected.abs().max().item<double>() + 1e-6;
      EXPECT_LT((got - expected).abs().max().item<double>(), 1e-4 * scale)
          << model << " layers " << s.begin << "-" << s.end - 1 << " in " << parts << " strips";
    }
  }
}

void ExpectZooStripsEqualTheWhole(const std::string& model) {
  Network net;
  Shape shape;
  ASSERT_TRUE(BuildZooNetwork(model, &net, &shape).ok());
  ExpectStripsEqualTheWhole(net, net.Record(model, shape), model);
}

TEST(StripForwardTest, SmallZooStripsEqualTheWhole) {
  for (const std::string model : {"small_vgg", "small_resnet", "small_mobilenet"})
    ExpectZooStripsEqualTheWhole(model);
}

TEST(StripForwardTest, ImageNetZooStripsEqualTheWhole) {
  for (const std::string model : {"vgg13", "alexnet", "resnet18", "mobilenet_v2"})
    ExpectZooStripsEqualTheWhole(model);
}

// Layers whose windows do not line up with a strip's first row unless the
// alignment to the stride is right, on 28 x 23 inputs (the ceil-mode pool
// sees 14 rows: 7 windows in floor mode, 8 in ceil mode).
TEST(StripForwardTest, OddRowsStridesDilationsAndCeilPoolingEqualTheWhole) {
  namespace nn = torch::nn;
  torch::manual_seed(3);
  Network net;
  int x =
      net.Add("conv_s2", nn::AnyModule(nn::Conv2d(nn::Conv2dOptions(3, 8, 3).stride(2).padding(1))),
              Network::kInput);
  x = net.Add("bn", nn::AnyModule(nn::BatchNorm2d(8)), x);
  x = net.Add("relu", nn::AnyModule(nn::ReLU()), x);
  x = net.Add("conv_dilated",
              nn::AnyModule(nn::Conv2d(nn::Conv2dOptions(8, 8, 3).padding(2).dilation(2))), x);
  x = net.Add(
      "pool_ceil",
      nn::AnyModule(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1).ceil_mode(true))),
      x);
  x = net.Add("conv_5x5_s3",
              nn::AnyModule(nn::Conv2d(nn::Conv2dOptions(8, 6, 5).stride(3).padding(2))), x);
  x = net.Add("avg_exclude_pad",
              nn::AnyModule(nn::AvgPool2d(
                  nn::AvgPool2dOptions(3).stride(2).padding(1).count_include_pad(false))),
              x);
  net.Add("conv_unpadded", nn::AnyModule(nn::Conv2d(nn::Conv2dOptions(6, 4, 2))), x);
  // Batch norm with statistics that are not the identity's.
  for (auto& [name, t] : net.State())
    if (name.find("running") != std::string::npos) t.uniform_(0.5, 1.5);
  const Graph g = net.Record("odd", {1, 3, 28, 23});
  ASSERT_EQ(g.layers[4].output_shape[2], 8);  // ceil mode's extra window
  // Segments: the convolutions up to each pooling, then the last ones.
  EXPECT_EQ(StripSegments(g), (std::vector<Segment>{{0, 5}, {5, 7}, {7, 8}}));
  ExpectStripsEqualTheWhole(net, g, "odd");
  // And every single-row strip of the first segment.
  torch::InferenceMode guard;
  const torch::Tensor input = torch::randn({1, 3, 28, 23});
  const std::vector<torch::Tensor> whole = net.ForwardAll(input);
  std::vector<RowRange> rows;
  for (int64_t r = 0; r < whole[4].size(2); ++r) rows.push_back({r, r + 1});
  const torch::Tensor got = StripByStrip(net, g, {0, 5}, whole, input, rows);
  EXPECT_LT((got - whole[4]).abs().max().item<double>(), 1e-4);
}

TEST(StripForwardTest, VggSegmentsAreItsBlocks) {
  Graph g;
  ASSERT_TRUE(RecordZooGraph("vgg13", &g).ok());
  // Five blocks of two convolutions (conv, relu, conv, relu, pool: 5 layers).
  EXPECT_EQ(StripSegments(g),
            (std::vector<Segment>{{0, 5}, {5, 10}, {10, 15}, {15, 20}, {20, 25}}));
  ASSERT_TRUE(RecordZooGraph("small_resnet", &g).ok());
  // A residual block's convolutions are a segment; the block's input, read
  // by the shortcut too, is the segment's source, not inside it.
  for (Segment s : StripSegments(g))
    for (int l = s.begin; l + 1 < s.end; ++l)
      for (const Layer& other : g.layers)
        for (int in : other.inputs)
          if (in == l) {
            EXPECT_EQ(&other, &g.layers[l + 1]) << g.layers[l].name;
          }
}

TEST(StripForwardTest, InputRowsThatAreNotTheHaloAreRefused) {
  Network net;
  Shape shape;
  ASSERT_TRUE(BuildZooNetwork("small_vgg", &net, &shape).ok());
  const Graph g = net.Record("small_vgg", shape);
  torch::Tensor y;
  // Pooled rows 3-4 read input rows 4-11 (strips_test.cc): 8 rows, not 6.
  const Status st = ForwardStrip(net, g, 0, 5, {3, 5}, torch::zeros({1, 1, 6, 28}), &y);
  EXPECT_NE(st.message().find("read 8 input rows, got 6"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace coinfer
