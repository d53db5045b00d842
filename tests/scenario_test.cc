// The scenario reader on its own: a complete config from the file and --set,
// the topology's sites with their devices, and errors that say where.
#include "run/scenario.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace coinfer {
namespace {

namespace fs = std::filesystem;

// Writes `text` as a scenario in a folder of this test's own; returns its path.
std::string WriteScenario(const std::string& name, const std::string& text) {
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("coinfer_scenario_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / (name + ".ini")).string();
  std::ofstream(path) << text;
  return path;
}

Status Load(const std::string& name, const std::string& text, Scenario* sc,
            const std::vector<std::string>& overrides = {}) {
  return LoadScenario(WriteScenario(name, text), overrides, sc);
}

std::string Device(const std::string& name) {
  return DataDir() + "/devices/data/" + name + ".device";
}

// Results with nowhere to go would be lost after the whole simulation.
TEST(ScenarioTest, AnEmptyResultsPathIsRefused) {
  Scenario sc;
  const Status st = Load("nodb", "model = small_vgg\noutput.db =\n", &sc);
  ASSERT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find("nodb.ini:2: output.db: must name a file"), std::string::npos)
      << st.message();
}

// '#' starts a comment anywhere, after a section name too.
TEST(ScenarioTest, ACommentMayFollowASection) {
  Scenario sc;
  const Status st = Load("comment", "model = small_vgg\n[uplink]  # LTE\nmbps = 7 # fast\n", &sc);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(sc.engine.network.uplink.capacity.constant_mbps, 7);
}

// A byte order mark is skipped; a directory is not a scenario.
TEST(ScenarioTest, AByteOrderMarkIsSkippedAndADirectoryIsRefused) {
  Scenario sc;
  const Status st = Load("bom", "\xEF\xBB\xBFmodel = small_resnet\n", &sc);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(sc.model, "small_resnet");
  const std::string dir = ::testing::TempDir();
  const Status not_file = LoadScenario(dir, {}, &sc);
  ASSERT_TRUE(not_file.IsInvalidInput());
  EXPECT_NE(not_file.message().find("is a directory"), std::string::npos) << not_file.message();
}

TEST(ScenarioTest, ThreeTierSitesGetTheirDevicesAndLoads) {
  Scenario sc;
  const Status st = Load("three",
                         "topology = three-tier\n[device]\nend = mi8\nedge = edge\n"
                         "cloud = cloud\nedge_load = 0.25\n",
                         &sc);
  ASSERT_TRUE(st.ok()) << st.message();
  const std::vector<Site>& sites = sc.engine.sites;
  ASSERT_EQ(sites.size(), 3u);
  EXPECT_EQ(sites[0].name, "end");
  EXPECT_EQ(sites[1].name, "edge");
  EXPECT_EQ(sites[1].role, SiteRole::kEdge);
  EXPECT_EQ(sites[2].role, SiteRole::kCloud);
  EXPECT_EQ(sc.site_device_files,
            (std::vector<std::string>{Device("mi8"), Device("edge"), Device("cloud")}));
  EXPECT_EQ(sites[1].load, 0.25);
  EXPECT_EQ(sites[0].load, 0);
}

TEST(ScenarioTest, ClusterDevicesTakeOneModelForAllOrOneEach) {
  Scenario sc;
  Status st =
      Load("one", "topology = cluster\n[cluster]\ndevices = 3\ndevice_models = pi3bplus\n", &sc);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(sc.engine.sites.size(), 5u);  // leader, three devices, cloud
  EXPECT_EQ(sc.engine.sites[3].name, "device2");
  EXPECT_EQ(sc.site_device_files[0], Device("pi4b"));  // the leader is device.end
  EXPECT_EQ(sc.site_device_files[3], Device("pi3bplus"));
  st = Load("each",
            "topology = cluster\npolicies = device-only\n[cluster]\ndevices = 2\ndevice_models = "
            "pi4b, mi8\n"
            "upstream = false\n",
            &sc);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(sc.engine.sites.size(), 3u);  // no cloud
  EXPECT_EQ(sc.site_device_files[2], Device("mi8"));
  EXPECT_EQ(sc.policies, std::vector<std::string>{"device-only"});
}

TEST(ScenarioTest, ErrorsNameTheLineOrTheOverrideAndTheKey) {
  Scenario sc;
  const std::string three = "topology = cluster\n[cluster]\ndevices = 3\ndevice_models = a, b\n";
  Status st = Load("count", three, &sc);
  EXPECT_NE(st.message().find("count.ini:4: cluster.device_models: expected one model or 3 "
                              "(cluster.devices), got 2"),
            std::string::npos)
      << st.message();
  st = Load("override", "model = small_vgg\n", &sc, {"device.edge_load=1.5"});
  EXPECT_EQ(st.message(), "--set: device.edge_load: must be in [0, 1)");
  st = Load("nan", "model = small_vgg\n", &sc, {"cluster.device_load=nan"});
  EXPECT_EQ(st.message(), "--set: cluster.device_load: must be a finite number");
  st = Load("policy", "model = small_vgg\n\npolicies = dads, neurosurgeon@objective=heat\n", &sc);
  EXPECT_NE(st.message().find("policy.ini:3: policies: neurosurgeon@objective=heat: objective must "
                              "be one of latency, energy, got 'heat'"),
            std::string::npos)
      << st.message();
  st = Load("cross", "topology = three-tier\ncross = end>moon:bulk@1s-2s\n", &sc);
  EXPECT_NE(st.message().find("cross.ini:2: cross: flow 'end>moon:bulk@1s-2s': unknown"),
            std::string::npos)
      << st.message();
  st = Load("unknown", "model = small_vgg\ndevice.phone = mi8\n", &sc);
  EXPECT_NE(st.message().find("unknown.ini:2: device.phone: unknown key"), std::string::npos)
      << st.message();
}

TEST(ScenarioTest, CrossTrafficAndPoliciesNameSitesAndParameters) {
  Scenario sc;
  const Status st = Load("names",
                         "topology = three-tier\ncross = edge>cloud:bulk@1s-2s,cloud>end:constant:"
                         "2Mbps@0s-3s\npolicies = jmdc@accuracy=0.9,neurosurgeon\n"
                         "[compression]\ncodec = quant:8\n",
                         &sc, {"model=small_vgg"});
  ASSERT_TRUE(st.ok()) << st.message();
  const auto& cross = sc.engine.network.cross_traffic;
  ASSERT_EQ(cross.size(), 2u);
  EXPECT_EQ(cross[0].from, 1);  // edge
  EXPECT_EQ(cross[0].to, 2);    // cloud
  EXPECT_EQ(cross[1].from, 2);
  EXPECT_EQ(cross[1].to, 0);
  EXPECT_EQ(sc.policies, (std::vector<std::string>{"jmdc@accuracy=0.9", "neurosurgeon"}));
}

}  // namespace
}  // namespace coinfer
