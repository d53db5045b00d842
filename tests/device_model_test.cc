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
  // The Pi 4B's ncnn whole-model measurements, exactly.
  EXPECT_DOUBLE_EQ(pi.SegmentLatencyMs(resnet18, 0, resnet18.size()), 176.18);
  EXPECT_DOUBLE_EQ(pi.SegmentLatencyMs(mobilenet, 0, mobilenet.size()), 72.62);
  // A split shares the measured whole out: the two sides add up to it.
  EXPECT_NEAR(
      pi.SegmentLatencyMs(resnet18, 0, 18) + pi.SegmentLatencyMs(resnet18, 18, resnet18.size()),
      176.18, 1e-9);
  EXPECT_FALSE(pi.SegmentMeasured(resnet18, 0, 18));
}

// EdgeLD's compute model, T = 6.24e-11 s/FLOP · FLOPs + 19.7 ms per task, and
// EdgeDI's capacities 3B+ : 4B = 1 : 1.5.
TEST(DeviceModelTest, EdgeLdDevicesFollowTheirComputeModel) {
  DeviceModel pi3, pi4;
  ASSERT_TRUE(DeviceModel::Load(kDevices + "pi3bplus-edgeld.device", &pi3).ok());
  ASSERT_TRUE(DeviceModel::Load(kDevices + "pi4b-edgeld.device", &pi4).ok());
  Graph vgg;
  ASSERT_TRUE(RecordZooGraph("vgg16", &vgg).ok());
  const double flops = 2.0 * vgg.TotalMacs();
  EXPECT_NEAR(pi3.TaskLatencyMs(vgg, 0, vgg.size()), (6.24e-11 * flops + 1.97e-2) * 1e3, 1e-6);
  EXPECT_NEAR(pi4.TaskLatencyMs(vgg, 0, vgg.size()), (6.24e-11 / 1.5 * flops + 1.97e-2) * 1e3,
              1e-6);
  EXPECT_GT(pi3.power().compute_w, pi3.power().idle_w);
}

// CNNPC's measured segments (devices/data/measured/cnnpc_segment_latency.csv),
// reproduced exactly at CNNPC's partition points, alone and combined.
TEST(DeviceModelTest, CnnpcSegmentTimesAreReproducedExactly) {
  DeviceModel mi8, edge;
  ASSERT_TRUE(DeviceModel::Load(kDevices + "mi8.device", &mi8).ok());
  ASSERT_TRUE(DeviceModel::Load(kDevices + "edge.device", &edge).ok());
  Graph g;
  ASSERT_TRUE(RecordZooGraph("resnet18", &g).ok());
  // Partition points: after the stem (layer 4), layer1 (18), layer2 (34), layer3 (50).
  EXPECT_DOUBLE_EQ(mi8.SegmentLatencyMs(g, 0, 4), 16.758);
  EXPECT_DOUBLE_EQ(mi8.SegmentLatencyMs(g, 4, 18), 46.4808);
  EXPECT_DOUBLE_EQ(mi8.SegmentLatencyMs(g, 0, 18), 16.758 + 46.4808);
  EXPECT_DOUBLE_EQ(edge.SegmentLatencyMs(g, 18, 50), 5.2887 + 6.4954);
  EXPECT_DOUBLE_EQ(mi8.SegmentLatencyMs(g, 0, g.size()),
                   16.758 + 46.4808 + 35.9714 + 23.1071 + 35.1647);
  EXPECT_TRUE(mi8.SegmentMeasured(g, 4, 34));
  // Inside a segment nothing was measured: a share of it, flagged as not measured.
  EXPECT_FALSE(mi8.SegmentMeasured(g, 0, 2));
  EXPECT_NEAR(mi8.SegmentLatencyMs(g, 0, 2) + mi8.SegmentLatencyMs(g, 2, 4), 16.758, 1e-9);
}

TEST(DeviceModelTest, LayerLatencyIsTheLinearModel) {
  const DeviceModel d = DeviceModel::FromCoefficients("d", 2, {5, 0.5, 0.25, 0.125});
  Layer l;
  l.macs = 1000;
  l.input_bytes = 400;
  l.output_bytes = 400;
  l.param_bytes = 800;
  EXPECT_DOUBLE_EQ(d.PredictLayerMs(l), (5000 + 500 + 200 + 100) / 1e6);
}

