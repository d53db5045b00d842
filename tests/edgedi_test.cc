// EdgeDI's partition: strip sizes against hand-computed and brute-force
// answers, its characteristic behaviour on the shipped EdgeLD-constant Pis
// (equal devices get equal strips, a 1.5x device 1.5x the rows), and the
// plans simulated on ns-3's LAN: speed-up grows with devices and flattens
// when the LAN saturates.
#include "policies/edgedi.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "dnn/zoo.h"
#include "policies/strip_partition.h"
#include "sim/engine.h"

namespace coinfer {
namespace {

const std::string kDevices = std::string(COINFER_SOURCE_DIR) + "/devices/data/";

TEST(StripPartitionTest, ProportionalRowsGiveRoundingsRowsToTheLargestRemainders) {
  EXPECT_EQ(ProportionalRows(14, {1, 1, 1, 1}), (std::vector<int64_t>{4, 4, 3, 3}));
  EXPECT_EQ(ProportionalRows(25, {1, 1.5}), (std::vector<int64_t>{10, 15}));
  // 7 x (1, 2, 4) / 7: exact.
  EXPECT_EQ(ProportionalRows(7, {1, 2, 4}), (std::vector<int64_t>{1, 2, 4}));
  // 10 x (1, 1, 1) / 3 = 3.33 each: the first gets the row left over.
  EXPECT_EQ(ProportionalRows(10, {1, 1, 1}), (std::vector<int64_t>{4, 3, 3}));
  EXPECT_EQ(StripsOf({4, 0, 3}), (std::vector<RowRange>{{0, 4}, {4, 4}, {4, 7}}));
}

// The best partition of `rows` over two or three devices, trying every one.
double BruteForceBestMs(int64_t rows, size_t devices, const StripCost& cost) {
  double best = 1e300;
  for (int64_t a = 0; a <= rows; ++a)
    for (int64_t b = 0; a + b <= rows; ++b) {
      if (devices == 2 && a + b != rows) continue;
      std::vector<int64_t> sizes = {a, b};
      if (devices == 3) sizes.push_back(rows - a - b);
      best = std::min(best, LatestFinishMs(sizes, cost));
    }
  return best;
}

// Finish = fixed cost + (rows + halo rows at inner borders) x per-row cost,
// per device (an empty strip: nothing), over a grid of devices 1-4x apart,
// with and without halo: from EdgeDI's start (rows in proportion to speed)
// and from equal strips, the refinement reaches the best partition; without
// halo, from any start. The paper's rule taken literally (a move only when
// the latest finish drops) stops as soon as two devices tie at it, 36 %
// above the best with per-row costs 1, 2.5 and 3. With halo, a device that
// holds every row does not improve by giving one away (the other gains its
// halo too): the refinement is a local search and needs a sensible start.
TEST(StripPartitionTest, RefinementReachesTheBestPartition) {
  for (bool halo : {false, true})
    for (double fixed : {0.0, 5.0, 40.0})
      for (double second : {1.0, 1.5, 2.5})
        for (double third : {1.0, 3.0, 4.0})
          for (size_t devices : {2, 3}) {
            const std::vector<double> per_row = {1.0, second, third};
            const StripCost cost = [&](int d, RowRange r) {
              const int64_t inner = halo ? (r.begin > 0) + (r.end < 56) : 0;
              return fixed + per_row[d] * (r.size() + inner);
            };
            const std::vector<double> speed = {1.0, 1 / second, 1 / third};
            std::vector<std::vector<int64_t>> starts = {
                ProportionalRows(56, std::vector<double>(speed.begin(), speed.begin() + devices)),
                ProportionalRows(56, std::vector<double>(devices, 1.0))};
            if (!halo) {
              starts.push_back(std::vector<int64_t>(devices, 0));
              starts.back()[0] = 56;
              starts.push_back(std::vector<int64_t>(devices, 0));
              starts.back()[devices - 1] = 56;
            }
            const double best = BruteForceBestMs(56, devices, cost);
            for (const std::vector<int64_t>& start : starts) {
              double ms = 0;
              const std::vector<int64_t> sizes = RefineRows(start, cost, &ms);
              std::string what = (halo ? "halo " : "") + std::to_string(fixed) + " " +
                                 std::to_string(second) + " " + std::to_string(third) + " from";
              for (int64_t r : start) what += " " + std::to_string(r);
              EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), int64_t{0}), 56) << what;
              EXPECT_DOUBLE_EQ(ms, LatestFinishMs(sizes, cost)) << what;
              EXPECT_LE(ms, LatestFinishMs(start, cost)) << what;
              EXPECT_NEAR(ms, best, 1e-9) << what;
            }
          }
}

