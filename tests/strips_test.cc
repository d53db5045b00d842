// Strips of a segment's output rows: the rows each layer computes, the halo
// of input rows they read, and the strip's share of the work — against rows
// worked out by hand on small_vgg (3x3 convolutions with padding 1, 2x2 max
// pooling with stride 2, on 28x28 inputs).
#include "dnn/strips.h"

#include <gtest/gtest.h>

#include "dnn/zoo.h"

namespace coinfer {
namespace {

class StripsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(RecordZooGraph("small_vgg", &g_).ok()); }
  Graph
      g_;  // conv, relu, conv, relu, maxpool (28 -> 14 rows), conv, relu, conv, relu, maxpool, ...
};

TEST_F(StripsTest, LayersRecordTheirRowWindows) {
  EXPECT_TRUE(g_.layers[0].row_local);
  EXPECT_EQ(g_.layers[0].rows.kernel, 3);
  EXPECT_EQ(g_.layers[0].rows.padding, 1);
  EXPECT_EQ(g_.layers[0].rows.stride, 1);
  EXPECT_TRUE(g_.layers[1].row_local);  // ReLU: the identity
  EXPECT_EQ(g_.layers[1].rows.kernel, 1);
  EXPECT_EQ(g_.layers[4].rows.kernel, 2);  // max pooling
  EXPECT_EQ(g_.layers[4].rows.stride, 2);
  EXPECT_FALSE(g_.layers[10].row_local);  // flatten
  EXPECT_FALSE(g_.layers[11].row_local);  // linear
}

TEST_F(StripsTest, AStripReadsTheHaloItsConvolutionsNeed) {
  std::vector<RowRange> produced;
  RowRange input;
  // Pooled rows 3-4 come from rows 6-9; the second convolution reads 5-10,
  // the first 4-11.
  ASSERT_TRUE(StripRows(g_, 0, 5, {3, 5}, &produced, &input).ok());
  EXPECT_EQ(produced, (std::vector<RowRange>{{5, 11}, {5, 11}, {6, 10}, {6, 10}, {3, 5}}));
  EXPECT_EQ(input, (RowRange{4, 12}));
  // At the top edge the padding is outside the input: nothing to read there.
  ASSERT_TRUE(StripRows(g_, 0, 5, {0, 2}, &produced, &input).ok());
  EXPECT_EQ(produced, (std::vector<RowRange>{{0, 5}, {0, 5}, {0, 4}, {0, 4}, {0, 2}}));
  EXPECT_EQ(input, (RowRange{0, 6}));
  EXPECT_EQ(StripInputBytes(g_, 0, {4, 12}), 8 * 28 * 4);  // 8 rows of 1x28 fp32
}

TEST_F(StripsTest, AStripGraphComputesItsRowsOnly) {
  Graph strip;
  ASSERT_TRUE(StripGraph(g_, 0, 5, {3, 5}, &strip).ok());
  EXPECT_EQ(strip.model, "small_vgg@rows=3-5:4");
  EXPECT_EQ(strip.layers[0].macs, 225792 / 28 * 6);  // 6 of 28 rows
  EXPECT_EQ(strip.layers[2].macs, 7225344 / 28 * 4);
  EXPECT_EQ(strip.layers[2].output_shape, (Shape{1, 32, 4, 28}));
  EXPECT_EQ(strip.layers[2].input_bytes, 100352 / 28 * 6);
  EXPECT_EQ(strip.layers[4].output_bytes, 25088 / 14 * 2);
  EXPECT_EQ(strip.layers[5].macs, g_.layers[5].macs);  // outside the segment
  // Four strips cover the output; with their halos they compute more rows
  // of the first layers than the whole does.
  int64_t conv1_macs = 0, pool_rows = 0;
  for (RowRange out : {RowRange{0, 4}, RowRange{4, 7}, RowRange{7, 11}, RowRange{11, 14}}) {
    ASSERT_TRUE(StripGraph(g_, 0, 5, out, &strip).ok());
    conv1_macs += strip.layers[0].macs;
    pool_rows += strip.layers[4].output_shape[2];
  }
  EXPECT_EQ(pool_rows, 14);
  EXPECT_GT(conv1_macs, g_.layers[0].macs);
}

TEST_F(StripsTest, OnlyRowLocalChainsAndTheirRowsMakeStrips) {
  Graph strip;
  Status st = StripGraph(g_, 8, 12, {0, 1}, &strip);  // through flatten and linear
  EXPECT_NE(st.message().find("layer 10 (flatten) does not compute rows"), std::string::npos)
      << st.message();
  st = StripGraph(g_, 0, 5, {10, 15}, &strip);  // the pool has 14 rows
  EXPECT_NE(st.message().find("rows [10, 15) are not rows of layer 4"), std::string::npos)
      << st.message();
  st = StripGraph(g_, 3, 3, {0, 1}, &strip);
  EXPECT_NE(st.message().find("not a segment"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace coinfer
