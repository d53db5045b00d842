// The comparison report against its database: every number in the Markdown
// table recomputed with SQL and a hand-typed Student-t quantile, the notes
// of a partial sweep, and the HTML page rendered by a real browser.
#include "analysis/report.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "analysis/rate_accuracy.h"
#include "analysis/report_html.h"
#include "base/parse.h"
#include "compress/catalog.h"
#include "run/result_store.h"
#include "tests/scratch_dir.h"

namespace coinfer {
namespace {

namespace fs = std::filesystem;

std::string Scratch() { return ScratchDirFor("report"); }

// Runs of two policies: "fast" (no accuracy measured, no probes, unknown
// power) and "slow" (with; its probes only when `probing`). Point 0 (rate 2)
// has seeds 1, 2, 3; point 1 (rate 5) seeds 1, 2 only, as a sweep
// interrupted before its last run.
std::string FixtureDatabase(bool probing = true) {
  const std::string path = Scratch() + (probing ? "fixture.sqlite" : "unprobed.sqlite");
  fs::remove(path);
  std::unique_ptr<ResultStore> store;
  EXPECT_TRUE(ResultStore::Open(path, &store).ok());
  for (const int rate : {2, 5}) {
    for (int seed = 1; seed <= (rate == 2 ? 3 : 2); ++seed) {
      RunInfo info;
      info.resolved_settings = "model = small_vgg\narrival.rate_per_s = " + std::to_string(rate) +
                               "\nseed = " + std::to_string(seed) + "\noutput.db = x.sqlite";
      info.seed = seed;
      int64_t run = 0;
      EXPECT_TRUE(store->BeginRun(info, &run).ok());
      for (const std::string policy : {"fast", "slow"}) {
        std::vector<RequestRecord> records(6);
        for (int i = 0; i < 6; ++i) {
          RequestRecord& r = records[i];
          r.id = i;
          r.arrival_s = i / double(rate) + 0.01 * seed;
          r.decision_wall_us = 3 + i + seed;
          r.bytes_sent = policy == "fast" ? 0 : 1000 * (i + seed);
          r.predicted_ms = 10 * (i + 1);
          r.uplink_estimate_mbps = 5 + i;
          if (policy == "slow") r.uplink_capacity_mbps = 4 + seed;
          r.completed = i < 5;  // the last one unfinished
          r.actual_ms =
              r.completed ? (policy == "fast" ? 7 + seed * i : 40 + 3 * i * i + seed) : -1;
          if (policy == "slow") r.correct = (i + seed) % 3 != 0;
        }
        RunStats stats;
        stats.probe_energy_j = -1;
        if (policy == "slow" && probing) {
          stats.probes = seed + rate;
          stats.probe_bytes = 65536 * stats.probes;
          stats.probe_energy_j = 0.3 * stats.probes;
        }
        EXPECT_TRUE(store->AddRequests(run, policy, records, stats).ok());
      }
      EXPECT_TRUE(store->CommitRun(run).ok());
    }
  }
  return path;
}

// One value per run from SQL (?1 run_id, ?2 policy); NaN for NULL.
double PerRun(sqlite3* db, const std::string& sql, int64_t run, const std::string& policy) {
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
  sqlite3_bind_int64(s, 1, run);
  sqlite3_bind_text(s, 2, policy.c_str(), -1, SQLITE_TRANSIENT);
  double v = NAN;
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
    v = sqlite3_column_double(s, 0);
  sqlite3_finalize(s);
  return v;
}

// The median of the run's completed latencies, as numpy computes it.
double Median(sqlite3* db, int64_t run, const std::string& policy) {
  std::vector<double> v;
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT actual_ms FROM requests WHERE run_id = ?1 AND policy = ?2 AND "
                     "completed = 1 ORDER BY actual_ms",
                     -1, &s, nullptr);
  sqlite3_bind_int64(s, 1, run);
  sqlite3_bind_text(s, 2, policy.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(s) == SQLITE_ROW) v.push_back(sqlite3_column_double(s, 0));
  sqlite3_finalize(s);
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Student's t, 0.975 quantile, by degrees of freedom (from tables).
const std::map<int, double> kT975 = {{1, 12.706204736174707}, {2, 4.302652729911275}};

struct Cell {
  double mean = NAN, ci = 0;
  bool present = false;
};

Cell ParseCell(const std::string& text) {
  Cell c;
  if (text == "-") return c;
  c.present = true;
  const size_t pm = text.find("±");
  c.mean = std::stod(text.substr(0, pm));
  if (pm != std::string::npos) c.ci = std::stod(text.substr(pm + std::string("±").size()));
  return c;
}

TEST(ReportTest, MarkdownNumbersAreSqlOnTheDatabase) {
  const std::string path = FixtureDatabase();
  Report report;
  ASSERT_TRUE(BuildReport(path, &report).ok());
  std::ostringstream md;
  WriteReportMarkdown(report, md);

  // The table's rows by (point, policy), its cells by header.
  std::vector<std::string> header;
  std::map<std::pair<int, std::string>, std::map<std::string, std::string>> table;
  for (const std::string& line : SplitFields(md.str(), '\n')) {
    if (line.rfind("| point | policy", 0) == 0)
      for (const std::string& h : SplitFields(line.substr(1, line.size() - 2), '|'))
        header.push_back(Trim(h));
    if (header.empty() || line.rfind("| ", 0) != 0 || line.rfind("| point", 0) == 0) continue;
    const std::vector<std::string> cells = SplitFields(line.substr(1, line.size() - 2), '|');
    ASSERT_EQ(cells.size(), header.size()) << line;
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < cells.size(); ++i) row[header[i]] = Trim(cells[i]);
    table[{std::stoi(row["point"]), row["policy"]}] = row;
  }
  ASSERT_EQ(table.size(), 4u) << md.str();

