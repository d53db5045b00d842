// ResultStore: results in SQLite (schema: docs/formats.md; version in
// PRAGMA user_version; WAL journal). A run is written in one transaction:
// BeginRun opens it, CommitRun makes it visible, and a run that is abandoned
// (AbortRun, or the store destroyed before CommitRun) leaves no rows.
// Not thread-safe: one writer per store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "sim/engine.h"

struct sqlite3;

namespace coinfer {

struct RunInfo {
  std::string scenario_path;
  std::string scenario_text;      // the file as read
  std::string resolved_settings;  // every key = value after defaults and --set
  uint64_t seed = 0;
  std::string coinfer_version;
  std::string run_key;      // RunKey of the scenario; empty: stored as NULL
  std::string started_at;   // UTC, ISO 8601 (UtcNow()); empty: when BeginRun is called
  std::vector<Site> sites;  // the run's site table: stages name sites by index
  std::string mode = "simulation";  // or "emulation" (coinfer emulate)
};

// The current time, UTC, ISO 8601 ("2026-11-24T12:00:00Z").
std::string UtcNow();

class ResultStore {
 public:
  static constexpr int kSchemaVersion = 8;

  // Opens or creates the database at `path` (its folder is created). Fails
  // with IoError if it cannot be opened or has another schema version.
  static Status Open(const std::string& path, std::unique_ptr<ResultStore>* out);
  ~ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  Status BeginRun(const RunInfo& info, int64_t* run_id);
  Status AddRequests(int64_t run_id, const std::string& policy,
                     const std::vector<RequestRecord>& records, const RunStats& stats);
  // The first stored run with this key, 0 if none (inside a run too: its
  // write transaction makes the answer final until it commits).
  Status FindRun(const std::string& run_key, int64_t* run_id);
  Status CommitRun(int64_t run_id);
  void AbortRun();

 private:
  explicit ResultStore(sqlite3* db) : db_(db) {}
  Status Exec(const std::string& sql);
  // The name the run's site table gives `site` (its number if none does).
  std::string SiteName(SiteId site) const;

  sqlite3* db_;
  bool in_run_ = false;
  std::vector<std::string> site_names_;  // of the run in progress
};

}  // namespace coinfer
