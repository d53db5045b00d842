#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "compress/catalog.h"
#include "run/result_merge.h"
#include "run/result_store.h"

namespace coinfer {
namespace {

int Count(const std::string& path, const char* table) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, (std::string("SELECT COUNT(*) FROM ") + table).c_str(), -1, &s, nullptr);
  const int n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

std::vector<RequestRecord> TwoRequests() {
  std::vector<RequestRecord> records(2);
  records[1].id = 1;
  records[1].completed = true;
  records[1].actual_ms = 12;
  Stage s;
  records[1].stages.push_back({s, 0, 0, 0.012});
  return records;
}

TEST(ResultStoreTest, CommittedRunIsStoredWithSchemaVersion) {
  const std::string path = ::testing::TempDir() + "store_commit/results.sqlite";
  std::filesystem::remove_all(::testing::TempDir() + "store_commit");
  std::unique_ptr<ResultStore> store;
  ASSERT_TRUE(ResultStore::Open(path, &store).ok());
  int64_t run = 0;
  ASSERT_TRUE(
      store->BeginRun(RunInfo{"s.ini", "model = vgg16", "model = vgg16", 1, "test", ""}, &run)
          .ok());
  ASSERT_TRUE(store->AddRequests(run, "device-only", TwoRequests(), RunStats{}).ok());
  ASSERT_TRUE(store->CommitRun(run).ok());
  store.reset();
  EXPECT_EQ(Count(path, "runs"), 1);
  EXPECT_EQ(Count(path, "requests"), 2);
  EXPECT_EQ(Count(path, "stages"), 1);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 0), ResultStore::kSchemaVersion);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST(ResultStoreTest, AnAbandonedRunLeavesNoRows) {
  const std::string path = ::testing::TempDir() + "store_abort.sqlite";
  std::filesystem::remove(path);
  {
    std::unique_ptr<ResultStore> store;
    ASSERT_TRUE(ResultStore::Open(path, &store).ok());
    int64_t run = 0;
    ASSERT_TRUE(store->BeginRun(RunInfo{}, &run).ok());
    ASSERT_TRUE(store->AddRequests(run, "cloud-only", TwoRequests(), RunStats{}).ok());
    // Destroyed before CommitRun, as when a run fails half way.
  }
  EXPECT_EQ(Count(path, "runs"), 0);
  EXPECT_EQ(Count(path, "requests"), 0);
}

void Exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_close(db);
}

// A fresh results file at `path` with one committed run of two requests.
void StoreOneRun(const std::string& path) {
  std::unique_ptr<ResultStore> store;
  ASSERT_TRUE(ResultStore::Open(path, &store).ok());
  int64_t run = 0;
  ASSERT_TRUE(store->BeginRun(RunInfo{}, &run).ok());
  ASSERT_TRUE(store->AddRequests(run, "device-only", TwoRequests(), RunStats{}).ok());
  ASSERT_TRUE(store->CommitRun(run).ok());
}

// What version 8 added: the run's mode.
const char kDropVersion8[] = "ALTER TABLE runs DROP COLUMN mode;";

// What version 7 added: the sites' slowdowns to this host.
const char kDropVersion7[] = "ALTER TABLE sites DROP COLUMN host_slowdown;";

// What version 6 added: the probe figures.
const char kDropVersion6[] =
    "ALTER TABLE policy_runs DROP COLUMN probes; ALTER TABLE policy_runs DROP COLUMN probe_bytes; "
    "ALTER TABLE policy_runs DROP COLUMN probe_energy_j;";

// What version 5 added: run keys.
const char kDropVersion5[] = "DROP INDEX runs_by_key; ALTER TABLE runs DROP COLUMN run_key;";

// What version 4 added: the edge and cluster-device totals, the sites table.
const char kDropVersion4[] =
    "ALTER TABLE requests DROP COLUMN edge_wait_ms; ALTER TABLE requests DROP COLUMN "
    "edge_compute_ms; ALTER TABLE requests DROP COLUMN device_wait_ms; ALTER TABLE requests "
    "DROP COLUMN device_compute_ms; ALTER TABLE stages DROP COLUMN rows; ALTER TABLE stages DROP "
    "COLUMN codec; DROP TABLE "
    "sites;";