TEST(EdgediModelTest, AModelWithoutConvolutionsIsRefusedByName) {
  Graph g;
  g.model = "mlp";
  Layer fc;
  fc.name = "fc";
  fc.kind = LayerKind::kLinear;
  fc.inputs = {Layer::kModelInput};
  g.layers = {fc};
  EdgediPolicy edgedi({}, "edgedi");
  const Status st = edgedi.CheckModel(g);
  EXPECT_NE(st.message().find("edgedi: mlp has no run of convolutions"), std::string::npos)
      << st.message();
  Graph vgg;
  ASSERT_TRUE(RecordZooGraph("small_vgg", &vgg).ok());
  EXPECT_TRUE(edgedi.CheckModel(vgg).ok());
}

// A cluster of `models` (device files) behind a Pi 4B leader, on a LAN.
class EdgediTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(RecordZooGraph("vgg13", &graph_).ok()); }

  void UseCluster(const std::vector<std::string>& models, double lan_mbps) {
    config_.graph = &graph_;
    config_.network.topology = NetworkConfig::Topology::kCluster;
    config_.network.cluster_devices = static_cast<int>(models.size());
    config_.network.cluster_upstream = false;
    config_.network.lan_mbps = lan_mbps;
    // Linux's TCP timers, as on the Pis (scenarios/edgedi.ini).
    config_.network.tcp_min_rto_ms = 200;
    config_.network.tcp_delayed_ack_ms = 40;
    config_.arrivals = {ArrivalConfig::Process::kPeriodic, 1};
    config_.duration_s = 1;  // one request, at t = 0
    config_.sites = TopologySites(config_.network);
    devices_.assign(config_.sites.size(), {});
    ASSERT_TRUE(DeviceModel::Load(kDevices + "pi4b-edgeld.device", &devices_[0]).ok());
    for (size_t d = 0; d < models.size(); ++d)
      ASSERT_TRUE(DeviceModel::Load(kDevices + models[d] + ".device", &devices_[d + 1]).ok());
    for (size_t s = 0; s < config_.sites.size(); ++s) config_.sites[s].device = &devices_[s];
    obs_ = Observation{};
    obs_.graph = &graph_;
    obs_.sites = config_.sites;
    obs_.end = 0;
    obs_.prior_mbps = 5;
    obs_.lan_mbps = lan_mbps;
  }

  // The simulated latency (ms) of one request.
  double SimulatedMs(Policy& policy) {
    RunStats stats;
    const std::vector<RequestRecord> records = RunEngine(config_, policy, &stats);
    EXPECT_TRUE(records.at(0).completed);
    return records.at(0).actual_ms;
  }

  Graph graph_;
  std::vector<DeviceModel> devices_;
  EngineConfig config_;
  Observation obs_;
};

TEST_F(EdgediTest, EqualDevicesGetEqualStrips) {
  UseCluster({"pi4b-edgeld", "pi4b-edgeld", "pi4b-edgeld", "pi4b-edgeld"}, 1000);
  EdgediPolicy edgedi({}, "edgedi");
  edgedi.Prepare(obs_);
  ASSERT_EQ(edgedi.segments().size(), 5u);  // VGG-13's five blocks
  for (size_t s = 0; s < edgedi.segments().size(); ++s) {
    const std::vector<int64_t> rows = edgedi.SegmentRows(obs_, s);
    ASSERT_EQ(rows.size(), 4u);
    const auto [lo, hi] = std::minmax_element(rows.begin(), rows.end());
    EXPECT_LE(*hi - *lo, 1) << "segment " << s;
    EXPECT_EQ(std::accumulate(rows.begin(), rows.end(), int64_t{0}),
              graph_.layers[edgedi.segments()[s].end - 1].output_shape[2]);
  }
}

TEST_F(EdgediTest, AOneAndAHalfTimesFasterDeviceGetsOneAndAHalfTimesTheRows) {
  UseCluster({"pi3bplus-edgeld", "pi4b-edgeld"}, 1000);
  EdgediPolicy edgedi({}, "edgedi");
  edgedi.Prepare(obs_);
  // The first blocks, with rows enough for the ratio to show (112 and 56).
  for (size_t s : {0, 1}) {
    const std::vector<int64_t> rows = edgedi.SegmentRows(obs_, s);
    EXPECT_NEAR(double(rows[1]) / rows[0], 1.5, 0.15)
        << "segment " << s << ": " << rows[0] << " and " << rows[1] << " rows";
  }
}

