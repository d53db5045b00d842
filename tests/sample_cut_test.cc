// An emulated request sends one sample; the catalog measured the same cut
// in batches. The bytes sent and the prediction must be the catalog's for
// every sample, or emulation and simulation would disagree before the
// network is even involved. (Computed alone, 11 of 120 samples' tensors
// give other zstd sizes than in their batch: LibTorch's results depend on
// the batch.)
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "learn/capture.h"

namespace coinfer {
namespace {

TEST(SampleCutTest, OneSampleAtATimeSendsTheCatalogsBytesAndPredictions) {
  CaptureOptions options;
  options.card = COINFER_SOURCE_DIR "/models/small_vgg.json";
  std::unique_ptr<CaptureSession> session;
  Status status = CaptureSession::Open(options, &session);
  ASSERT_TRUE(status.ok()) << status.message();
  const std::vector<int> splits = session->SplitIndices();
  ASSERT_GE(splits.size(), 4u);
  // The input sent as it is (cloud-only), then codecs of every kind at cuts
  // inside the model: shape-determined, data-dependent (regions, zstd), and
  // fitted on calibration images (channels, prune).
  const std::vector<std::pair<int, std::string>> cuts = {
      {0, "none"},
      {splits[2], "quant:8,zstd:3"},
      {splits[3], "channels:0.5,regions:0.6,quant:6,zstd:3"},
      {splits[1], "prune:0.5,fp16"}};
  constexpr int64_t kSamples = 120;
  std::vector<CaptureCuts> measurements;
  for (const auto& cut : cuts) measurements.push_back({cut});
  std::vector<CatalogEntry> entries;
  status = session->Measure(measurements, kSamples, &entries);
  ASSERT_TRUE(status.ok()) << status.message();
  for (size_t c = 0; c < cuts.size(); ++c) {
    const auto& [split, codec] = cuts[c];
    int mismatched_bytes = 0, mismatched_predictions = 0;
    for (int64_t i = 0; i < kSamples; ++i) {
      std::string bytes;
      std::vector<int64_t> shape;
      ASSERT_TRUE(session->EncodeSample(i, kSamples, split, codec, &bytes, &shape).ok());
      int64_t predicted = -1;
      ASSERT_TRUE(session->ResumeSample(split, codec, bytes, &predicted).ok());
      mismatched_bytes += static_cast<int64_t>(bytes.size()) != entries[c].sample_bytes[i];
      mismatched_predictions += (predicted == session->TestLabel(i)) != entries[c].correct[i];
    }
    EXPECT_EQ(mismatched_bytes, 0) << codec << " at split " << split;
    EXPECT_EQ(mismatched_predictions, 0) << codec << " at split " << split;
  }
}

TEST(SampleCutTest, ASampleOrSplitOutsideTheModelIsAnInputError) {
  CaptureOptions options;
  options.card = COINFER_SOURCE_DIR "/models/small_vgg.json";
  std::unique_ptr<CaptureSession> session;
  ASSERT_TRUE(CaptureSession::Open(options, &session).ok());
  std::string bytes;
  std::vector<int64_t> shape;
  EXPECT_NE(session->EncodeSample(100, 100, 0, "none", &bytes, &shape)
                .message()
                .find("is not one of the 100 test samples measured"),
            std::string::npos);
  EXPECT_NE(session->EncodeSample(0, 100, 999, "none", &bytes, &shape).message().find("split"),
            std::string::npos);
  int64_t predicted = 0;
  EXPECT_NE(session->ResumeSample(0, "none", "garbage", &predicted).message(), "");
}

}  // namespace
}  // namespace coinfer