// A results file of version 2 (before measured compression) is upgraded in
// place: its runs stay, and new runs store the new columns.
TEST(ResultStoreTest, AnOlderResultsFileIsUpgradedInPlace) {
  const std::string path = ::testing::TempDir() + "store_v2.sqlite";
  std::filesystem::remove(path);
  StoreOneRun(path);
  Exec(path, std::string(kDropVersion8) + kDropVersion7 + kDropVersion6 + kDropVersion5 + kDropVersion4 +
                 "ALTER TABLE requests DROP COLUMN sample; ALTER TABLE requests DROP COLUMN "
                 "correct; ALTER TABLE requests DROP COLUMN codec; ALTER TABLE requests DROP "
                 "COLUMN requirement_met; ALTER TABLE requests DROP COLUMN variant; PRAGMA "
                 "user_version = 2;");
  std::unique_ptr<ResultStore> store;
  const Status st = ResultStore::Open(path, &store);
  ASSERT_TRUE(st.ok()) << st.message();
  std::vector<RequestRecord> records = TwoRequests();
  records[0].sample = 7;
  records[0].correct = 1;
  records[0].codec = "quant:8";
  int64_t run = 0;
  ASSERT_TRUE(store->BeginRun(RunInfo{}, &run).ok());
  ASSERT_TRUE(store->AddRequests(run, "cloud-only", records, RunStats{}).ok());
  ASSERT_TRUE(store->CommitRun(run).ok());
  store.reset();
  EXPECT_EQ(Count(path, "runs"), 2);
  EXPECT_EQ(Count(path, "requests WHERE codec = 'quant:8' AND sample = 7"), 1);
}

// A three-tier run: each site a row of `sites`, stages named by it, the
// edge's totals in their own columns.
RunInfo ThreeTierRun(const DeviceModel& end, const DeviceModel& edge) {
  RunInfo info;
  info.sites = {{"end", SiteRole::kEndDevice, &end},
                {"edge", SiteRole::kEdge, &edge, 0.25, 1.5},
                {"cloud", SiteRole::kCloud, &edge}};
  return info;
}

std::vector<RequestRecord> OnTheEdge() {
  std::vector<RequestRecord> records(1);
  records[0].completed = true;
  records[0].totals[static_cast<int>(SiteRole::kEdge)] = {3, 4};
  Stage s;
  s.kind = Stage::Kind::kTransfer;
  s.site = 0;
  s.to = 1;
  records[0].stages.push_back({s, 0, 0, 0.012});
  return records;
}

TEST(ResultStoreTest, SitesAreStoredAndNameTheStages) {
  const std::string path = ::testing::TempDir() + "store_sites.sqlite";
  std::filesystem::remove(path);
  const DeviceModel end = DeviceModel::FromCoefficients("pi", 4, {});
  const DeviceModel edge = DeviceModel::FromCoefficients("server", 16, {});
  std::unique_ptr<ResultStore> store;
  ASSERT_TRUE(ResultStore::Open(path, &store).ok());
  int64_t run = 0;
  ASSERT_TRUE(store->BeginRun(ThreeTierRun(end, edge), &run).ok());
  ASSERT_TRUE(store->AddRequests(run, "p", OnTheEdge(), RunStats{}).ok());
  ASSERT_TRUE(store->CommitRun(run).ok());
  store.reset();
  EXPECT_EQ(Count(path, "sites"), 3);
  EXPECT_EQ(Count(path,
                  "sites WHERE site = 1 AND name = 'edge' AND role = 'edge' AND device = "
                  "'server' AND cores = 16 AND load = 0.25 AND host_slowdown = 1.5"),
            1);
  EXPECT_EQ(Count(path, "stages WHERE site = 'end' AND to_site = 'edge'"), 1);
  EXPECT_EQ(Count(path,
                  "requests WHERE edge_wait_ms = 3 AND edge_compute_ms = 4 AND "
                  "device_compute_ms = 0"),
            1);
}