// Refinement weighs each device's links, each direction with its own bytes:
// VGG-13's first block receives 3 channels of 224 rows (0.6 MB) and sends back
// 64 of 112 (3.2 MB), so a slow download from the first of two equal devices
// costs it more rows than an equally slow upload.
TEST_F(EdgediTest, RefinementWeighsEachDevicesLinkInEachDirection) {
  UseCluster({"pi4b-edgeld", "pi4b-edgeld"}, 1000);
  EdgediPolicy proportional({EdgediPolicy::Partition::kProportional}, "p");
  proportional.Prepare(obs_);
  EXPECT_EQ(proportional.SegmentRows(obs_, 0), (std::vector<int64_t>{56, 56}));
  auto rows_with_slow = [&](SiteId from, SiteId to) {
    obs_.links = {{from, to, 10}};
    EdgediPolicy adaptive({}, "edgedi");
    adaptive.Prepare(obs_);
    return adaptive.SegmentRows(obs_, 0)[0];
  };
  const int64_t slow_upload = rows_with_slow(0, 1), slow_download = rows_with_slow(1, 0);
  EXPECT_LT(slow_upload, 56);
  EXPECT_LT(slow_download, slow_upload);
  // By hand: with the download at 10 Mbit/s, each row of device 0 costs
  // 3.2 MB / 112 x 8 / 10 Mbit/s = 22.9 ms more than on device 1 (on top
  // of 1.5 ms of compute either way): a few rows at most.
  EXPECT_LT(slow_download, 10);
}

// The plan: each segment's uploads wait for every strip of the segment
// before, each strip's compute for its upload, each gather for its compute;
// the prediction is the critical path, and with one device (nothing shares
// the leader's port) ns-3's latency is within 10 % of it.
TEST_F(EdgediTest, StagesWaitForTheWholeSegmentBeforeAndOneDeviceIsPredicted) {
  UseCluster({"pi4b-edgeld", "pi3bplus-edgeld", "pi4b-edgeld"}, 1000);
  EdgediPolicy edgedi({}, "edgedi");
  edgedi.Prepare(obs_);
  const Plan plan = edgedi.Decide(obs_);
  std::vector<int> previous_gathers;  // of the segment before
  std::vector<int> gathers;
  int first_layer = -1;
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const Stage& s = plan.stages[i];
    if (s.kind == Stage::Kind::kCompute && !s.rows.empty()) {
      ASSERT_EQ(s.deps.size(), 1u);
      EXPECT_EQ(plan.stages[s.deps[0]].to, s.site);  // its own upload
      if (s.layers.front() != first_layer) {
        first_layer = s.layers.front();
        previous_gathers = gathers;
        gathers.clear();
      }
      const Stage& up = plan.stages[s.deps[0]];
      std::vector<int> up_deps = up.deps;
      std::sort(up_deps.begin(), up_deps.end());
      EXPECT_EQ(up_deps, previous_gathers) << "segment at layer " << first_layer;
    }
    if (s.kind == Stage::Kind::kTransfer && s.to == 0 && !s.result) {
      ASSERT_EQ(s.deps.size(), 1u);
      EXPECT_EQ(plan.stages[s.deps[0]].site, s.site);  // its own compute
      gathers.push_back(static_cast<int>(i));
    }
  }
  EXPECT_EQ(first_layer, 20);  // five segments: the last starts at layer 20
  // The critical path, by hand over the stages.
  std::vector<double> done(plan.stages.size());
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    double start = 0;
    for (int d : plan.stages[i].deps) start = std::max(start, done[d]);
    done[i] = start + plan.stages[i].predicted_ms;
  }
  EXPECT_DOUBLE_EQ(plan.predicted_ms, done.back());
  EXPECT_LT(plan.predicted_ms,
            std::accumulate(plan.stages.begin(), plan.stages.end(), 0.0,
                            [](double t, const Stage& s) { return t + s.predicted_ms; }));

  UseCluster({"pi4b-edgeld"}, 1000);
  EdgediPolicy one({}, "edgedi");
  one.Prepare(obs_);
  const double predicted = one.Decide(obs_).predicted_ms;
  EXPECT_NEAR(SimulatedMs(one), predicted, 0.1 * predicted);
}