  struct Figure {
    const char* header;
    std::string sql;  // per run; empty: the median
    int decimals;
    double scale;
  };
  const std::string of = " FROM requests WHERE run_id = ?1 AND policy = ?2";
  const std::string runs_of = " FROM policy_runs WHERE run_id = ?1 AND policy = ?2";
  const Figure figures[] = {
      {"requests", "SELECT COUNT(*)" + of, 1, 1},
      {"done", "SELECT COUNT(*)" + of + " AND completed = 1", 1, 1},
      {"req/s",
       "SELECT COUNT(*) / (MAX(arrival_s + actual_ms / 1000.0) - (SELECT MIN(arrival_s)" + of +
           "))" + of + " AND completed = 1",
       3, 1},
      {"mean ms", "SELECT AVG(actual_ms)" + of + " AND completed = 1", 2, 1},
      {"p50 ms", "", 2, 1},
      {"bytes/req", "SELECT AVG(bytes_sent)" + of, 0, 1},
      {"top-1 %", "SELECT AVG(correct)" + of + " AND correct IS NOT NULL", 2, 100},
      {"decide µs", "SELECT AVG(decision_wall_us)" + of, 1, 1},
      {"pred err ms", "SELECT AVG(ABS(predicted_ms - actual_ms))" + of + " AND completed = 1", 2,
       1},
      {"pred err %",
       "SELECT AVG(ABS(predicted_ms - actual_ms) / actual_ms)" + of + " AND completed = 1", 1, 100},
      {"probe kB", "SELECT probe_bytes / 1000.0" + runs_of, 1, 1},
      {"probe J", "SELECT probe_energy_j" + runs_of, 2, 1},
  };
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  for (int point = 0; point < 2; ++point) {
    std::vector<int64_t> runs;  // the point's runs: rate 2 are runs 1-3, rate 5 runs 4-5
    for (int64_t r = point == 0 ? 1 : 4; r <= (point == 0 ? 3 : 5); ++r) runs.push_back(r);
    for (const std::string policy : {"fast", "slow"}) {
      auto& row = table[{point, policy}];
      EXPECT_EQ(row["runs"], std::to_string(runs.size()));
      for (const Figure& f : figures) {
        std::vector<double> values;
        for (const int64_t run : runs) {
          const double v = f.sql.empty() ? Median(db, run, policy) : PerRun(db, f.sql, run, policy);
          if (!std::isnan(v)) values.push_back(v * f.scale);
        }
        const Cell cell = ParseCell(row[f.header]);
        const std::string what = std::to_string(point) + " " + policy + " " + f.header;
        ASSERT_EQ(cell.present, !values.empty()) << what;
        if (values.empty()) continue;
        double mean = 0, squares = 0;
        for (const double v : values) mean += v / values.size();
        for (const double v : values) squares += (v - mean) * (v - mean);
        const double ci = kT975.at(int(values.size()) - 1) *
                          std::sqrt(squares / (values.size() - 1)) / std::sqrt(values.size());
        const double rounding = 0.5 * std::pow(10, -f.decimals) + 1e-9;
        EXPECT_NEAR(cell.mean, mean, rounding) << what;
        EXPECT_NEAR(cell.ci, ci, rounding) << what;
      }
    }
  }
  sqlite3_close(db);
  EXPECT_EQ(report.points[0].label, "arrival.rate_per_s=2");
  EXPECT_EQ(report.points[1].label, "arrival.rate_per_s=5");
}

// A run where no policy probed has no probe columns to read.
TEST(ReportTest, ProbeColumnsAppearOnlyWhenSomePolicyProbed) {
  for (const bool probing : {false, true}) {
    Report report;
    ASSERT_TRUE(BuildReport(FixtureDatabase(probing), &report).ok());
    std::ostringstream md;
    WriteReportMarkdown(report, md);
    EXPECT_EQ(md.str().find("| probe kB | probe J |") != std::string::npos, probing) << md.str();
    std::ostringstream csv;
    WriteReportCsv(report, csv);
    EXPECT_NE(csv.str().find(",probe_bytes,probe_bytes_ci95,probe_bytes_n"), std::string::npos);
  }
  // A file of schema version 5, from before probes, is reported as it is.
  const std::string old = FixtureDatabase(false);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(old.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "ALTER TABLE sites DROP COLUMN host_slowdown; "
                         "ALTER TABLE policy_runs DROP COLUMN probes; ALTER TABLE policy_runs DROP "
                         "COLUMN probe_bytes; ALTER TABLE policy_runs DROP COLUMN probe_energy_j; "
                         "PRAGMA user_version = 5;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  Report report;
  const Status st = BuildReport(old, &report);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(report.rows.size(), 4u);
  EXPECT_EQ(report.rows[0].probe_bytes.mean, 0);
}

// Labels name what differs between points, paths by their file name when
// that is enough to tell them apart.
TEST(ReportTest, PointsAreLabelledByTheSettingsThatDiffer) {
  auto labels = [](const std::vector<std::string>& settings) {
    const std::string path = Scratch() + "labels.sqlite";
    fs::remove(path);
    std::unique_ptr<ResultStore> store;
    EXPECT_TRUE(ResultStore::Open(path, &store).ok());
    for (const std::string& text : settings) {
      RunInfo info;
      info.resolved_settings = text;
      int64_t run = 0;
      EXPECT_TRUE(store->BeginRun(info, &run).ok());
      EXPECT_TRUE(store->CommitRun(run).ok());
    }
    Report report;
    EXPECT_TRUE(BuildReport(path, &report).ok());
    std::vector<std::string> out;
    for (const ReportPoint& p : report.points) out.push_back(p.label);
    return out;
  };
  EXPECT_EQ(labels({"m = a\nt = x/one.up\nseed = 1", "m = a\nt = y/two.up\nseed = 1",
                    "m = a\nt = x/one.up\nseed = 2"}),
            (std::vector<std::string>{"t=one.up", "t=two.up"}));
  EXPECT_EQ(labels({"m = a\nt = x/one.up", "m = a\nt = y/one.up"}),
            (std::vector<std::string>{"t=x/one.up", "t=y/one.up"}));
  EXPECT_EQ(labels({"m = a\nt = 1", "m = b\nt = 1"}), (std::vector<std::string>{"m=a", "m=b"}));
  EXPECT_EQ(labels({"m = a"}), (std::vector<std::string>{"all runs"}));
}

// Anything but a results database is named, never reported as empty.
TEST(ReportTest, AFileThatIsNotAResultsDatabaseIsRefusedByName) {
  const std::string text = Scratch() + "notes.sqlite";
  std::ofstream(text) << "not a database\n";
  Report report;
  Status st = BuildReport(text, &report);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(text + ": not a coinfer results database"), std::string::npos)
      << st.message();
  const std::string other = Scratch() + "other.sqlite";
  fs::remove(other);
  sqlite3* db = nullptr;
  sqlite3_open(other.c_str(), &db);
  sqlite3_exec(db, "CREATE TABLE mine (x)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  st = BuildReport(other, &report);
  EXPECT_NE(st.message().find(other + ": not a coinfer results database"), std::string::npos)
      << st.message();
}

// An interrupted sweep: the report says which point has fewer runs.
TEST(ReportTest, APartialDatabaseSaysWhatIsMissing) {
  Report report;
  ASSERT_TRUE(BuildReport(FixtureDatabase(), &report).ok());
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_EQ(report.notes[0],
            "point 1 (arrival.rate_per_s=5): 2 runs (seeds 1, 2), other points have up to 3");
  std::ostringstream csv;
  WriteReportCsv(report, csv);
  EXPECT_NE(csv.str().find("\n1,\"arrival.rate_per_s=5\",\"slow\",2,"), std::string::npos)
      << csv.str();
}

// A catalog of three small_vgg entries and one of another model, each on
// four samples, and a database of one run that compressed with it.
const char kWeights[] = "0123456789abcdef";
std::string RateFixture(std::string* catalog) {
  *catalog = Scratch() + "catalog.sqlite";
  fs::remove(*catalog);
  std::unique_ptr<CompressionCatalog> cat;
  EXPECT_TRUE(CompressionCatalog::Open(*catalog, &cat).ok());
  auto entry = [](const std::string& model, int split, const std::string& codec,
                  std::vector<int64_t> bytes, std::vector<uint8_t> correct) {
    CatalogEntry e;
    // The catalog keys entries by weights: another model has others.
    e.key = {model, model == "small_vgg" ? kWeights : "fedcba9876543210", "fashion-mnist", split,
             codec};
    e.raw_bytes = 4096;
    e.sample_bytes = std::move(bytes);
    e.correct = std::move(correct);
    e.agrees = e.correct;
    e.validation_correct = {1, 1};
    return e;
  };
  EXPECT_TRUE(cat->Put({entry("small_vgg", 2, "quant:8", {100, 200, 300, 400}, {1, 1, 0, 1}),
                        entry("small_vgg", 2, "quant:4", {50, 50, 60, 40}, {1, 0, 0, 1}),
                        entry("small_vgg", 5, "none", {1000, 1000, 1000, 1000}, {1, 1, 1, 1}),
                        entry("vgg16", 2, "quant:8", {9, 9, 9, 9}, {1, 1, 1, 1})})
                  .ok());
  // Entries runs no longer use are not curves: one without its validation
  // measured, one of an older codec version.
  CatalogEntry unvalidated = entry("small_vgg", 2, "fp16", {8, 8, 8, 8}, {1, 1, 1, 1});
  unvalidated.validation_correct.clear();
  EXPECT_TRUE(
      cat->Put({unvalidated, entry("small_vgg", 2, "quant:2", {7, 7, 7, 7}, {1, 1, 1, 1})}).ok());
  cat.reset();
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(catalog->c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "UPDATE catalog SET codec_version = 0 WHERE codec = 'quant:2'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const std::string path = Scratch() + "compressed.sqlite";
  fs::remove(path);
  std::unique_ptr<ResultStore> store;
  EXPECT_TRUE(ResultStore::Open(path, &store).ok());
  RunInfo info;
  info.resolved_settings =
      "model = small_vgg\ncompression.codec = quant:8\ncompression.menu = "
      "\ncompression.catalog = " +
      *catalog + "\nseed = 1";
  int64_t run = 0;
  EXPECT_TRUE(store->BeginRun(info, &run).ok());
  std::vector<RequestRecord> records(2);
  records[1].id = 1;
  EXPECT_TRUE(store->AddRequests(run, "cloud-only", records, RunStats{}).ok());
  EXPECT_TRUE(store->CommitRun(run).ok());
  return path;
}

TEST(ReportTest, RateAccuracyIsTheCatalogsMeasurementsOfTheRunsModel) {
  std::string catalog;
  Report report;
  ASSERT_TRUE(BuildReport(RateFixture(&catalog), &report).ok());
  RateAccuracy rate;
  ASSERT_TRUE(ReadRateAccuracy("", &report, &rate).ok());  // found through the runs' settings
  EXPECT_EQ(rate.catalog, catalog);
  std::ostringstream md;
  WriteRateAccuracyMarkdown(rate, md);
  // Means and top-1 of the samples above, by hand; per split, fewer bytes first; no vgg16.
  const std::string rows =
      "| small_vgg | 01234567 | fashion-mnist | 2 | quant:4 | 4 | 50.0 | 50.00 |\n"
      "| small_vgg | 01234567 | fashion-mnist | 2 | quant:8 | 4 | 250.0 | 75.00 |\n"
      "| small_vgg | 01234567 | fashion-mnist | 5 | none | 4 | 1000.0 | 100.00 |\n";
  EXPECT_NE(md.str().find(rows), std::string::npos) << md.str();
  EXPECT_EQ(md.str().find("vgg16"), std::string::npos);
  EXPECT_EQ(md.str().find("fp16"), std::string::npos);
  EXPECT_EQ(md.str().find("quant:2"), std::string::npos);
  std::ostringstream csv;
  WriteRateAccuracyCsv(rate, csv);
  EXPECT_NE(
      csv.str().find("\"small_vgg\",\"01234567\",\"fashion-mnist\",2,\"quant:8\",4,250,0.75\n"),
      std::string::npos)
      << csv.str();

  const std::string dir = Scratch() + "rate-html";
  int plots = 0;
  ASSERT_TRUE(WriteReportHtml(report, rate, dir, &plots).ok());
  std::stringstream svg;
  svg << std::ifstream(dir + "/plots/rate-accuracy-0.svg").rdbuf();
  EXPECT_NE(svg.str().find("split 2"), std::string::npos);
  EXPECT_NE(svg.str().find("split 5"), std::string::npos);
}

TEST(ReportTest, RateAccuracyWithoutItsCatalogIsANoteOrAnError) {
  std::string catalog;
  Report report;
  ASSERT_TRUE(BuildReport(RateFixture(&catalog), &report).ok());
  fs::remove(catalog);
  RateAccuracy rate;
  ASSERT_TRUE(ReadRateAccuracy("", &report, &rate).ok());
  EXPECT_TRUE(rate.entries.empty());
  ASSERT_FALSE(report.notes.empty());
  EXPECT_NE(report.notes.back().find("--catalog FILE"), std::string::npos) << report.notes.back();
  const Status st = ReadRateAccuracy(catalog, &report, &rate);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find(catalog), std::string::npos);
  // A file that is not a catalog is named.
  const Status other = ReadRateAccuracy(FixtureDatabase(), &report, &rate);
  EXPECT_NE(other.message().find("not a compression catalog"), std::string::npos)
      << other.message();
  // The runs' own catalog that cannot be read is a note: the report goes on.
  std::ofstream(catalog) << "not a database\n";
  report.notes.clear();
  ASSERT_TRUE(ReadRateAccuracy("", &report, &rate).ok());
  EXPECT_TRUE(rate.entries.empty());
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("cannot be read: " + catalog), std::string::npos)
      << report.notes[0];
}

// The page as a browser shows it: headless Chromium loads it from the file
// and runs its check (every plot's SVG has a laid-out size); a screenshot
// is kept under build/.
TEST(ReportTest, EveryPlotRendersInChromium) {
  Report report;
  ASSERT_TRUE(BuildReport(FixtureDatabase(), &report).ok());
  const std::string dir = Scratch() + "html";
  int plots = 0;
  const Status st = WriteReportHtml(report, RateAccuracy(), dir, &plots);
  ASSERT_TRUE(st.ok()) << st.message();
  // Across points: 4 (top-1 from "slow"); per point: 6, and accuracy-latency.
  EXPECT_EQ(plots, 4 + 2 * 7);
  const std::string page = "file://" + fs::absolute(dir + "/report.html").string();
  const std::string browser = "chromium --headless --no-sandbox --disable-gpu --hide-scrollbars ";
  const std::string dom = Scratch() + "dom.html";
  ASSERT_EQ(std::system((browser + "--dump-dom " + page + " > " + dom + " 2>/dev/null").c_str()), 0)
      << "chromium (scripts/setup installs it) could not load " << page;
  std::stringstream text;
  text << std::ifstream(dom).rdbuf();
  EXPECT_NE(text.str().find("data-plots=\"18/18\""), std::string::npos)
      << text.str().substr(0, 400);
  EXPECT_EQ(text.str().find("<img"), std::string::npos);  // every plot inline, nothing fetched
  // Labels from data blocks are the policies' names, not quoted text.
  std::stringstream bars;
  bars << std::ifstream(dir + "/plots/point0-decomposition.svg").rdbuf();
  EXPECT_NE(bars.str().find(">fast<"), std::string::npos);
  EXPECT_EQ(bars.str().find("'fast'"), std::string::npos);
  const std::string shot = std::string(COINFER_BUILD_DIR) + "/report-screenshot.png";
  fs::remove(shot);
  ASSERT_EQ(std::system((browser + "--window-size=1000,3000 --screenshot=" + shot + " " + page +
                         " > /dev/null 2>&1")
                            .c_str()),
            0);
  EXPECT_GT(fs::file_size(shot), 10000u);
}

}  // namespace
}  // namespace coinfer