TEST(ResultStoreTest, AVersion3FileGetsSitesAndEdgeTotals) {
  const std::string path = ::testing::TempDir() + "store_v3.sqlite";
  std::filesystem::remove(path);
  StoreOneRun(path);
  Exec(path, std::string(kDropVersion8) + kDropVersion7 + kDropVersion6 + kDropVersion5 + kDropVersion4 +
                 "PRAGMA user_version = 3;");
  const DeviceModel d = DeviceModel::FromCoefficients("d", 1, {});
  std::unique_ptr<ResultStore> store;
  const Status st = ResultStore::Open(path, &store);
  ASSERT_TRUE(st.ok()) << st.message();
  int64_t run = 0;
  ASSERT_TRUE(store->BeginRun(ThreeTierRun(d, d), &run).ok());
  ASSERT_TRUE(store->AddRequests(run, "p", OnTheEdge(), RunStats{}).ok());
  ASSERT_TRUE(store->CommitRun(run).ok());
  store.reset();
  EXPECT_EQ(Count(path, "requests WHERE edge_compute_ms IS NULL"), 2);  // the old run's
  EXPECT_EQ(Count(path, "requests WHERE edge_compute_ms = 4"), 1);
  EXPECT_EQ(Count(path, "sites"), 3);
}

RunInfo Keyed(const std::string& key) {
  RunInfo info;
  info.run_key = key;
  return info;
}

// Version 4 had no run keys: its runs stay, keyless, and new runs are found
// by theirs.
TEST(ResultStoreTest, AVersion4FileGetsRunKeys) {
  const std::string path = ::testing::TempDir() + "store_v4.sqlite";
  std::filesystem::remove(path);
  StoreOneRun(path);
  Exec(path,
       std::string(kDropVersion8) + kDropVersion7 + kDropVersion6 + kDropVersion5 + "PRAGMA user_version = 4;");
  std::unique_ptr<ResultStore> store;
  const Status st = ResultStore::Open(path, &store);
  ASSERT_TRUE(st.ok()) << st.message();
  int64_t run = 0, found = -1;
  ASSERT_TRUE(store->BeginRun(Keyed("abc"), &run).ok());
  ASSERT_TRUE(store->CommitRun(run).ok());
  ASSERT_TRUE(store->FindRun("abc", &found).ok());
  EXPECT_EQ(found, run);
  ASSERT_TRUE(store->FindRun("abd", &found).ok());
  EXPECT_EQ(found, 0);
  store.reset();
  EXPECT_EQ(Count(path, "runs WHERE run_key IS NULL"), 1);
}

// A version 6 file gets the sites' slowdowns: NULL for its runs' sites,
// stored for new ones.
TEST(ResultStoreTest, AVersion6FileGetsSiteSlowdowns) {
  const std::string path = ::testing::TempDir() + "store_v6.sqlite";
  std::filesystem::remove(path);
  const DeviceModel d = DeviceModel::FromCoefficients("d", 1, {});
  {
    std::unique_ptr<ResultStore> store;
    ASSERT_TRUE(ResultStore::Open(path, &store).ok());
    int64_t run = 0;
    ASSERT_TRUE(store->BeginRun(ThreeTierRun(d, d), &run).ok());
    ASSERT_TRUE(store->CommitRun(run).ok());
  }
  Exec(path, std::string(kDropVersion8) + kDropVersion7 + "PRAGMA user_version = 6;");
  std::unique_ptr<ResultStore> store;
  const Status st = ResultStore::Open(path, &store);
  ASSERT_TRUE(st.ok()) << st.message();
  int64_t run = 0;
  ASSERT_TRUE(store->BeginRun(ThreeTierRun(d, d), &run).ok());
  ASSERT_TRUE(store->CommitRun(run).ok());
  store.reset();
  EXPECT_EQ(Count(path, "sites WHERE host_slowdown IS NULL"), 3);
  EXPECT_EQ(Count(path, "sites WHERE host_slowdown = 1.5"), 1);
}

// A version 7 file gets the runs' mode: its runs were simulated.
TEST(ResultStoreTest, AVersion7FilesRunsWereSimulated) {
  const std::string path = ::testing::TempDir() + "store_v7.sqlite";
  std::filesystem::remove(path);
  StoreOneRun(path);
  Exec(path, std::string(kDropVersion8) + "PRAGMA user_version = 7;");
  std::unique_ptr<ResultStore> store;
  const Status st = ResultStore::Open(path, &store);
  ASSERT_TRUE(st.ok()) << st.message();
  RunInfo emulated;
  emulated.mode = "emulation";
  int64_t run = 0;
  ASSERT_TRUE(store->BeginRun(emulated, &run).ok());
  ASSERT_TRUE(store->CommitRun(run).ok());
  store.reset();
  EXPECT_EQ(Count(path, "runs WHERE mode = 'simulation'"), 1);
  EXPECT_EQ(Count(path, "runs WHERE mode = 'emulation'"), 1);
}

