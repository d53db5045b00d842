// Sweep files expanded into points, shards, and the run key that lets a
// sweep recognise a stored point.
#include "run/sweep.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "run/scenario.h"
#include "tests/scratch_dir.h"

namespace coinfer {
namespace {

namespace fs = std::filesystem;

std::string Scratch() { return ScratchDirFor("sweep"); }

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = Scratch() + name;
  std::ofstream(path) << text;
  return path;
}

using Values = std::vector<std::vector<std::string>>;

Status Load(const std::string& text, Sweep* sweep) {
  return LoadSweep(Write("sweep.ini", text), sweep);
}

// Nested loops in file order, written out by hand.
TEST(SweepTest, PointsAreTheProductFirstAxisSlowest) {
  Sweep sweep;
  ASSERT_TRUE(Load("scenario = base.ini  # the base\n"
                   "duration_s = 30\n"
                   "sweep.seed = 1..3\n"
                   "# a comment line\n"
                   "sweep.arrival.rate_per_s = 0.5, 2\n",
                   &sweep)
                  .ok());
  EXPECT_EQ(sweep.scenario, Scratch() + "base.ini");
  const std::vector<SweepPoint> points = ExpandSweep(sweep);
  const std::vector<std::vector<std::string>> expected = {
      {"duration_s=30", "seed=1", "arrival.rate_per_s=0.5"},
      {"duration_s=30", "seed=1", "arrival.rate_per_s=2"},
      {"duration_s=30", "seed=2", "arrival.rate_per_s=0.5"},
      {"duration_s=30", "seed=2", "arrival.rate_per_s=2"},
      {"duration_s=30", "seed=3", "arrival.rate_per_s=0.5"},
      {"duration_s=30", "seed=3", "arrival.rate_per_s=2"}};
  ASSERT_EQ(points.size(), expected.size());
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(points[i].index, static_cast<int64_t>(i));
    EXPECT_EQ(points[i].overrides, expected[i]) << i;
  }
}

// Policy lists hold commas: with a '|' the commas stay inside values.
TEST(SweepTest, BarsSeparateValuesThatHoldCommas) {
  Sweep sweep;
  ASSERT_TRUE(Load("scenario = b.ini\nsweep.policies = cic,dads | neurosurgeon\n", &sweep).ok());
  ASSERT_EQ(sweep.axes.size(), 1u);
  EXPECT_EQ(sweep.axes[0].values, (Values{{"cic,dads"}, {"neurosurgeon"}}));
  ASSERT_TRUE(Load("scenario = b.ini\nsweep.policies = cic,dads\n", &sweep).ok());
  EXPECT_EQ(sweep.axes[0].values, (Values{{"cic"}, {"dads"}}));
}

// An uplink trace goes with its downlink: one axis, not two.
TEST(SweepTest, KeysJoinedByPlusMoveTogether) {
  Sweep sweep;
  ASSERT_TRUE(Load("scenario = b.ini\n"
                   "sweep.uplink.trace+downlink.trace = a.up + a.down | b.up+b.down\n"
                   "sweep.seed = 1, 2\n",
                   &sweep)
                  .ok());
  const std::vector<SweepPoint> points = ExpandSweep(sweep);
  const std::vector<std::vector<std::string>> expected = {
      {"uplink.trace=a.up", "downlink.trace=a.down", "seed=1"},
      {"uplink.trace=a.up", "downlink.trace=a.down", "seed=2"},
      {"uplink.trace=b.up", "downlink.trace=b.down", "seed=1"},
      {"uplink.trace=b.up", "downlink.trace=b.down", "seed=2"}};
  ASSERT_EQ(points.size(), expected.size());
  for (size_t i = 0; i < points.size(); ++i) EXPECT_EQ(points[i].overrides, expected[i]) << i;
  const Status st =
      Load("scenario = b.ini\nsweep.uplink.trace+downlink.trace = a.up | b\n", &sweep);
  ASSERT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find(":2: sweep.uplink.trace+downlink.trace: 'a.up': expected 2 values "
                              "joined by '+'"),
            std::string::npos)
      << st.message();
}

// Two dots make a range only between integers: relative paths stay paths.
TEST(SweepTest, PathsWithDotsAreValuesNotRanges) {
  Sweep sweep;
  ASSERT_TRUE(Load("scenario = b.ini\nsweep.uplink.trace = ../a.up | ../../b.up\n"
                   "sweep.seed = 2..4\n",
                   &sweep)
                  .ok());
  EXPECT_EQ(sweep.axes[0].values, (Values{{"../a.up"}, {"../../b.up"}}));
  EXPECT_EQ(sweep.axes[1].values, (Values{{"2"}, {"3"}, {"4"}}));
}

