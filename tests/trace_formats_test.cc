#include <gtest/gtest.h>

#include <fstream>

#include "traces/generators.h"
#include "traces/trace_loader.h"

namespace coinfer {
namespace {

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "formats_" + name;
  std::ofstream(path) << text;
  return path;
}

DeliveryTrace Load(const std::string& spec, TraceFormat format = TraceFormat::kAuto,
                   bool uplink = true) {
  TraceRequest r;
  r.spec = spec;
  r.format = format;
  r.uplink = uplink;
  r.horizon_s = 60;
  DeliveryTrace t;
  Status st = LoadTrace(r, &t);
  EXPECT_TRUE(st.ok()) << st.message();
  return t;
}

TEST(TraceFormatTest, CookedTraceKeepsItsRatesAndLength) {
  // Pensieve style: time in seconds, Mbit/s; each sample holds one interval.
  const std::string path = Write("cooked.txt", "0.0 6.0\n1.0 12.0\n2.0 0.0\n3.0 6.0\n");
  TraceFormat f;
  ASSERT_TRUE(DetectTraceFormat(path, &f).ok());
  EXPECT_EQ(f, TraceFormat::kCooked);
  const DeliveryTrace t = Load(path);
  EXPECT_EQ(t.period_ms, 4000u);
  EXPECT_NEAR(t.MeanMbps(), 6.0, 0.01);
  const auto per_second = ThroughputPerSecondMbps(t);
  ASSERT_EQ(per_second.size(), 4u);
  EXPECT_NEAR(per_second[1], 12.0, 0.02);
  EXPECT_EQ(per_second[2], 0.0);  // the outage is kept
}

TEST(TraceFormatTest, CsvTraceReadsOneColumnOrEachDirection) {
  const std::string both = Write("both.csv", "time_s,up_mbps,down_mbps\n0,2,20\n1,4,40\n");
  TraceFormat f;
  ASSERT_TRUE(DetectTraceFormat(both, &f).ok());
  EXPECT_EQ(f, TraceFormat::kCsv);
  EXPECT_NEAR(Load(both, TraceFormat::kAuto, true).MeanMbps(), 3.0, 0.01);
  EXPECT_NEAR(Load(both, TraceFormat::kAuto, false).MeanMbps(), 30.0, 0.01);
  const std::string one = Write("one.csv", "time_s,mbps\n0,8\n0.5,8\n");
  EXPECT_NEAR(Load(one, TraceFormat::kCsv).MeanMbps(), 8.0, 0.01);
}

TEST(TraceFormatTest, MahimahiIsDetected) {
  TraceFormat f;
  ASSERT_TRUE(
      DetectTraceFormat(std::string(COINFER_SOURCE_DIR) + "/traces/data/Verizon-LTE-short.up", &f)
          .ok());
  EXPECT_EQ(f, TraceFormat::kMahimahi);
}

TEST(TraceFormatTest, AmbiguousContentIsNotGuessed) {
  const std::string path = Write("ambiguous.txt", "0,5.2\n1,6.0\n");
  TraceFormat f;
  Status st = DetectTraceFormat(path, &f);
  ASSERT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find(path + ":1: format: cannot tell"), std::string::npos) << st.message();
}

struct Malformed {
  const char* name;
  TraceFormat format;
  const char* text;
  const char* expected;  // after the path
};

void PrintTo(const Malformed& m, std::ostream* os) { *os << m.name; }

class MalformedFormatTest : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedFormatTest, ErrorNamesFileLineAndField) {
  const std::string path = Write(GetParam().name, GetParam().text);
  TraceRequest r;
  r.spec = path;
  r.format = GetParam().format;
  DeliveryTrace t;
  Status st = LoadTrace(r, &t);
  ASSERT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find(path + GetParam().expected), std::string::npos) << st.message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedFormatTest,
    ::testing::Values(
        Malformed{"cooked_text", TraceFormat::kCooked, "0 1\n1 fast\n", ":2: mbps: not a number"},
        Malformed{"cooked_time", TraceFormat::kCooked, "0 1\n2 1\n1 1\n", ":3: time_s: time 1"},
        Malformed{"cooked_negative", TraceFormat::kCooked, "0 1\n1 -3\n", ":2: mbps: negative"},
        Malformed{"cooked_columns", TraceFormat::kCooked, "0 1 2\n", ":1: expected two columns"},
        Malformed{"cooked_empty", TraceFormat::kCooked, "\n", ":1: empty trace"},
        Malformed{"cooked_zero", TraceFormat::kCooked, "0 0\n1 0\n",
                  ":2: the trace carries no bytes"},
        Malformed{"csv_missing_column", TraceFormat::kCsv, "time_s,rate\n0,1\n",
                  ":1: header: no 'mbps'"},
        Malformed{"csv_bad_value", TraceFormat::kCsv, "time_s,mbps\n0,1\n1,x\n",
                  ":3: mbps: not a number"},
        Malformed{"csv_short_row", TraceFormat::kCsv, "time_s,mbps\n0\n", ":2: expected 2 columns"},
        Malformed{"mahimahi_text", TraceFormat::kMahimahi, "5\nfive\n", ":2: timestamp"}),
    [](const auto& info) { return std::string(info.param.name); });

