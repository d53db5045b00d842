// Plans over a topology's sites: compute anywhere, transfers between any two
// sites over the topology's routes, and clear errors for sites it lacks.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "dnn/strips.h"
#include "dnn/zoo.h"
#include "sim/engine.h"

namespace coinfer {
namespace {

// Returns the same plan for every request.
class FixedPlanPolicy : public Policy {
 public:
  explicit FixedPlanPolicy(Plan plan) : plan_(std::move(plan)) {}
  std::string name() const override { return "fixed"; }
  Plan Decide(const Observation&) override { return plan_; }

 private:
  Plan plan_;
};

Stage Compute(SiteId site, int begin, int end, std::vector<int> deps) {
  Stage s;
  s.site = site;
  for (int i = begin; i < end; ++i) s.layers.push_back(i);
  s.deps = std::move(deps);
  return s;
}

Stage Transfer(SiteId from, SiteId to, int64_t bytes, std::vector<int> deps) {
  Stage s;
  s.kind = Stage::Kind::kTransfer;
  s.site = from;
  s.to = to;
  s.bytes = bytes;
  s.deps = std::move(deps);
  return s;
}

// Every layer takes `ms` on this device, whatever its kind.
DeviceModel EachLayerTakes(const std::string& name, double ms) {
  return DeviceModel::FromCoefficients(name, 1, KindCoefficients{ms * 1e3, 0, 0, 0});
}

class SitesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RecordZooGraph("small_vgg", &graph_).ok());
    config_.graph = &graph_;
    config_.arrivals = {ArrivalConfig::Process::kPeriodic, 1};
    config_.duration_s = 1;  // one request, at t = 0
    config_.network.uplink.capacity.constant_mbps = 10;
    config_.network.downlink.capacity.constant_mbps = 10;
  }
  // Each site gets devices_[i]; the topology's sites in order.
  void UseTopology() {
    config_.sites = TopologySites(config_.network);
    ASSERT_EQ(config_.sites.size(), devices_.size());
    for (size_t i = 0; i < devices_.size(); ++i) config_.sites[i].device = &devices_[i];
  }
  RequestRecord RunOne(const Plan& plan) {
    FixedPlanPolicy policy(plan);
    RunStats stats;
    const auto records = RunEngine(config_, policy, &stats);
    EXPECT_EQ(records.size(), 1u);
    return records.at(0);
  }
  static double Ms(const StageRecord& s) { return (s.end_s - s.start_s) * 1e3; }

  Graph graph_;
  std::vector<DeviceModel> devices_;
  EngineConfig config_;
};