// With an upstream cloud the tail after the last segment goes there from the
// first split point: on VGG-13 right after the last pooling, on ResNet-18
// after its last residual add, which the leader runs first.
TEST_F(EdgediTest, TheTailLeavesForTheCloudFromTheFirstSplitPointAfterTheStrips) {
  for (const std::string model : {"vgg13", "resnet18"}) {
    ASSERT_TRUE(RecordZooGraph(model, &graph_).ok());
    UseCluster({"pi4b-edgeld", "pi4b-edgeld"}, 1000);
    config_.network.cluster_upstream = true;
    config_.network.uplink.capacity.constant_mbps = 20;
    config_.network.downlink.capacity.constant_mbps = 20;
    config_.sites = TopologySites(config_.network);
    devices_.emplace_back();
    ASSERT_TRUE(DeviceModel::Load(kDevices + "cloud.device", &devices_.back()).ok());
    for (size_t s = 0; s < config_.sites.size(); ++s) config_.sites[s].device = &devices_[s];
    obs_.sites = config_.sites;
    obs_.cloud = 3;
    EdgediPolicy edgedi({EdgediPolicy::Partition::kAdaptive, EdgediPolicy::Tail::kCloud}, "e");
    edgedi.Prepare(obs_);
    const Plan plan = edgedi.Decide(obs_);
    const int tail = edgedi.segments().back().end;
    // Find the upload to the cloud and what runs there.
    const Stage* up = nullptr;
    const Stage* cloud = nullptr;
    const Stage* leader_before = nullptr;
    for (const Stage& s : plan.stages) {
      if (s.kind == Stage::Kind::kTransfer && s.to == 3) up = &s;
      if (s.kind == Stage::Kind::kCompute && s.site == 3) cloud = &s;
      if (s.kind == Stage::Kind::kCompute && s.site == 0) leader_before = &s;
    }
    ASSERT_TRUE(up && cloud) << model;
    const SplitPoint& cut = graph_.SplitPoints().at(up->split);
    EXPECT_EQ(cloud->layers.front(), cut.index) << model;
    EXPECT_EQ(cloud->layers.back(), graph_.size() - 1) << model;
    EXPECT_EQ(up->bytes, cut.bytes) << model;
    if (model == "vgg13") {
      EXPECT_EQ(cut.index, tail);
      EXPECT_EQ(leader_before, nullptr);
    } else {
      EXPECT_GT(cut.index, tail);  // the add reads the block's input too
      ASSERT_NE(leader_before, nullptr);
      EXPECT_EQ(leader_before->layers.front(), tail);
      EXPECT_EQ(leader_before->layers.back(), cut.index - 1);
      EXPECT_EQ(graph_.layers[tail].kind, LayerKind::kAdd);
    }
    SimulatedMs(edgedi);  // and the engine runs it to the end
  }
}

TEST_F(EdgediTest, SpeedUpGrowsWithDevicesAndFlattensWhenTheLanSaturates) {
  std::map<double, std::vector<double>> ms;  // per LAN rate, per device count
  for (double lan : {100.0, 1000.0})
    for (int n = 1; n <= 4; ++n) {
      UseCluster(std::vector<std::string>(n, "pi4b-edgeld"), lan);
      EdgediPolicy edgedi({}, "edgedi");
      ms[lan].push_back(SimulatedMs(edgedi));
    }
  for (double lan : {100.0, 1000.0})
    for (int n = 1; n < 4; ++n)
      EXPECT_LT(ms[lan][n], ms[lan][n - 1]) << lan << " Mbit/s, " << n + 1;
  const double fast_speedup = ms[1000][0] / ms[1000][3], slow_speedup = ms[100][0] / ms[100][3];
  // Every byte crosses the leader's port: at 100 Mbit/s the transfers, not
  // the devices, bound the latency.
  // By hand at 1 Gbit/s: VGG-13's 11.3 GMAC at 0.0832 ns/MAC is 0.94 s of
  // compute, a quarter each on four devices, plus 5 x 19.7 ms of per-task
  // overhead and ~13 MB of strips at 1 Gbit/s: about 0.45 s against 1.15.
  EXPECT_GT(fast_speedup, 2.0);
  EXPECT_LT(slow_speedup, 0.8 * fast_speedup);
  // The fourth device gains less on the saturated LAN.
  EXPECT_LT(ms[1000][3] / ms[1000][2], ms[100][3] / ms[100][2]);
  std::cout << "1..4 devices at 100 Mbit/s:";
  for (double m : ms[100]) std::cout << " " << m;
  std::cout << " ms\n1..4 devices at 1 Gbit/s:";
  for (double m : ms[1000]) std::cout << " " << m;
  std::cout << " ms\n";
}

}  // namespace
}  // namespace coinfer