TEST(SweepTest, BadLinesAreNamedWithFileLineAndKey) {
  const std::string file = Scratch() + "sweep.ini";
  struct Case {
    std::string text;
    std::string message;
  } cases[] = {
      {"scenario = b.ini\nsweep.seed = 3..1\n", file + ":2: sweep.seed: bad range '3..1'"},
      {"scenario = b.ini\nsweep.seed =\n", file + ":2: sweep.seed: no values"},
      {"scenario = b.ini\nsweep.uplink.trace+downlink.trace = a.up+ | b.up+b.down\n",
       file + ":2: sweep.uplink.trace+downlink.trace: 'a.up+': expected 2 values"},
      {"scenario = b.ini\nsweep. = 1\n", file + ":2: sweep.: names no key"},
      {"scenario = b.ini\nsweep.seed = 0..999998, 0..999998\n",
       file + ":2: sweep.seed: bad range '0..999998'"},
      {"scenario = b.ini\nsweep.seed = 1,,2\n", file + ":2: sweep.seed: empty value"},
      {"scenario = b.ini\nseed = 1\nsweep.seed = 2,3\n", file + ":3: sweep.seed: seed set twice"},
      {"scenario = b.ini\n[uplink]\n", file + ":2: a sweep file has no sections"},
      {"scenario = b.ini\nseed\n", file + ":2: expected KEY = VALUE"},
      {"sweep.seed = 1..2\n", file + ": scenario: missing"},
      {"scenario = b.ini\nsweep.seed = 0..999\nsweep.duration_s = 0..9999\n",
       file + ":3: sweep.duration_s: the sweep would have more than 1000000 points"},
  };
  for (const Case& c : cases) {
    Sweep sweep;
    const Status st = Load(c.text, &sweep);
    ASSERT_TRUE(st.IsInvalidInput()) << c.text;
    EXPECT_NE(st.message().find(c.message), std::string::npos) << st.message();
  }
}

// Shards partition the points, every N-th one, each in exactly one shard.
TEST(SweepTest, ShardsTakeEveryNthPointAndTogetherAllOfThem) {
  Sweep sweep;
  ASSERT_TRUE(Load("scenario = b.ini\nsweep.seed = 0..6\n", &sweep).ok());
  const std::vector<SweepPoint> all = ExpandSweep(sweep);
  const std::vector<std::vector<int64_t>> expected = {{0, 3, 6}, {1, 4}, {2, 5}};
  for (int64_t k = 1; k <= 3; ++k) {
    std::vector<int64_t> got;
    for (const SweepPoint& p : ShardPoints(all, k, 3)) got.push_back(p.index);
    EXPECT_EQ(got, expected[k - 1]) << k;
  }
  int64_t k = 0, n = 0;
  EXPECT_TRUE(ParseShard("2/3", &k, &n).ok());
  EXPECT_EQ(k, 2);
  EXPECT_EQ(n, 3);
  for (const char* bad : {"0/3", "4/3", "3", "a/b", "-1/2", "1/0"})
    EXPECT_TRUE(ParseShard(bad, &k, &n).IsInvalidInput()) << bad;
}

// The key changes with what changes the results, and only with that.
TEST(RunKeyTest, FollowsSettingsAndInputContentsNotTheOutputPath) {
  const std::string source = COINFER_SOURCE_DIR;
  const std::string trace = Scratch() + "link.up";
  fs::copy_file(source + "/traces/data/Verizon-LTE-short.up", trace,
                fs::copy_options::overwrite_existing);
  const std::string scenario = Write("key.ini",
                                     "model = small_vgg\nduration_s = 5\n"
                                     "[uplink]\ntrace = link.up\n");
  auto key = [&](const std::vector<std::string>& overrides) {
    Scenario sc;
    const Status st = LoadScenario(scenario, overrides, &sc);
    EXPECT_TRUE(st.ok()) << st.message();
    return sc.run_key;
  };
  const std::string base = key({});
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(key({}), base);
  EXPECT_EQ(key({"output.db=" + Scratch() + "elsewhere.sqlite"}), base);
  EXPECT_NE(key({"seed=2"}), base);
  EXPECT_NE(key({"device.end=pi4b"}), key({"device.end=mi8"}));
  // Every key's value counts, whatever its type and however close.
  EXPECT_NE(key({"compression.samples=10"}), key({"compression.samples=20"}));
  EXPECT_NE(key({"arrival.rate_per_s=1.0000001"}), key({"arrival.rate_per_s=1.0000002"}));
  EXPECT_NE(key({"duration_s=1000000"}), key({"duration_s=1000001"}));
  std::ofstream(trace, std::ios::app) << "1000000\n";  // one more delivery opportunity
  EXPECT_NE(key({}), base);
}

}  // namespace
}  // namespace coinfer