TEST_F(SitesTest, ThreeTierPlanComputesOnEndEdgeAndCloudAtEachSitesSpeed) {
  config_.network.topology = NetworkConfig::Topology::kThreeTier;
  config_.network.uplink.capacity.constant_mbps = config_.network.downlink.capacity.constant_mbps =
      50;
  devices_ = {EachLayerTakes("end", 10), EachLayerTakes("edge", 2), EachLayerTakes("cloud", 0.5)};
  UseTopology();
  const SiteId end = 0, edge = 1, cloud = 2;
  ASSERT_EQ(config_.sites[edge].name, "edge");
  const int n = graph_.size();
  Plan plan;
  plan.stages = {Compute(end, 0, 3, {}), Transfer(end, edge, 20'000, {0}), Compute(edge, 3, 8, {1}),
                 Transfer(edge, cloud, 5'000, {2}), Compute(cloud, 8, n, {3})};
  const RequestRecord r = RunOne(plan);
  ASSERT_TRUE(r.completed);
  EXPECT_NEAR(Ms(r.stages[0]), 3 * 10.0, 1e-9);
  EXPECT_NEAR(Ms(r.stages[2]), 5 * 2.0, 1e-9);
  EXPECT_NEAR(Ms(r.stages[4]), (n - 8) * 0.5, 1e-9);
  EXPECT_NEAR(r.on(SiteRole::kEndDevice).compute_ms, 30, 1e-9);
  EXPECT_NEAR(r.on(SiteRole::kEdge).compute_ms, 10, 1e-9);
  EXPECT_NEAR(r.on(SiteRole::kCloud).compute_ms, (n - 8) * 0.5, 1e-9);
  EXPECT_EQ(r.bytes_sent, 20'000);  // what the end device sent
  // Each stage starts when the one before it ends.
  for (size_t s = 1; s < r.stages.size(); ++s)
    EXPECT_DOUBLE_EQ(r.stages[s].ready_s, r.stages[s - 1].end_s) << s;
}

// Two tensors encoded (CNNPC's two cuts): a request's bytes and correctness
// come from the probe of that pair, measured together; one tensor relayed over
// both links is one encoding, the catalog's entry for it.
class PairTable : public CutPairProber {
 public:
  const CatalogEntry* Probe(int split, int codec, int then_split, int then_codec,
                            Status*) override {
    asked.push_back({split, codec, then_split, then_codec});
    entry.sample_bytes.clear();
    entry.then_bytes.clear();
    entry.correct.clear();
    for (int i = 0; i < 30; ++i) {
      entry.sample_bytes.push_back(1000 + i);
      entry.then_bytes.push_back(2000 + i);
      entry.correct.push_back(i % 3 == 0);
    }
    return &entry;
  }
  std::vector<std::vector<int>> asked;
  CatalogEntry entry;
};

TEST_F(SitesTest, TwoEncodedCutsTakeTheirPairsBytesAndCorrectnessARelayedOneItsOwn) {
  config_.network.topology = NetworkConfig::Topology::kThreeTier;
  config_.duration_s = 10;
  devices_ = {EachLayerTakes("end", 1), EachLayerTakes("edge", 1), EachLayerTakes("cloud", 1)};
  UseTopology();
  MeasuredCompression m;
  m.codecs = {"quant:8", "prune:0.5,quant:8"};
  m.samples = 30;
  m.plain_correct.assign(30, 1);
  for (int c = 0; c < 2; ++c) {
    std::map<int, CatalogEntry>& entries = m.at_split.emplace_back();
    for (const SplitPoint& p : graph_.SplitPoints()) {
      if (p.index == graph_.size()) continue;
      for (int i = 0; i < 30; ++i) {
        entries[p.index].sample_bytes.push_back(100 * (c + 1) + i);
        entries[p.index].correct.push_back(i % 2 == c);
      }
    }
  }
  PairTable pairs;
  m.pairs = &pairs;
  config_.compression = &m;
  const std::vector<SplitPoint> points = graph_.SplitPoints();
  auto split_at = [&](int layer) {
    for (size_t k = 0; k < points.size(); ++k)
      if (points[k].index == layer) return static_cast<int>(k);
    ADD_FAILURE() << layer << " is not a split point";
    return 0;
  };
  auto send = [&](SiteId from, SiteId to, int layer, int codec, std::vector<int> deps) {
    Stage t = Transfer(from, to, 1, std::move(deps));
    t.split = split_at(layer);
    t.codec = codec;
    return t;
  };
  const int n = graph_.size();
  Plan two_cuts;
  two_cuts.stages = {Compute(0, 0, 5, {}), send(0, 1, 5, 1, {0}), Compute(1, 5, 10, {1}),
                     send(1, 2, 10, 0, {2}), Compute(2, 10, n, {3})};
  FixedPlanPolicy two_cut_policy(two_cuts);
  RunStats stats;
  const auto records = RunEngine(config_, two_cut_policy, &stats);
  ASSERT_EQ(records.size(), 10u);
  for (const RequestRecord& r : records) {
    ASSERT_TRUE(r.completed);
    EXPECT_EQ(r.bytes_sent, 1000 + r.sample);
    EXPECT_EQ(r.stages[3].stage.bytes, 2000 + r.sample);
    EXPECT_EQ(r.correct, r.sample % 3 == 0 ? 1 : 0);
    EXPECT_EQ(r.codec, "prune:0.5,quant:8;quant:8");
  }
  EXPECT_EQ(pairs.asked[0], (std::vector<int>{5, 1, 10, 0}));

  pairs.asked.clear();
  Plan relayed;
  relayed.stages = {Compute(0, 0, 5, {}), send(0, 1, 5, 1, {0}), send(1, 2, 5, 1, {1}),
                    Compute(2, 5, n, {2})};
  FixedPlanPolicy relay_policy(relayed);
  for (const RequestRecord& r : RunEngine(config_, relay_policy, &stats)) {
    EXPECT_EQ(r.bytes_sent, 200 + r.sample);
    EXPECT_EQ(r.stages[2].stage.bytes, 200 + r.sample);
    EXPECT_EQ(r.correct, r.sample % 2 == 1 ? 1 : 0);
  }
  EXPECT_TRUE(pairs.asked.empty());
}

// The first block of small_vgg (conv, relu, conv, relu, 2x2 max pool: 28 rows
// to 14) cut into four strips of pooled rows, one per device: each device
// gets its input rows with their halo, computes its strip and sends it back;
// the leader runs the rest once all four are back.
TEST_F(SitesTest, ClusterStripsOnFourDevicesRunConcurrently) {
  config_.network.topology = NetworkConfig::Topology::kCluster;
  config_.network.cluster_devices = 4;
  config_.network.lan_mbps = 1000;
  devices_ = {EachLayerTakes("leader", 1)};
  for (double ns_per_mac : {10, 20, 30, 40})
    devices_.push_back(
        DeviceModel::FromCoefficients("pi", 1, KindCoefficients{0, ns_per_mac, 0, 0}));
  UseTopology();
  const std::vector<RowRange> strips = {{0, 4}, {4, 7}, {7, 11}, {11, 14}};
  Plan plan;
  std::vector<int> gathered;
  for (SiteId device = 1; device <= 4; ++device) {
    std::vector<RowRange> produced;
    RowRange input;
    ASSERT_TRUE(StripRows(graph_, 0, 5, strips[device - 1], &produced, &input).ok());
    const int send = static_cast<int>(plan.stages.size());
    plan.stages.push_back(Transfer(0, device, StripInputBytes(graph_, 0, input), {}));
    plan.stages.push_back(Compute(device, 0, 5, {send}));
    plan.stages.back().rows = strips[device - 1];
    plan.stages.push_back(Transfer(device, 0, strips[device - 1].size() * 32 * 14 * 4, {send + 1}));
    gathered.push_back(send + 2);
  }
  plan.stages.push_back(Compute(0, 5, graph_.size(), gathered));
  const RequestRecord r = RunOne(plan);
  ASSERT_TRUE(r.completed);
  double slowest_path_ms = 0, slowest_compute_ms = 0, sum_compute_ms = 0;
  for (int d = 0; d < 4; ++d) {
    const StageRecord &in = r.stages[3 * d], &compute = r.stages[3 * d + 1],
                      &out = r.stages[3 * d + 2];
    // The two convolutions' MACs per output row (225792 and 7225344 over 28
    // rows) times the rows each computes for this strip, halo included.
    std::vector<RowRange> produced;
    RowRange input;
    ASSERT_TRUE(StripRows(graph_, 0, 5, strips[d], &produced, &input).ok());
    const double macs = 8064.0 * produced[0].size() + 258048.0 * produced[2].size();
    EXPECT_NEAR(Ms(compute), macs * 10 * (d + 1) * 1e-6, 1e-9) << d;
    sum_compute_ms += Ms(compute);
    slowest_compute_ms = std::max(slowest_compute_ms, Ms(compute));
    slowest_path_ms = std::max(slowest_path_ms, (out.end_s - in.start_s) * 1e3);
  }
  const double gather_ms = (graph_.size() - 5) * 1.0;
  EXPECT_NEAR(r.actual_ms, slowest_path_ms + gather_ms, 1e-6);
  EXPECT_GT(slowest_path_ms, slowest_compute_ms);
  EXPECT_LT(slowest_path_ms, slowest_compute_ms + 2);  // plus two LAN transfers, not the others
  EXPECT_LT(r.actual_ms, sum_compute_ms);
  EXPECT_NEAR(r.on(SiteRole::kClusterDevice).compute_ms, sum_compute_ms, 1e-9);
}

// A device that measured a strip (a profile's segment of the strip's model)
// prices that strip by its measurement, and other strips by its regression.
TEST_F(SitesTest, AMeasuredStripIsPricedByItsMeasurement) {
  const std::string dir = ::testing::TempDir();
  std::ofstream(dir + "strip.csv")
      << "device,model,layer,name,kind,input_shape,output_shape,macs,param_bytes,output_bytes,"
         "threads,repeats,median_ms,p90_ms,framework,source,kernel\n"
      << "pi,small_vgg@rows=3-5:4,-1,0-5,segment,1x1x8x28,1x32x2x14,0,0,0,1,1,4.25,5,t,s,\n";
  std::ofstream(dir + "strip.device")
      << "name,pi\ncores,1\nprofile,strip.csv\n"
      << "kind,fixed_us,ns_per_mac,ns_per_io_byte,ns_per_param_byte\n"
      << "*,1000,0,0,0\n";  // 1 ms per layer otherwise
  DeviceModel pi;
  const Status st = DeviceModel::Load(dir + "strip.device", &pi);
  ASSERT_TRUE(st.ok()) << st.message();
  Stage strip = Compute(0, 0, 5, {});
  strip.rows = {3, 5};
  double ms = 0;
  bool measured = false;
  ASSERT_TRUE(StageComputeMs(strip, graph_, pi, &ms, &measured).ok());
  EXPECT_DOUBLE_EQ(ms, 4.25);
  EXPECT_TRUE(measured);
  strip.rows = {5, 7};
  ASSERT_TRUE(StageComputeMs(strip, graph_, pi, &ms, &measured).ok());
  EXPECT_DOUBLE_EQ(ms, 5 * 1.0);
  EXPECT_FALSE(measured);
}

TEST_F(SitesTest, AStripThatIsNotOneOfTheLayersIsAClearError) {
  config_.network.topology = NetworkConfig::Topology::kCluster;
  config_.network.cluster_devices = 1;
  devices_ = {EachLayerTakes("leader", 1), EachLayerTakes("a", 1)};
  UseTopology();
  Plan plan{{Compute(1, 8, 12, {})}};  // through flatten and linear
  plan.stages[0].rows = {0, 2};
  try {
    RunOne(plan);
    ADD_FAILURE() << "a strip through flatten ran";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("layer 10 (flatten) does not compute rows"),
              std::string::npos)
        << e.what();
  }
}

// Two codecs measured at every split point: sample i sends 100 + i bytes
// with the first and 10 + i with the second.
MeasuredCompression TwoCodecs(const Graph& graph, int samples) {
  MeasuredCompression m;
  m.codecs = {"quant:8", "quant:2"};
  m.samples = samples;
  m.plain_correct.assign(samples, 1);
  for (int base : {100, 10}) {
    std::map<int, CatalogEntry>& entries = m.at_split.emplace_back();
    for (const SplitPoint& p : graph.SplitPoints()) {
      if (p.index == graph.size()) continue;
      for (int i = 0; i < samples; ++i) {
        entries[p.index].sample_bytes.push_back(base + i);
        entries[p.index].correct.push_back(1);
      }
    }
  }
  return m;
}

TEST_F(SitesTest, EachCutOfATwoCutPlanSendsItsOwnCodec) {
  config_.network.topology = NetworkConfig::Topology::kThreeTier;
  devices_ = {EachLayerTakes("end", 1), EachLayerTakes("edge", 1), EachLayerTakes("cloud", 1)};
  UseTopology();
  const MeasuredCompression m = TwoCodecs(graph_, 20);
  config_.compression = &m;
  Plan plan;
  plan.stages = {Compute(0, 0, 2, {}), Transfer(0, 1, 999, {0}), Compute(1, 2, 5, {1}),
                 Transfer(1, 2, 999, {2}), Compute(2, 5, graph_.size(), {3})};
  plan.stages[1].split = 2;  // after layer 1
  plan.stages[1].codec = 1;
  plan.stages[3].split = 5;  // after the first pooling
  plan.stages[3].codec = 0;
  const RequestRecord r = RunOne(plan);
  ASSERT_TRUE(r.completed);
  ASSERT_GE(r.sample, 0);
  EXPECT_EQ(r.stages[1].stage.bytes, 10 + r.sample);
  EXPECT_EQ(r.stages[1].codec, "quant:2");
  EXPECT_EQ(r.stages[3].stage.bytes, 100 + r.sample);
  EXPECT_EQ(r.stages[3].codec, "quant:8");
  EXPECT_EQ(r.codec, "quant:2;quant:8");
  EXPECT_EQ(r.correct, -1);                // two codecs in one pass: not what the catalog measured
  EXPECT_EQ(r.bytes_sent, 10 + r.sample);  // the end device's
  EXPECT_TRUE(r.stages.back().stage.result);  // the engine brought the result back
  EXPECT_EQ(r.stages.back().stage.site, 2);
}

TEST_F(SitesTest, TransferBetweenClusterDevicesCrossesTheLanNotTheUplink) {
  config_.network.topology = NetworkConfig::Topology::kCluster;
  config_.network.cluster_devices = 2;
  config_.network.cluster_upstream = true;
  config_.network.lan_mbps = 100;
  config_.network.uplink.capacity.constant_mbps = config_.network.downlink.capacity.constant_mbps =
      1;
  devices_ = {EachLayerTakes("leader", 1), EachLayerTakes("a", 1), EachLayerTakes("b", 1),
              EachLayerTakes("cloud", 1)};
  UseTopology();
  Plan plan;
  plan.stages = {Transfer(1, 2, 500'000, {})};
  const RequestRecord r = RunOne(plan);
  ASSERT_TRUE(r.completed);
  const double lan_ms = 500'000 * 8 / 100e3 * 1502 / 1448;  // 41 ms; the uplink: 4 s
  EXPECT_GT(Ms(r.stages[0]), lan_ms);
  EXPECT_LT(Ms(r.stages[0]), lan_ms * 1.1);
  // What device1 holds then goes back to the leader, over the LAN too.
  ASSERT_EQ(r.stages.size(), 2u);
  EXPECT_TRUE(r.stages[1].stage.result);
  EXPECT_EQ(r.stages[1].stage.site, 2);
  EXPECT_EQ(r.stages[1].stage.bytes, 500'000);
  EXPECT_LT(Ms(r.stages[1]), lan_ms * 1.1);
}

TEST_F(SitesTest, AStageOnASiteTheTopologyLacksIsAClearError) {
  devices_ = {EachLayerTakes("end", 1), EachLayerTakes("cloud", 1)};
  UseTopology();  // two-tier: sites 0 and 1
  for (const Plan& plan : {Plan{{Compute(2, 0, 3, {})}}, Plan{{Transfer(0, 7, 100, {})}},
                           Plan{{Transfer(1, 1, 100, {})}}}) {
    try {
      RunOne(plan);
      ADD_FAILURE() << "a plan on a missing site ran";
    } catch (const std::logic_error& e) {
      EXPECT_NE(std::string(e.what()).find("fixed: stage 0"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("site"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace coinfer
