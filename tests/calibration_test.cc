#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "base/percentile.h"
#include "devices/calibration.h"

namespace coinfer {
namespace {

// A layer row whose latency follows `c` exactly.
ProfileRow Row(const std::string& model, const std::string& kind, int64_t macs, int64_t in_elems,
               int64_t out_elems, int64_t params, const KindCoefficients& c) {
  ProfileRow r;
  r.device = "synthetic";
  r.model = model;
  r.kind = kind;
  r.input_shape = "1x" + std::to_string(in_elems);
  r.output_shape = "1x" + std::to_string(out_elems);
  r.macs = macs;
  r.output_bytes = out_elems * 4;
  r.param_bytes = params;
  const double io = 4.0 * (in_elems + out_elems);
  r.median_ms = (c.fixed_us * 1e3 + c.ns_per_mac * macs + c.ns_per_io_byte * io +
                 c.ns_per_param_byte * params) /
                1e6;
  r.p90_ms = r.median_ms;
  return r;
}

std::vector<ProfileRow> SyntheticRows(const KindCoefficients& conv, const KindCoefficients& act) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int64_t> size(1000, 2000000);
  std::vector<ProfileRow> rows;
  for (const char* model : {"a", "b", "c"}) {
    for (int i = 0; i < 12; ++i) {
      const int64_t in = size(rng), out = size(rng);
      rows.push_back(Row(model, "conv", size(rng) * 50, in, out, size(rng) / 10, conv));
      rows.push_back(Row(model, "activation", 0, out, out, 0, act));
    }
  }
  return rows;
}

TEST(CalibrationTest, RecoversAKnownLinearModelExactly) {
  const KindCoefficients conv{12, 0.05, 0.3, 0.1}, act{1, 0, 0.02, 0};
  KindFits fits;
  ASSERT_TRUE(FitKinds(SyntheticRows(conv, act), {}, &fits).ok());
  const KindCoefficients& c = fits.at("conv");
  EXPECT_NEAR(c.fixed_us, 12, 1e-6);
  EXPECT_NEAR(c.ns_per_mac, 0.05, 1e-9);
  EXPECT_NEAR(c.ns_per_io_byte, 0.3, 1e-9);
  EXPECT_NEAR(c.ns_per_param_byte, 0.1, 1e-9);
  EXPECT_NEAR(fits.at("activation").ns_per_io_byte, 0.02, 1e-9);
  EXPECT_EQ(fits.at("activation").ns_per_mac, 0);

  std::vector<HeldOutError> held;
  ASSERT_TRUE(LeaveOneModelOut(SyntheticRows(conv, act), {}, &held).ok());
  ASSERT_EQ(held.size(), 3u);
  for (const HeldOutError& h : held) {
    EXPECT_LT(h.end_to_end_error, 1e-9) << h.model;
    for (const auto& [kind, errors] : h.errors)
      for (double e : errors) EXPECT_LT(e, 1e-9) << kind;
  }
}

TEST(CalibrationTest, CoefficientsStayNonNegative) {
  // Latency falls with parameter bytes here: the fit must not go negative.
  std::vector<ProfileRow> rows;
  for (int i = 1; i <= 20; ++i) {
    ProfileRow r = Row("m", "conv", i * 1000000, 1000, 1000, 0, {5, 0.01, 0, 0});
    r.param_bytes = (21 - i) * 1000;
    rows.push_back(r);
  }
  KindFits fits;
  ASSERT_TRUE(FitKinds(rows, {}, &fits).ok());
  for (const auto& [kind, c] : fits) {
    EXPECT_GE(c.fixed_us, 0) << kind;
    EXPECT_GE(c.ns_per_mac, 0) << kind;
    EXPECT_GE(c.ns_per_io_byte, 0) << kind;
    EXPECT_GE(c.ns_per_param_byte, 0) << kind;
  }
}

TEST(CalibrationTest, WrittenDeviceFileLoadsAndPredictsTheSame) {
  const auto rows = SyntheticRows({12, 0.05, 0.3, 0.1}, {1, 0, 0.02, 0});
  KindFits fits;
  ASSERT_TRUE(FitKinds(rows, {}, &fits).ok());
  const std::string path = ::testing::TempDir() + "calibrated.device";
  {
    std::ofstream out(path);
    WriteDeviceFile("synthetic", 2, fits, {}, DevicePower{1, 2, 3, 0.5}, {"test fit"}, out);
  }
  DeviceModel d;
  Status st = DeviceModel::Load(path, &d);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(d.cores(), 2);
  EXPECT_EQ(d.power().compute_w, 2);
  EXPECT_EQ(d.power().transmit_w_per_mbps, 0.5);
  Layer conv;
  conv.kind = LayerKind::kConv;
  conv.macs = rows[0].macs;
  conv.input_bytes = 4 * std::stoll(rows[0].input_shape.substr(2));
  conv.output_bytes = rows[0].output_bytes;
  conv.param_bytes = rows[0].param_bytes;
  EXPECT_NEAR(d.PredictLayerMs(conv), rows[0].median_ms, 1e-6 * rows[0].median_ms);
}

// LibTorch runs one kind on kernels ~20x apart per MAC: each kernel gets its
// own fit, written to the device file and used for layers of that kernel.
TEST(CalibrationTest, FitsEachKernelOfAKindApart) {
  const KindCoefficients fast{10, 0.01, 0.1, 0}, slow{20, 0.2, 0.1, 0};
  std::vector<ProfileRow> rows = SyntheticRows(fast, {1, 0, 0.02, 0});
  for (ProfileRow& r : rows)
    if (r.kind == "conv") r.kernel = "fast_conv";
  for (ProfileRow r : SyntheticRows(slow, {1, 0, 0.02, 0})) {
    if (r.kind != "conv") continue;
    r.kernel = "slow_conv";
    rows.push_back(r);
  }
  KindFits fits;
  ASSERT_TRUE(FitKinds(rows, {}, &fits).ok());
  EXPECT_NEAR(fits.at(KernelFitKey("conv", "fast_conv")).ns_per_mac, 0.01, 1e-9);
  EXPECT_NEAR(fits.at(KernelFitKey("conv", "slow_conv")).ns_per_mac, 0.2, 1e-9);
  EXPECT_EQ(fits.count(KernelFitKey("activation", "")), 0u);  // one kernel: the kind's fit

  const std::string path = ::testing::TempDir() + "kernels.device";
  {
    std::ofstream out(path);
    WriteDeviceFile("synthetic", 1, fits, {}, DevicePower{}, {"test fit"}, out);
  }
  DeviceModel d;
  Status st = DeviceModel::Load(path, &d);
  ASSERT_TRUE(st.ok()) << st.message();
  Layer conv;
  conv.kind = LayerKind::kConv;
  conv.macs = 1000000;
  conv.kernel = "slow_conv";
  EXPECT_NEAR(d.PredictLayerMs(conv), (20e3 + 0.2e6) / 1e6, 1e-9);
  conv.kernel = "fast_conv";
  EXPECT_NEAR(d.PredictLayerMs(conv), (10e3 + 0.01e6) / 1e6, 1e-9);
  conv.kernel = "unseen";  // the kind's fit over both
  EXPECT_GT(d.PredictLayerMs(conv), 0.02);
}

TEST(CalibrationTest, NeedsLayerRowsAndTwoModelsToHoldOut) {
  KindFits fits;
  EXPECT_TRUE(FitKinds({}, {}, &fits).IsInvalidInput());
  std::vector<HeldOutError> held;
  EXPECT_TRUE(
      LeaveOneModelOut({Row("m", "conv", 1, 1, 1, 1, {1, 1, 1, 1})}, {}, &held).IsInvalidInput());
}

// The shipped host profiles, held out one model at a time: the figures in
// devices/data/README.md, as bounds (measured + 1 point) so a regression shows.
TEST(CalibrationTest, ShippedHostProfileHeldOutErrorStaysWithinItsMeasuredBounds) {
  std::vector<ProfileRow> rows;
  const std::string dir = std::string(COINFER_SOURCE_DIR) + "/devices/data/host/";
  for (const char* m : {"alexnet", "mobilenet_v2", "resnet18", "resnet50", "small_mobilenet",
                        "small_resnet", "small_vgg", "vgg16"}) {
    Profile p;
    Status st = ReadProfileCsv(dir + m + ".csv", &p);
    ASSERT_TRUE(st.ok()) << st.message();
    rows.insert(rows.end(), p.rows.begin(), p.rows.end());
  }
  std::vector<HeldOutError> held;
  ASSERT_TRUE(LeaveOneModelOut(rows, {}, &held).ok());
  std::map<std::string, std::vector<double>> by_kind;
  std::vector<double> end_to_end;
  for (const HeldOutError& h : held) {
    end_to_end.push_back(h.end_to_end_error);
    for (const auto& [kind, e] : h.errors)
      by_kind[kind].insert(by_kind[kind].end(), e.begin(), e.end());
  }
  auto median = [](const std::vector<double>& v) { return Percentile(v, 0.5); };
  // Measured on the shipped profiles (devices/data/README.md); the project's
  // goal is 10 % per layer and 5 % end to end.
  EXPECT_LT(median(by_kind["conv"]), 0.035);
  EXPECT_LT(median(by_kind["linear"]), 0.042);
  EXPECT_LT(median(by_kind["batchnorm"]), 0.143);
  EXPECT_LT(median(end_to_end), 0.027);
  EXPECT_LT(Percentile(end_to_end, 0.9), 0.047);
}

}  // namespace
}  // namespace coinfer