// A version 5 file gets the probe figures: NULL for its runs, stored for new ones.
TEST(ResultStoreTest, AVersion5FileGetsProbeFigures) {
  const std::string path = ::testing::TempDir() + "store_v5.sqlite";
  std::filesystem::remove(path);
  StoreOneRun(path);
  Exec(path, std::string(kDropVersion8) + kDropVersion7 + kDropVersion6 + "PRAGMA user_version = 5;");
  std::unique_ptr<ResultStore> store;
  const Status st = ResultStore::Open(path, &store);
  ASSERT_TRUE(st.ok()) << st.message();
  RunStats probed;
  probed.probes = 3;
  probed.probe_bytes = 3 * 65536;
  probed.probe_energy_j = 1.5;
  int64_t run = 0;
  ASSERT_TRUE(store->BeginRun(RunInfo{}, &run).ok());
  ASSERT_TRUE(store->AddRequests(run, "neurosurgeon", TwoRequests(), probed).ok());
  ASSERT_TRUE(store->CommitRun(run).ok());
  store.reset();
  EXPECT_EQ(Count(path, "policy_runs WHERE probes IS NULL AND probe_energy_j IS NULL"), 1);
  EXPECT_EQ(Count(path,
                  "policy_runs WHERE probes = 3 AND probe_bytes = 196608 AND "
                  "probe_energy_j = 1.5"),
            1);
}

// A results file with `keys` runs (each: three sites, two requests of one
// policy, one stage; "" a run without a key, as before version 5).
void StoreKeyedRuns(const std::string& path, const std::vector<std::string>& keys) {
  const DeviceModel d = DeviceModel::FromCoefficients("d", 1, {});
  std::unique_ptr<ResultStore> store;
  ASSERT_TRUE(ResultStore::Open(path, &store).ok());
  for (const std::string& key : keys) {
    int64_t run = 0;
    RunInfo info = ThreeTierRun(d, d);
    info.run_key = key;
    info.scenario_text = key.empty() ? "legacy" : key;
    info.started_at = "2026-01-01T00:00:00Z";
    ASSERT_TRUE(store->BeginRun(info, &run).ok());
    std::vector<RequestRecord> records = TwoRequests();
    records[1].codec = key;  // rows tell their run apart
    ASSERT_TRUE(store->AddRequests(run, "p", records, RunStats{}).ok());
    ASSERT_TRUE(store->CommitRun(run).ok());
  }
}

// Shards share run ids (each starts at 1): the merge renumbers runs and
// takes every row with its run, and a run already there is not copied again.
TEST(ResultMergeTest, EachRunOnceWithAllItsRows) {
  const std::string dir = ::testing::TempDir() + "merge/";
  std::filesystem::remove_all(dir);
  StoreKeyedRuns(dir + "a.sqlite", {"k1", "k2", ""});
  StoreKeyedRuns(dir + "b.sqlite", {"k3", "k2", "k3"});  // k3 twice in one file
  MergeCounts counts;
  ASSERT_TRUE(MergeResults(dir + "out.sqlite", dir + "a.sqlite", &counts).ok());
  EXPECT_EQ(counts.copied, 3);
  EXPECT_EQ(counts.present, 0);
  auto bytes = [](const std::string& path) {
    std::stringstream text;
    text << std::ifstream(path, std::ios::binary).rdbuf();
    return text.str();
  };
  const std::string a_before = bytes(dir + "a.sqlite");
  ASSERT_TRUE(MergeResults(dir + "out.sqlite", dir + "a.sqlite", &counts).ok());
  EXPECT_EQ(bytes(dir + "a.sqlite"), a_before);  // an input is only read
  EXPECT_EQ(counts.copied, 0);  // the keyless run too: same text, settings, seed, times
  EXPECT_EQ(counts.present, 3);
  ASSERT_TRUE(MergeResults(dir + "out.sqlite", dir + "b.sqlite", &counts).ok());
  EXPECT_EQ(counts.copied, 1);
  EXPECT_EQ(counts.present, 2);
  ASSERT_TRUE(MergeResults(dir + "out.sqlite", dir + "b.sqlite", &counts).ok());
  EXPECT_EQ(counts.copied, 0);
  const std::string out = dir + "out.sqlite";
  EXPECT_EQ(Count(out, "runs"), 4);
  EXPECT_EQ(Count(out, "requests"), 8);
  EXPECT_EQ(Count(out, "stages"), 4);
  EXPECT_EQ(Count(out, "sites"), 12);
  EXPECT_EQ(Count(out, "sites WHERE run_id = (SELECT run_id FROM runs WHERE run_key = 'k3')"), 3);
  // Every row sits under the run it came with.
  for (const char* key : {"k1", "k2", "k3"}) {
    const std::string of_run =
        std::string(" WHERE run_id = (SELECT run_id FROM runs WHERE run_key = '") + key + "')";
    EXPECT_EQ(Count(out, ("requests" + of_run).c_str()), 2) << key;
    EXPECT_EQ(Count(out, ("requests" + of_run + " AND codec = '" + key + "'").c_str()), 1) << key;
    EXPECT_EQ(Count(out, ("stages" + of_run).c_str()), 1) << key;
  }
  EXPECT_TRUE(MergeResults(out, out, &counts).IsInvalidInput());
}

