// What the tests of the coinfer command share: running it, scratch
// folders, scenarios, and reading back what it stored.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/scratch_dir.h"

namespace coinfer {

namespace fs = std::filesystem;

const std::string kSource = COINFER_SOURCE_DIR;

inline std::string ScratchDir() { return ScratchDirFor("app"); }

struct Outcome {
  int exit_code;
  std::string output;  // stdout and stderr
};

inline Outcome Coinfer(const std::string& args) {
  const std::string out = ScratchDir() + "output.txt";
  const std::string cmd = std::string(COINFER_BINARY) + " " + args + " > " + out + " 2>&1";
  const int status = std::system(cmd.c_str());
  std::stringstream text;
  text << std::ifstream(out).rdbuf();
  return {WEXITSTATUS(status), text.str()};
}

// A scenario in a fresh folder; `db` is where its results go. Returns the
// arguments that run it.
inline std::string WriteScenario(const std::string& name, const std::string& body, std::string* db,
                                 std::string* path = nullptr) {
  const fs::path dir = fs::path(ScratchDir()) / ("scenario_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  *db = (dir / "results.sqlite").string();
  const std::string file = (dir / "s.ini").string();
  std::ofstream(file) << body;
  if (path) *path = file;
  return file + " --set output.db=" + *db;
}

// Every row `sql` gives: columns joined by '|', a line per row.
inline std::string QueryRows(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);  // a run may be writing (a sweep in progress)
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
  std::string rows;
  while (sqlite3_step(s) == SQLITE_ROW) {
    for (int c = 0; c < sqlite3_column_count(s); ++c) {
      const unsigned char* t = sqlite3_column_text(s, c);
      rows += t ? reinterpret_cast<const char*>(t) : "NULL";
      rows += c + 1 < sqlite3_column_count(s) ? "|" : "\n";
    }
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return rows;
}

// The request columns a run determines (all but the host wall time of decisions).
const std::string kRequestColumns =
    "policy, request_id, arrival_s, split, bytes_sent, uplink_estimate_mbps,"
    " uplink_capacity_mbps, predicted_ms, actual_ms, completed, end_wait_ms,"
    " end_compute_ms, transfer_ms, cloud_wait_ms, cloud_compute_ms";

// Every stored request row, in order.
inline std::string RequestRows(const std::string& db_path) {
  return QueryRows(db_path,
                   "SELECT " + kRequestColumns + " FROM requests ORDER BY policy, request_id");
}

// The integer a one-value query gives (0 when the database does not exist).
inline int QueryInt(const std::string& db_path, const char* sql) {
  if (!fs::exists(db_path)) return 0;
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_busy_timeout(db, 10000);  // a run may be writing (a sweep in progress)
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
  const int n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

inline int CountRuns(const std::string& db_path) {
  return QueryInt(db_path, "SELECT COUNT(*) FROM runs");
}

const std::string kSmallScenario =
    "model = small_vgg\n"
    "duration_s = 20\n"
    "[arrival]\nrate_per_s = 5\n"
    "[uplink]\ntrace = " +
    kSource +
    "/traces/data/Verizon-LTE-short.up\n"
    "[downlink]\ntrace = " +
    kSource + "/traces/data/Verizon-LTE-short.down\n";

}  // namespace coinfer
