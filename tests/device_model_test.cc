#include <gtest/gtest.h>

#include <fstream>

#include "devices/device_model.h"
#include "dnn/zoo.h"

namespace coinfer {
namespace {

const std::string kDevices = std::string(COINFER_SOURCE_DIR) + "/devices/data/";

TEST(DeviceModelTest, ShippedDevicesReproduceTheirSourceTotals) {
  DeviceModel pi, cloud;
  ASSERT_TRUE(DeviceModel::Load(kDevices + "pi4b.device", &pi).ok());
  ASSERT_TRUE(DeviceModel::Load(kDevices + "cloud.device", &cloud).ok());
  EXPECT_EQ(pi.name(), "pi4b");
  EXPECT_EQ(pi.cores(), 1);
  EXPECT_EQ(cloud.cores(), 8);
  Graph resnet18, mobilenet;
  ASSERT_TRUE(RecordZooGraph("resnet18", &resnet18).ok());
  ASSERT_TRUE(RecordZooGraph("mobilenet_v2", &mobilenet).ok());
  // The cloud model solves CNNPC's two measured totals exactly.
  EXPECT_NEAR(cloud.SegmentLatencyMs(resnet18, 0, resnet18.size()), 3.7208, 0.01);
  EXPECT_NEAR(cloud.SegmentLatencyMs(mobilenet, 0, mobilenet.size()), 4.2562, 0.01);
  // The Pi's fit residuals, as its file states: ResNet-18 -33.6 %, MobileNetV2 +3.8 %.
  EXPECT_NEAR(pi.SegmentLatencyMs(resnet18, 0, resnet18.size()) / 176.18 - 1, -0.336, 0.01);
  EXPECT_NEAR(pi.SegmentLatencyMs(mobilenet, 0, mobilenet.size()) / 72.62 - 1, 0.038, 0.01);
}

TEST(DeviceModelTest, LayerLatencyIsTheLinearModel) {
  const DeviceModel d = DeviceModel::FromCoefficients("d", 2, {5, 0.5, 0.25, 0.125});
  Layer l;
  l.macs = 1000;
  l.input_bytes = 400;
  l.output_bytes = 400;
  l.param_bytes = 800;
  EXPECT_DOUBLE_EQ(d.LayerLatencyMs(l), (5000 + 500 + 200 + 100) / 1e6);
}

struct BadDevice {
  const char* name;
  const char* text;
  const char* expected;
};

void PrintTo(const BadDevice& b, std::ostream* os) { *os << b.name; }

class BadDeviceTest : public ::testing::TestWithParam<BadDevice> {};

TEST_P(BadDeviceTest, ErrorNamesLineAndField) {
  const std::string path = ::testing::TempDir() + "bad_" + GetParam().name + ".device";
  std::ofstream(path) << GetParam().text;
  DeviceModel d;
  Status st = DeviceModel::Load(path, &d);
  ASSERT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find(path + GetParam().expected), std::string::npos) << st.message();
}

#define HEADER "kind,fixed_us,ns_per_mac,ns_per_io_byte,ns_per_param_byte\n"

INSTANTIATE_TEST_SUITE_P(
    Cases, BadDeviceTest,
    ::testing::Values(
        BadDevice{"cores", "name,x\ncores,two\n", ":2: cores"},
        BadDevice{"number", "name,x\n" HEADER "*,0,fast,0,0\n", ":3: ns_per_mac"},
        BadDevice{"kind", "name,x\n" HEADER "*,0,0,0,0\nlstm,0,0,0,0\n", ":4: kind: unknown"},
        BadDevice{"duplicate", "name,x\n" HEADER "conv,0,0,0,0\nconv,0,0,0,0\n",
                  ":4: kind: duplicate"},
        BadDevice{"missing", "name,x\n" HEADER "conv,0,0,0,0\n", ":3: kind: no row for"},
        BadDevice{"no_name", HEADER "*,0,0,0,0\n", ":2: name"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace coinfer
