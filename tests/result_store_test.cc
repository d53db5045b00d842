#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "sim/result_store.h"

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
      store->BeginRun(RunInfo{"s.ini", "model = vgg16", "model = vgg16", 1, "test", ""}, &run).ok());
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

}  // namespace
}  // namespace coinfer