// Cooked files that would expand without bound, or to nothing, are refused
// by name before anything is allocated: a rate of 1e300 Mbit/s, a period of
// 1e10 s, and 0.001 Mbit/s for 1 s (125 bytes, less than one packet).
TEST(TraceFormatTest, TracesOutOfBoundsAreNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {"0 1e300\n1 1\n", "packets per period, more than 2^27"},
      {"0 5\n1e10 5\n", "must be from 1 ms to 7 days"},
      {"0 0.001\n1 0.001\n", "less than one 1500-byte packet"},
      {"0 5\n0.0004 5\n", "must be from 1 ms to 7 days"}};
  int i = 0;
  for (const auto& [text, reason] : cases) {
    const std::string path = Write("bounds" + std::to_string(i++), text);
    TraceRequest r;
    r.spec = path;
    r.format = TraceFormat::kCooked;
    DeliveryTrace t;
    const Status st = LoadTrace(r, &t);
    ASSERT_TRUE(st.IsInvalidInput()) << text;
    EXPECT_NE(st.message().find(path + ": trace: '" + path + "': "), std::string::npos)
        << st.message();
    EXPECT_NE(st.message().find(reason), std::string::npos) << st.message();
  }
}

TEST(GeneratorTest, StepScheduleHoldsEachRateUntilTheNext) {
  const DeliveryTrace t = Load("step:12Mbps@0s,3Mbps@10s");
  const auto bins = ThroughputPerSecondMbps(t);
  ASSERT_EQ(bins.size(), 60u);
  EXPECT_NEAR(bins[5], 12.0, 0.02);
  EXPECT_NEAR(bins[30], 3.0, 0.02);
}

TEST(GeneratorTest, ConstantAndWalk) {
  EXPECT_NEAR(Load("constant:10Mbps").MeanMbps(), 10.0, 0.01);
  RateSchedule a, b, c;
  ASSERT_TRUE(GenerateSchedule("walk:1,5,10@2s", 100, 7, "", &a).ok());
  ASSERT_TRUE(GenerateSchedule("walk:1,5,10@2s", 100, 7, "", &b).ok());
  ASSERT_TRUE(GenerateSchedule("walk:1,5,10@2s", 100, 8, "", &c).ok());
  EXPECT_EQ(a.rate_mbps, b.rate_mbps);
  EXPECT_NE(a.rate_mbps, c.rate_mbps);
  ASSERT_EQ(a.rate_mbps.size(), 50u);
  for (size_t i = 1; i < a.rate_mbps.size(); ++i) {
    EXPECT_NE(a.rate_mbps[i], a.rate_mbps[i - 1]);  // one level every step
    EXPECT_FALSE(a.rate_mbps[i] == 1 && a.rate_mbps[i - 1] == 10);
    EXPECT_FALSE(a.rate_mbps[i] == 10 && a.rate_mbps[i - 1] == 1);
  }
}

// Only what falls inside the run counts: a step after the horizon neither
// hides a rate that would expand without bound nor empties a schedule; a
// walk may not take more than 2^24 dwells.
TEST(GeneratorTest, StepsAfterTheHorizonAndEndlessWalksAreBounded) {
  TraceRequest r;
  r.where = "s.ini:4";
  r.horizon_s = 120;
  r.spec = "step:1e6Mbps@0s,1999999Mbps@240s";  // mean over 240 s: 1 Mbit/s
  DeliveryTrace t;
  Status st = LoadTrace(r, &t);
  ASSERT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find("more than 2^27"), std::string::npos) << st.message();
  r.horizon_s = 20;
  r.spec = "step:1Mbps@0s,100Mbps@30s";  // 1 Mbit/s for the whole run
  st = LoadTrace(r, &t);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_NEAR(ComputeTraceStats(t).mean_mbps, 1.0, 0.01);
  RateSchedule s;
  st = GenerateSchedule("walk:1Mbps,2Mbps@0.001s", 7 * 24 * 3600.0, 1, "s.ini:4", &s);
  ASSERT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find("more than 2^24 dwells"), std::string::npos) << st.message();
}

TEST(GeneratorTest, BadSpecsNameWhereTheyWereWritten) {
  RateSchedule s;
  for (const char* spec : {"constant:-1", "step:5@3s", "step:5@0s,2@0s", "walk:5@1s", "walk:1,2"}) {
    Status st = GenerateSchedule(spec, 60, 1, "s.ini:4", &s);
    ASSERT_TRUE(st.IsInvalidInput()) << spec;
    EXPECT_EQ(st.message().rfind("s.ini:4: trace: '", 0), 0u) << st.message();
  }
}

}  // namespace
}  // namespace coinfer
