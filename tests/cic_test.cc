#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "dnn/zoo.h"
#include "policies/cic.h"
#include "policies/dads.h"
#include "tests/policy_fixtures.h"

namespace coinfer {
namespace {

// Bandwidths from 0.1 to 1000 Mbit/s, log-spaced.
std::vector<double> Sweep(int points) {
  std::vector<double> mbps;
  for (int i = 0; i < points; ++i) mbps.push_back(std::pow(10, -1 + 4.0 * i / (points - 1)));
  return mbps;
}

// CIC's decision costs what the full minimum cut costs, at every bandwidth.
void ExpectSameCostAsFullMinCut(const Graph& g, const DeviceModel& end, const DeviceModel& cloud,
                                int points) {
  Observation obs = ObservationOf(g, end, cloud, 0);
  CicPolicy cic;
  cic.Prepare(obs);
  DadsPolicy dads;
  for (double mbps : Sweep(points)) {
    SetEstimate(&obs, mbps);
    const double full = dads.Decide(obs).predicted_ms;
    ASSERT_NEAR(cic.Decide(obs).predicted_ms, full, 1e-9 * full) << g.model << " at " << mbps;
  }
}

class CicZooTest : public ::testing::TestWithParam<const char*> {};

TEST_P(CicZooTest, SameCostAsTheFullMinCutOverABandwidthSweep) {
  Graph g;
  ASSERT_TRUE(RecordZooGraph(GetParam(), &g).ok());
  const DeviceModel end = DeviceModel::FromCoefficients("end", 1, {5, 0.05, 0.3, 0.1});
  const DeviceModel cloud = DeviceModel::FromCoefficients("cloud", 8, {1, 0.001, 0.02, 0.01});
  ExpectSameCostAsFullMinCut(g, end, cloud, 60);
}

// The shipped devices, with their measured rows where they have them (the
// Pi 4B's and the phone's profiles, EdgeLD's per-task overhead).
TEST_P(CicZooTest, SameCostAsTheFullMinCutOnTheShippedDevices) {
  Graph g;
  ASSERT_TRUE(RecordZooGraph(GetParam(), &g).ok());
  const std::string dir = COINFER_SOURCE_DIR "/devices/data/";
  DeviceModel cloud;
  ASSERT_TRUE(DeviceModel::Load(dir + "cloud.device", &cloud).ok());
  for (const char* name : {"pi4b", "mi8", "pi3bplus-edgeld"}) {
    DeviceModel end;
    ASSERT_TRUE(DeviceModel::Load(dir + name + ".device", &end).ok()) << name;
    ExpectSameCostAsFullMinCut(g, end, cloud, 60);
    if (HasFatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, CicZooTest,
                         ::testing::Values("vgg16", "alexnet", "resnet18", "resnet50",
                                           "mobilenet_v2", "small_vgg", "small_resnet"));

TEST(CicTest, SameCostAsTheFullMinCutOnAThousandRandomDags) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> slow(0.01, 0.2), fast(0.0005, 0.01), overhead(0, 50);
  for (int trial = 0; trial < 1000; ++trial) {
    const Graph g = RandomDag(rng, 2 + trial % 30);
    const bool tasks = trial % 3 == 0;  // with per-task overheads (EdgeLD's devices)
    const DeviceModel end =
        DeviceModel::FromCoefficients("end", 1, {0, slow(rng), 0, 0}, tasks ? overhead(rng) : 0);
    const DeviceModel cloud =
        DeviceModel::FromCoefficients("cloud", 8, {0, fast(rng), 0, 0}, tasks ? overhead(rng) : 0);
    ExpectSameCostAsFullMinCut(g, end, cloud, 12);
    if (HasFatalFailure()) return;
  }
}

TEST(CicTest, TheSplittingModelIsSmallAndOrdered) {
  Graph g;
  ASSERT_TRUE(RecordZooGraph("resnet50", &g).ok());
  const DeviceModel end = DeviceModel::FromCoefficients("end", 1, {5, 0.05, 0.3, 0.1});
  const DeviceModel cloud = DeviceModel::FromCoefficients("cloud", 8, {1, 0.001, 0.02, 0.01});
  Observation obs = ObservationOf(g, end, cloud, 0);
  CicPolicy cic;
  cic.Prepare(obs);
  const auto& pieces = cic.pieces();
  ASSERT_GE(pieces.size(), 2u);  // offloading when fast, on-device when slow
  EXPECT_LT(pieces.size(), static_cast<size_t>(g.size()));
  for (size_t i = 1; i < pieces.size(); ++i) {
    EXPECT_GT(pieces[i].from_ms_per_byte, pieces[i - 1].from_ms_per_byte);
    EXPECT_LT(pieces[i].partition.bytes, pieces[i - 1].partition.bytes);  // slower: fewer bytes
  }
  EXPECT_EQ(pieces.back().partition.bytes, 0);  // at 1e-4 Mbit/s: everything on the device
}

// cic@throughput on a busy device takes the candidate whose slowest pipeline
// stage is shortest; on an idle one it decides exactly as cic.
TEST(CicTest, LoadAwareModeMinimisesTheBottleneckOnlyWhenBusy) {
  Graph g;
  ASSERT_TRUE(RecordZooGraph("resnet18", &g).ok());
  const DeviceModel end = DeviceModel::FromCoefficients("end", 1, {5, 0.05, 0.3, 0.1});
  const DeviceModel cloud = DeviceModel::FromCoefficients("cloud", 8, {1, 0.001, 0.01, 0});
  CicPolicy plain, load_aware(true);
  EXPECT_EQ(load_aware.name(), "cic@throughput");
  bool differs = false;
  for (double mbps : Sweep(40)) {
    Observation obs = ObservationOf(g, end, cloud, mbps);
    obs.queue[obs.end] = 0;
    EXPECT_DOUBLE_EQ(load_aware.Decide(obs).predicted_ms, plain.Decide(obs).predicted_ms);
    obs.queue[obs.end] = 3;
    const double price = MsPerByte(mbps);
    double best = INFINITY;
    for (const auto& c : load_aware.throughput_candidates())
      best = std::min(best, BottleneckMs(c.partition, price, end.cores(), cloud.cores()));
    const auto& chosen = load_aware.PieceFor(price, true, 0);
    EXPECT_DOUBLE_EQ(BottleneckMs(chosen.partition, price, end.cores(), cloud.cores()), best)
        << mbps;
    const auto& fastest = load_aware.PieceFor(price, false, 0);
    EXPECT_LE(best, BottleneckMs(fastest.partition, price, end.cores(), cloud.cores()));
    differs = differs || best < BottleneckMs(fastest.partition, price, end.cores(), cloud.cores());
  }
  EXPECT_TRUE(differs);  // somewhere in the sweep a balanced cut beats the fastest one
}

}  // namespace
}  // namespace coinfer
