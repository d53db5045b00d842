#include "compress/codec_spec.h"

#include <gtest/gtest.h>

namespace coinfer {
namespace {

TEST(CodecSpec, ParsesAFullPipelineInAnyOrder) {
  CodecSpec spec;
  ASSERT_TRUE(ParseCodecSpec("zstd:3,quant:6,regions:0.6,channels:0.5", &spec).ok());
  EXPECT_TRUE(spec.channels);
  EXPECT_DOUBLE_EQ(spec.channel_fraction, 0.5);
  EXPECT_TRUE(spec.regions);
  EXPECT_DOUBLE_EQ(spec.region_fraction, 0.6);
  EXPECT_EQ(spec.coding, ValueCoding::kQuantized);
  EXPECT_EQ(spec.bits, 6);
  EXPECT_FALSE(spec.per_channel);
  EXPECT_EQ(spec.zstd_level, 3);
  EXPECT_EQ(CodecSpecText(spec), "channels:0.5,regions:0.6,quant:6,zstd:3");
}

TEST(CodecSpec, EmptyAndNoneAreTheIdentity) {
  for (const char* text : {"", "none", "fp32"}) {
    CodecSpec spec;
    ASSERT_TRUE(ParseCodecSpec(text, &spec).ok()) << text;
    EXPECT_EQ(CodecSpecText(spec), "none") << text;
  }
}

TEST(CodecSpec, PerChannelQuantizationAndFloat16) {
  CodecSpec spec;
  ASSERT_TRUE(ParseCodecSpec("quant:16:channel", &spec).ok());
  EXPECT_TRUE(spec.per_channel);
  EXPECT_EQ(spec.bits, 16);
  EXPECT_EQ(CodecSpecText(spec), "quant:16:channel");
  ASSERT_TRUE(ParseCodecSpec("fp16,zstd:1", &spec).ok());
  EXPECT_EQ(spec.coding, ValueCoding::kFloat16);
  EXPECT_EQ(CodecSpecText(spec), "fp16,zstd:1");
}

TEST(CodecSpec, PruneIsChannelSelectionWithItsRateKeptAsWritten) {
  CodecSpec spec;
  ASSERT_TRUE(ParseCodecSpec("quant:8,prune:0.3", &spec).ok());
  EXPECT_TRUE(spec.prune);
  EXPECT_TRUE(spec.channels);
  EXPECT_DOUBLE_EQ(spec.channel_fraction, 0.7);
  EXPECT_EQ(CodecSpecText(spec), "prune:0.3,quant:8");
  ASSERT_TRUE(ParseCodecSpec("prune:0", &spec).ok());
  EXPECT_EQ(CodecSpecText(spec), "prune:0");
}

// Catalog keys are the canonical text: two specs that differ must not share
// one. channels:0.5000001 keeps 33 of 64 channels, channels:0.5 keeps 32.
TEST(CodecSpec, TheCanonicalTextReadsBackAsExactlyTheSameSpec) {
  for (const char* text : {"channels:0.5000001", "regions:0.30000000000000004",
                           "prune:0.1234567890123", "channels:1e-05"}) {
    CodecSpec spec, back;
    ASSERT_TRUE(ParseCodecSpec(text, &spec).ok()) << text;
    EXPECT_EQ(CodecSpecText(spec), text);
    ASSERT_TRUE(ParseCodecSpec(CodecSpecText(spec), &back).ok());
    EXPECT_EQ(back.channel_fraction, spec.channel_fraction) << text;
    EXPECT_EQ(back.region_fraction, spec.region_fraction) << text;
    EXPECT_EQ(back.prune_rate, spec.prune_rate) << text;
  }
  CodecSpec half, near_half;
  ASSERT_TRUE(ParseCodecSpec("channels:0.5", &half).ok());
  ASSERT_TRUE(ParseCodecSpec("channels:0.5000001", &near_half).ok());
  EXPECT_NE(CodecSpecText(half), CodecSpecText(near_half));
}

struct BadSpec {
  const char* text;
  const char* message;
};

class BadCodecSpec : public ::testing::TestWithParam<BadSpec> {};

TEST_P(BadCodecSpec, NamesThePositionOfTheBadToken) {
  CodecSpec spec;
  const Status st = ParseCodecSpec(GetParam().text, &spec);
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find(GetParam().message), std::string::npos) << st.message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadCodecSpec,
    ::testing::Values(
        BadSpec{"channels:0.5,quant:9", "codec: at 14: 'quant:9'"},
        BadSpec{"quant:0", "at 1: 'quant:0'"}, BadSpec{"channels:1.5", "in (0, 1]"},
        BadSpec{"regions:0", "in (0, 1]"}, BadSpec{"quant:8,zstd:30", "at 9: 'zstd:30'"},
        BadSpec{"quant:8,fp16", "at 9: 'fp16': stage given twice"},
        BadSpec{"zstd:38888888888888888888", "at 1: 'zstd:38888888888888888888'"},
        BadSpec{"quant:-1e300", "at 1: 'quant:-1e300'"},  // found by the fuzzer (UB)
        BadSpec{"gzip:3", "unknown stage"}, BadSpec{"quant:4,,zstd:1", "at 9: '': empty stage"},
        BadSpec{"quant:4:row", "per 'tensor' or per 'channel'"}, BadSpec{"prune:1", "R in [0, 1)"},
        BadSpec{"prune:-0.1", "R in [0, 1)"},
        BadSpec{"channels:0.5,prune:0.5", "at 14: 'prune:0.5': one channel selection only"}));

}  // namespace
}  // namespace coinfer