TEST(ResultStoreTest, ANewerResultsFileIsRefused) {
  const std::string path = ::testing::TempDir() + "store_v99.sqlite";
  std::filesystem::remove(path);
  Exec(path, "CREATE TABLE runs (run_id INTEGER); PRAGMA user_version = 99;");
  std::unique_ptr<ResultStore> store;
  const Status st = ResultStore::Open(path, &store);
  EXPECT_NE(st.message().find("schema version 99"), std::string::npos) << st.message();
}

// coinfer's two kinds of database share version numbers: neither is taken
// for the other.
TEST(ResultStoreTest, ACompressionCatalogIsNotAResultsDatabase) {
  const std::string path = ::testing::TempDir() + "store_catalog.sqlite";
  std::filesystem::remove(path);
  {
    std::unique_ptr<CompressionCatalog> catalog;
    ASSERT_TRUE(CompressionCatalog::Open(path, &catalog).ok());
  }
  std::unique_ptr<ResultStore> store;
  Status st = ResultStore::Open(path, &store);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(path + ": not a coinfer results database (no 'runs' table)"),
            std::string::npos)
      << st.message();
  const std::string results = ::testing::TempDir() + "store_results.sqlite";
  std::filesystem::remove(results);
  ASSERT_TRUE(ResultStore::Open(results, &store).ok());
  store.reset();
  std::unique_ptr<CompressionCatalog> catalog;
  st = CompressionCatalog::Open(results, &catalog);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("not a coinfer compression catalog"), std::string::npos)
      << st.message();
}

// Someone else's database (tables, no version) is never written into; a file
// that is not SQLite is named; both before any run is simulated.
TEST(ResultStoreTest, AForeignOrNonSqliteFileIsRefusedAndUntouched) {
  const std::string foreign = ::testing::TempDir() + "store_foreign.sqlite";
  std::filesystem::remove(foreign);
  Exec(foreign, "CREATE TABLE mine (x); INSERT INTO mine VALUES (7);");
  std::unique_ptr<ResultStore> store;
  Status st = ResultStore::Open(foreign, &store);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(foreign + ": not a coinfer results database"), std::string::npos)
      << st.message();
  EXPECT_EQ(Count(foreign, "sqlite_master"), 1);  // still only its own table

  const std::string text = ::testing::TempDir() + "store_text.sqlite";
  std::ofstream(text) << "these are my notes, not a database\n";
  st = ResultStore::Open(text, &store);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(text + ": file is not a database"), std::string::npos)
      << st.message();
}

// Runs started together on a new file: one creates the schema, the others
// wait for it and use it; none takes the half-created file for someone
// else's. Many fresh files, so that the openers interleave at every step.
TEST(ResultStoreTest, RunsOpeningANewFileTogetherAllSucceed) {
  const std::string dir = ::testing::TempDir() + "store_together/";
  std::filesystem::remove_all(dir);
  for (int file = 0; file < 40; ++file) {
    const std::string path = dir + std::to_string(file) + ".sqlite";
    std::vector<Status> results(4);
    std::vector<std::thread> openers;
    for (Status& result : results) {
      openers.emplace_back([&path, &result] {
        std::unique_ptr<ResultStore> store;
        result = ResultStore::Open(path, &store);
      });
    }
    for (std::thread& t : openers) t.join();
    for (const Status& result : results) ASSERT_TRUE(result.ok()) << result.message();
  }
}

}  // namespace
}  // namespace coinfer
