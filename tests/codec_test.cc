#include "compress/codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "compress/bit_pack.h"

namespace coinfer {
namespace {

// A C x H x W activation with ReLU-like values (many zeros) and a per-channel scale.
Activation RandomActivation(int64_t c, int64_t h, int64_t w, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Activation a{{c, h, w}, std::vector<float>(c * h * w)};
  for (int64_t i = 0; i < c * h * w; ++i)
    a.values[i] = std::max(0.0f, normal(rng)) * static_cast<float>(1 + i / (h * w));
  return a;
}

CodecSpec Spec(const std::string& text) {
  CodecSpec spec;
  EXPECT_TRUE(ParseCodecSpec(text, &spec).ok()) << text;
  return spec;
}

Activation RoundTrip(Codec& codec, const Activation& a, std::string* bytes = nullptr) {
  std::string encoded;
  EXPECT_TRUE(codec.Encode(a.values.data(), a.shape, &encoded).ok());
  Activation decoded;
  const Status st = codec.Decode(encoded, &decoded);
  EXPECT_TRUE(st.ok()) << st.message();
  if (bytes) *bytes = encoded;
  return decoded;
}

TEST(BitPack, RoundTripsEveryWidth) {
  for (int bits : {1, 2, 3, 4, 5, 6, 7, 8, 16}) {
    std::mt19937 rng(bits);
    std::vector<uint16_t> codes(1001);
    for (auto& c : codes) c = static_cast<uint16_t>(rng() & ((1u << bits) - 1));
    std::vector<uint8_t> packed(PackedBytes(codes.size(), bits));
    PackBits(codes.data(), codes.size(), bits, packed.data());
    std::vector<uint16_t> back(codes.size());
    UnpackBits(packed.data(), codes.size(), bits, back.data());
    EXPECT_EQ(back, codes) << bits << " bits";
  }
}

TEST(Codec, QuantizationErrorIsAtMostHalfAScale) {
  const Activation a = RandomActivation(8, 6, 5, 1);
  for (int bits : {1, 2, 3, 4, 5, 6, 7, 8, 16}) {
    for (const char* scope : {"tensor", "channel"}) {
      Codec codec(Spec("quant:" + std::to_string(bits) + ":" + scope), {});
      const Activation d = RoundTrip(codec, a);
      ASSERT_EQ(d.shape, a.shape);
      const int64_t per = 30;
      for (int64_t i = 0; i < 240; ++i) {
        const auto first = a.values.begin() + (scope[0] == 'c' ? i / per * per : 0);
        const auto last = scope[0] == 'c' ? first + per : a.values.end();
        const float lo = *std::min_element(first, last), hi = *std::max_element(first, last);
        const float scale = (hi - lo) / ((1 << bits) - 1);
        EXPECT_LE(std::fabs(d.values[i] - a.values[i]), scale / 2 * (1 + 1e-4f) + 1e-6f)
            << bits << " bits per " << scope << " at " << i;
      }
    }
  }
}

TEST(Codec, PackedSizeIsHeaderPlusBits) {
  const Activation a = RandomActivation(16, 7, 7, 2);
  const int64_t n = 16 * 7 * 7;
  const size_t header = 1 + 3 * 4 + 2 * 4;  // ndim, dims, one min and scale
  for (int bits : {1, 3, 6, 8, 16}) {
    Codec codec(Spec("quant:" + std::to_string(bits)), {});
    std::string bytes;
    RoundTrip(codec, a, &bytes);
    EXPECT_EQ(bytes.size(), header + (n * bits + 7) / 8) << bits;
  }
}

TEST(Codec, ShapeDeterminedSizesAreExactAndDataDependentOnesAreNotGuessed) {
  const Activation a = RandomActivation(10, 5, 3, 9);
  for (const char* text : {"none", "fp16", "quant:3", "quant:8:channel", "channels:0.3,quant:5",
                           "channels:0.5,fp16", "quant:16"}) {
    const CodecSpec spec = Spec(text);
    Codec codec(spec, TopChannels({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, spec.channel_fraction));
    std::string bytes;
    RoundTrip(codec, a, &bytes);
    int64_t predicted = 0;
    ASSERT_TRUE(ShapeDeterminedBytes(spec, a.shape, &predicted)) << text;
    EXPECT_EQ(predicted, static_cast<int64_t>(bytes.size())) << text;
  }
  int64_t unused = 0;
  EXPECT_FALSE(ShapeDeterminedBytes(Spec("quant:8,zstd:1"), a.shape, &unused));
  EXPECT_FALSE(ShapeDeterminedBytes(Spec("regions:0.5"), a.shape, &unused));
}

TEST(Codec, LosslessStageRoundTripsExactly) {
  const Activation a = RandomActivation(32, 14, 14, 3);
  Codec plain(Spec("none"), {});
  Codec zstd(Spec("zstd:3"), {});
  std::string raw, compressed;
  EXPECT_EQ(RoundTrip(plain, a, &raw).values, a.values);
  EXPECT_EQ(RoundTrip(zstd, a, &compressed).values, a.values);
  EXPECT_EQ(raw.size(), 1 + 3 * 4 + a.values.size() * 4);
  EXPECT_LT(compressed.size(), raw.size());  // ReLU zeros compress
}

TEST(Codec, RegionMaskingAtFractionOneIsLossless) {
  const Activation a = RandomActivation(4, 9, 9, 4);
  Codec codec(Spec("regions:1"), {});
  EXPECT_EQ(RoundTrip(codec, a).values, a.values);
}

TEST(Codec, RegionMaskingKeepsTheStrongestPositions) {
  Activation a{{2, 2, 2}, {1, 5, 0, 2, /*channel 1*/ 1, -9, 0, 1}};
  // Attention per position: |1|+|1|=2, 5+9=14, 0, 2+1=3: keep positions 1 and 3.
  Codec codec(Spec("regions:0.5"), {});
  std::string bytes;
  const Activation d = RoundTrip(codec, a, &bytes);
  EXPECT_EQ(d.values, (std::vector<float>{0, 5, 0, 2, 0, -9, 0, 1}));
  EXPECT_EQ(bytes.size(), 1 + 3 * 4 + 1 + 4 * 4);  // header, bitmap, 4 kept floats
}

TEST(Codec, ChannelSelectionSendsKeptChannelsAndFillsZeros) {
  const Activation a = RandomActivation(6, 3, 3, 5);
  const std::vector<int> kept = TopChannels({1, 9, 3, 8, 2, 7}, 0.5);
  EXPECT_EQ(kept, (std::vector<int>{1, 3, 5}));
  Codec codec(Spec("channels:0.5"), kept);
  std::string bytes;
  const Activation d = RoundTrip(codec, a, &bytes);
  for (int c = 0; c < 6; ++c)
    for (int p = 0; p < 9; ++p) {
      const bool keep = c % 2 == 1;
      EXPECT_EQ(d.values[c * 9 + p], keep ? a.values[c * 9 + p] : 0.0f);
    }
  EXPECT_EQ(bytes.size(), 1 + 3 * 4 + 1 + 3 * 9 * 4);
}

// prune:R sends what channels:(1 − R) sends; the receiver rebuilds each
// removed channel from its affine combination of the kept ones.
TEST(Codec, PruningSendsTheKeptChannelsAndRebuildsTheOthers) {
  Activation a = RandomActivation(4, 3, 3, 8);
  // Channel 1 = 0.5·channel 0 − 2·channel 3 + 1; channel 2 = 3 (constant).
  for (int p = 0; p < 9; ++p) {
    a.values[9 + p] = 0.5f * a.values[p] - 2 * a.values[27 + p] + 1;
    a.values[18 + p] = 3;
  }
  const std::vector<int> kept = {0, 3};
  const ChannelReconstruction rebuild = {0.5f, -2, 1, /*channel 2*/ 0, 0, 3};
  Codec pruned(Spec("prune:0.5"), kept, rebuild);
  Codec zero_fill(Spec("prune:0.5"), kept);
  Codec selected(Spec("channels:0.5"), kept);
  std::string pruned_bytes, selected_bytes;
  const Activation d = RoundTrip(pruned, a, &pruned_bytes);
  RoundTrip(selected, a, &selected_bytes);
  EXPECT_EQ(pruned_bytes, selected_bytes);
  for (size_t i = 0; i < a.values.size(); ++i) EXPECT_NEAR(d.values[i], a.values[i], 1e-5) << i;
  const Activation z = RoundTrip(zero_fill, a);
  EXPECT_EQ(z.values[9], 0.0f);
  EXPECT_EQ(z.values[0], a.values[0]);
  int64_t predicted = 0;
  ASSERT_TRUE(ShapeDeterminedBytes(Spec("prune:0.5"), a.shape, &predicted));
  EXPECT_EQ(predicted, static_cast<int64_t>(pruned_bytes.size()));
  // A reconstruction that does not match the kept channels is an error, not a crash.
  Codec wrong(Spec("prune:0.5"), kept, {1, 2, 3});
  std::string bytes;
  ASSERT_TRUE(wrong.Encode(a.values.data(), a.shape, &bytes).ok());
  Activation out;
  EXPECT_FALSE(wrong.Decode(bytes, &out).ok());
}

// Pruning at rate r sends (1 − r) of the channels, within one channel.
TEST(Codec, PruningShrinksTheValuesByOneMinusTheRate) {
  for (int channels : {3, 16, 64, 100}) {
    for (double r : {0.0, 0.1, 0.25, 0.5, 0.75, 0.9}) {
      const std::vector<int64_t> shape = {channels, 7, 7};
      int64_t pruned = 0, plain = 0;
      ASSERT_TRUE(
          ShapeDeterminedBytes(Spec("prune:" + std::to_string(r) + ",quant:8"), shape, &pruned));
      ASSERT_TRUE(ShapeDeterminedBytes(Spec("quant:8"), shape, &plain));
      const double header = 1 + 3 * 4 + 8, bitmap = (channels + 7) / 8;
      const double values = pruned - header - bitmap, all = plain - header;
      EXPECT_NEAR(values, (1 - r) * all, 49.0) << channels << " " << r;
    }
  }
}

TEST(Codec, ChannelsThatDoNotFitTheTensorAreAnError) {
  Codec codec(Spec("channels:0.5"), {0, 7});
  const Activation a = RandomActivation(4, 2, 2, 6);
  std::string bytes;
  EXPECT_FALSE(codec.Encode(a.values.data(), a.shape, &bytes).ok());
}

TEST(Codec, MoreBitsNeverSendFewerBytesAndNeverLoseMoreAccuracy) {
  const Activation a = RandomActivation(16, 8, 8, 7);
  size_t last_bytes = 0;
  double last_error = 1e30;
  for (int bits : {1, 2, 4, 6, 8, 16}) {
    Codec codec(Spec("quant:" + std::to_string(bits) + ",zstd:3"), {});
    std::string bytes;
    const Activation d = RoundTrip(codec, a, &bytes);
    double error = 0;
    for (size_t i = 0; i < a.values.size(); ++i) error += std::fabs(d.values[i] - a.values[i]);
    EXPECT_GE(bytes.size(), last_bytes) << bits;
    EXPECT_LT(error, last_error) << bits;
    last_bytes = bytes.size();
    last_error = error;
  }
}

TEST(Codec, TruncatedOrCorruptBytesAreAnError) {
  const Activation a = RandomActivation(4, 4, 4, 8);
  for (const char* text : {"quant:4", "fp16,zstd:1", "regions:0.5,quant:8:channel"}) {
    Codec codec(Spec(text), {});
    std::string bytes;
    ASSERT_TRUE(codec.Encode(a.values.data(), a.shape, &bytes).ok());
    Activation d;
    EXPECT_FALSE(codec.Decode(bytes.substr(0, bytes.size() - 3), &d).ok()) << text;
    EXPECT_FALSE(codec.Decode(bytes + "x", &d).ok()) << text;
  }
}

}  // namespace
}  // namespace coinfer