TEST(DeviceModelTest, MeasuredRowsComeBeforeTheRegression) {
  Graph g;
  ASSERT_TRUE(RecordZooGraph("small_vgg", &g).ok());
  const std::string dir = ::testing::TempDir();
  // Layer 0 and a segment [4, 10) and the whole model are measured; layer 1's
  // row has a wrong shape (another version of the model) and is not used.
  std::ofstream(dir + "measured.csv")
      << "device,model,layer,name,kind,input_shape,output_shape,macs,param_bytes,output_bytes,"
         "threads,repeats,median_ms,p90_ms,framework,source,kernel\n"
      << "dev,small_vgg,0,features.0,conv,1x1x28x28,1x32x28x28,0,0,0,1,1,7.5,8,t,s,\n"
      << "dev,small_vgg,1,features.1,activation,1x32x28x28,1x99,0,0,0,1,1,50,50,t,s,\n"
      << "dev,small_vgg,-1,4-10,segment,1x32x14x14,1x64x7x7,0,0,0,1,1,3.25,4,t,s,\n"
      << "dev,small_vgg,-1,model,model,1x1x28x28,1x10,0,0,0,1,1,99,99,t,s,\n"
      << "other,small_vgg,2,features.2,conv,1x32x28x28,1x32x28x28,0,0,0,1,1,1000,1000,t,s,\n"
      // Layer 2 on the kernel this host runs it on; layer 3 on another one.
      << "dev,small_vgg,2,features.2,conv,1x32x28x28,1x32x28x28,0,0,0,1,1,2.5,3,t,s,"
         "mkldnn_convolution\n"
      << "dev,small_vgg,3,features.3,activation,1x32x28x28,1x32x28x28,0,0,0,1,1,9,9,t,s,"
         "other_kernel\n";
  std::ofstream(dir + "measured.device")
      << "name,dev\ncores,1\nprofile,measured.csv\n"
      << "kind,fixed_us,ns_per_mac,ns_per_io_byte,ns_per_param_byte\n"
      << "*,1000,0,0,0\n";  // 1 ms per layer otherwise
  DeviceModel d;
  Status st = DeviceModel::Load(dir + "measured.device", &d);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_DOUBLE_EQ(d.SegmentLatencyMs(g, 0, 1), 7.5);
  EXPECT_DOUBLE_EQ(d.SegmentLatencyMs(g, 1, 2), 1.0);    // shape mismatch: regression
  EXPECT_DOUBLE_EQ(d.SegmentLatencyMs(g, 2, 3), 2.5);    // its own row, not another device's
  EXPECT_DOUBLE_EQ(d.SegmentLatencyMs(g, 3, 4), 1.0);    // another kernel: regression
  EXPECT_DOUBLE_EQ(d.SegmentLatencyMs(g, 4, 10), 3.25);  // measured segment
  EXPECT_DOUBLE_EQ(d.SegmentLatencyMs(g, 0, 3), 7.5 + 1 + 2.5);
  EXPECT_DOUBLE_EQ(d.SegmentLatencyMs(g, 0, g.size()), 99);  // measured whole model
  EXPECT_TRUE(d.SegmentMeasured(g, 4, 10));
  EXPECT_FALSE(d.SegmentMeasured(g, 0, 3));
}

TEST(DeviceModelTest, ShippedHostPredictsMeasuredModelsExactly) {
  DeviceModel host;
  Status st = DeviceModel::Load(kDevices + "host.device", &host);
  ASSERT_TRUE(st.ok()) << st.message();
  Graph g;
  ASSERT_TRUE(RecordZooGraph("resnet18", &g).ok());
  EXPECT_TRUE(host.SegmentMeasured(g, 0, g.size()));
  EXPECT_TRUE(host.SegmentMeasured(g, 3, 20));
  EXPECT_GT(host.SegmentLatencyMs(g, 0, g.size()), 0);
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
        BadDevice{"overhead", "name,x\ntask_overhead_ms,-3\n", ":2: task_overhead_ms"},
        BadDevice{"kernel_kind", "name,x\n" HEADER "*,0,0,0,0\nlstm/cell,0,0,0,0\n",
                  ":4: kind: unknown layer kind 'lstm'"},
        BadDevice{"empty_kernel", "name,x\n" HEADER "*,0,0,0,0\nconv/,0,0,0,0\n",
                  ":4: kind: empty kernel"},
        BadDevice{"duplicate_kernel",
                  "name,x\n" HEADER "*,0,0,0,0\nconv/k,0,0,0,0\nconv/k,0,0,0,0\n",
                  ":5: kind: duplicate"},
        BadDevice{"no_name", HEADER "*,0,0,0,0\n", ":2: name"},
        BadDevice{"missing_profile", "name,x\nprofile,nowhere.csv\n", ":2: profile"},
        // Finite but beyond any device: times past ns-3's clock, joules past double.
        BadDevice{"huge_fixed", "name,x\n" HEADER "*,1e300,0,0,0\n",
                  ":3: fixed_us: expected a number from 0 to 1e+07"},
        BadDevice{"huge_per_mac", "name,x\n" HEADER "*,0,20000,0,0\n",
                  ":3: ns_per_mac: expected a number from 0 to 10000"},
        BadDevice{"huge_overhead", "name,x\ntask_overhead_ms,1e200\n", ":2: task_overhead_ms"},
        BadDevice{"huge_power", "name,x\npower,1,1e305,1,0\n", ":2: power: compute_w"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace coinfer
