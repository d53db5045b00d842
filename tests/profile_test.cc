#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "devices/profiler.h"

namespace coinfer {
namespace {

TEST(ProfilerTest, MeasuresEveryLayerAndTheWholeModelAndReadsBack) {
  TimingOptions options;
  options.warmup = 1;
  options.repeats = 5;
  std::vector<Profile> profiles;
  Status st = ProfileHost({"small_vgg", "small_resnet"}, options, "host", &profiles);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(profiles.size(), 2u);
  EXPECT_EQ(profiles[1].rows.back().model, "small_resnet");
  const Profile& profile = profiles[0];
  ASSERT_EQ(profile.rows.size(), 15u);  // 14 layers + the whole model
  const ProfileRow& conv = profile.rows[0];
  EXPECT_EQ(conv.kind, "conv");
  EXPECT_EQ(conv.input_shape, "1x1x28x28");
  EXPECT_EQ(conv.output_shape, "1x32x28x28");
  EXPECT_EQ(conv.macs, 32 * 28 * 28 * 9);
  const ProfileRow& whole = profile.rows.back();
  EXPECT_EQ(whole.kind, "model");
  EXPECT_EQ(whole.layer, -1);
  for (const ProfileRow& r : profile.rows) {
    EXPECT_GT(r.median_ms, 0) << r.name;
    EXPECT_GE(r.p90_ms, r.median_ms) << r.name;
    EXPECT_EQ(r.repeats, 5);
  }
  // Layers are timed inside whole passes: they add up to about the whole pass.
  double sum = 0;
  for (size_t i = 0; i + 1 < profile.rows.size(); ++i) sum += profile.rows[i].median_ms;
  EXPECT_GT(sum, 0.5 * whole.median_ms);
  EXPECT_LT(sum, 2.0 * whole.median_ms);
  // Each layer names the kernel that ran it.
  EXPECT_EQ(profile.rows[0].kernel, "_slow_conv2d_forward");  // 784 input elements
  EXPECT_EQ(profile.rows[2].kernel, "mkldnn_convolution");
  EXPECT_NE(profile.comments[0].find(HostCpuModel()), std::string::npos);

  const std::string path = ::testing::TempDir() + "profile_roundtrip.csv";
  {
    std::ofstream out(path);
    WriteProfileCsv(profile, out);
  }
  Profile back;
  st = ReadProfileCsv(path, &back);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(back.comments, profile.comments);
  ASSERT_EQ(back.rows.size(), profile.rows.size());
  EXPECT_EQ(back.rows[3].name, profile.rows[3].name);
  EXPECT_EQ(back.rows[3].macs, profile.rows[3].macs);
  EXPECT_EQ(back.rows[2].kernel, "mkldnn_convolution");
  EXPECT_NEAR(back.rows[3].median_ms, profile.rows[3].median_ms, 1e-4);
}

TEST(ProfilerTest, RejectsBadOptionsAndModels) {
  std::vector<Profile> p;
  TimingOptions none;
  none.repeats = 0;
  EXPECT_TRUE(ProfileHost({"small_vgg"}, none, "host", &p).IsInvalidInput());
  EXPECT_TRUE(ProfileHost({"small_vgg", "vgg17"}, TimingOptions{}, "host", &p).IsInvalidInput());
}

const char kHeader[] =
    "device,model,layer,name,kind,input_shape,output_shape,macs,param_bytes,output_bytes,"
    "threads,repeats,median_ms,p90_ms,framework,source,kernel\n";
const char kGoodRow[] = "pi,m,0,conv1,conv,1x3x8x8,1x4x8x8,100,40,1024,4,10,1.5,1.7,ncnn,x,\n";

struct BadProfile {
  const char* name;
  std::string text;
  const char* expected;  // after the path
};

void PrintTo(const BadProfile& b, std::ostream* os) { *os << b.name; }

class BadProfileTest : public ::testing::TestWithParam<BadProfile> {};

TEST_P(BadProfileTest, ErrorNamesLineAndColumn) {
  const std::string path = ::testing::TempDir() + "bad_profile_" + GetParam().name + ".csv";
  std::ofstream(path) << GetParam().text;
  Profile p;
  Status st = ReadProfileCsv(path, &p);
  ASSERT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find(path + GetParam().expected), std::string::npos) << st.message();
}

std::string WithRow(const std::string& row) {
  return std::string("# measured\n") + kHeader + kGoodRow + row;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadProfileTest,
    ::testing::Values(
        BadProfile{"header", "device,model\n", ":1: header"},
        BadProfile{"columns", WithRow("pi,m,1,relu\n"), ":4: expected 17 columns"},
        BadProfile{"segment", WithRow("pi,m,-1,first-five,segment,1x4,1x4,0,0,16,1,1,1,1,t,s,\n"),
                   ":4: name: a segment is named by its layer range"},
        BadProfile{"segment_past_int",
                   WithRow("pi,m,-1,3000000000-3000000001,segment,1x4,1x4,0,0,16,1,1,1,1,t,s,\n"),
                   ":4: name: a segment is named by its layer range"},
        BadProfile{"layer_past_int",
                   WithRow("pi,m,3000000000,x,activation,1x4,1x4,0,0,16,1,1,1,1,t,s,\n"),
                   ":4: layer: expected a layer index"},
        BadProfile{"huge_time",
                   WithRow("pi,m,1,x,activation,1x4,1x4,0,0,16,1,1,1e300,1e300,t,s,\n"),
                   ":4: median_ms: expected a number from 0 to 1e7 ms"},
        BadProfile{"threads_past_int",
                   WithRow("pi,m,1,x,activation,1x4,1x4,0,0,16,4294967297,1,1,1,t,s,\n"),
                   ":4: threads"},
        BadProfile{"kind", WithRow("pi,m,1,x,lstm,1x4,1x4,0,0,16,1,1,1,1,t,s,\n"),
                   ":4: kind: unknown"},
        BadProfile{
            "huge_shape",
            WithRow("pi,m,1,x,activation,1x99999999999999999999999,1x4,0,0,16,1,1,1,1,t,s,\n"),
            ":4: input_shape"},
        BadProfile{"shape", WithRow("pi,m,1,x,activation,1by4,1x4,0,0,16,1,1,1,1,t,s,\n"),
                   ":4: input_shape"},
        BadProfile{"macs", WithRow("pi,m,1,x,activation,1x4,1x4,-5,0,16,1,1,1,1,t,s,\n"),
                   ":4: macs"},
        BadProfile{"threads", WithRow("pi,m,1,x,activation,1x4,1x4,0,0,16,0,1,1,1,t,s,\n"),
                   ":4: threads"},
        BadProfile{"median", WithRow("pi,m,1,x,activation,1x4,1x4,0,0,16,1,1,fast,1,t,s,\n"),
                   ":4: median_ms"},
        BadProfile{"p90", WithRow("pi,m,1,x,activation,1x4,1x4,0,0,16,1,1,2,1,t,s,\n"),
                   ":4: p90_ms"},
        BadProfile{"empty", std::string(kHeader), ":1: no rows"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace coinfer
