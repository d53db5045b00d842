#include "run/result_merge.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "base/sqlite_db.h"
#include "run/result_store.h"

namespace coinfer {
namespace {

// The columns of `table` in the output but run_id, comma-separated.
Status OtherColumns(sqlite3* db, const std::string& table, std::string* columns) {
  Statement info(db, ("PRAGMA main.table_info(" + table + ")").c_str());
  if (!info.ok()) return Status::IoError(std::string("sqlite: ") + sqlite3_errmsg(db));
  columns->clear();
  while (info.NextRow())
    if (info.ColumnText(1) != "run_id")
      *columns += (columns->empty() ? "" : ", ") + info.ColumnText(1);
  if (!info.Finished()) return Status::IoError(std::string("sqlite: ") + sqlite3_errmsg(db));
  return Status::Ok();
}

// Copies src's runs that main lacks; the transaction is the caller's.
Status CopyNewRuns(sqlite3* db, MergeCounts* counts) {
  auto error = [db] { return Status::IoError(std::string("sqlite: ") + sqlite3_errmsg(db)); };
  std::vector<std::string> tables;  // besides runs, every table keyed by run
  {
    Statement list(db,
                   "SELECT m.name FROM main.sqlite_master m, pragma_table_info(m.name) c "
                   "WHERE m.type = 'table' AND m.name != 'runs' AND c.name = 'run_id' "
                   "ORDER BY m.name");
    if (!list.ok()) return error();
    while (list.NextRow()) tables.push_back(list.ColumnText(0));
    if (!list.Finished() || tables.empty()) return error();  // every version has requests
  }
  std::string run_columns;
  COINFER_RETURN_IF_ERROR(OtherColumns(db, "runs", &run_columns));
  std::vector<std::string> columns(tables.size());
  for (size_t t = 0; t < tables.size(); ++t)
    COINFER_RETURN_IF_ERROR(OtherColumns(db, tables[t], &columns[t]));

  // A source run is new unless the output holds it, or it repeats an earlier
  // source run (the same key twice in one file: only the first is copied).
  Statement runs(db,
                 "SELECT s.run_id, EXISTS (SELECT 1 FROM main.runs m WHERE "
                 "  (s.run_key IS NOT NULL AND m.run_key = s.run_key) OR "
                 "  (s.run_key IS NULL AND m.run_key IS NULL AND "
                 "   m.scenario_text = s.scenario_text AND "
                 "   m.resolved_settings = s.resolved_settings AND m.seed = s.seed AND "
                 "   m.started_at = s.started_at AND m.finished_at IS s.finished_at)) "
                 "  OR EXISTS (SELECT 1 FROM src.runs e WHERE e.run_key = s.run_key AND "
                 "   e.run_id < s.run_id) "
                 "FROM src.runs s ORDER BY s.run_id");
  if (!runs.ok()) return error();
  std::vector<int64_t> to_copy;
  while (runs.NextRow()) {
    if (runs.ColumnInt(1)) {
      ++counts->present;
    } else {
      to_copy.push_back(runs.ColumnInt(0));
    }
  }
  if (!runs.Finished()) return error();
  Statement copy_run(db, ("INSERT INTO main.runs (" + run_columns + ") SELECT " + run_columns +
                          " FROM src.runs WHERE run_id = ?")
                             .c_str());
  if (!copy_run.ok()) return error();
  std::vector<std::unique_ptr<Statement>> copy_rows;
  for (size_t t = 0; t < tables.size(); ++t) {
    copy_rows.push_back(std::make_unique<Statement>(
        db, ("INSERT INTO main." + tables[t] + " (run_id, " + columns[t] + ") SELECT ?, " +
             columns[t] + " FROM src." + tables[t] + " WHERE run_id = ?")
                .c_str()));
    if (!copy_rows.back()->ok()) return error();
  }
  for (const int64_t old_id : to_copy) {
    COINFER_RETURN_IF_ERROR(copy_run.Bind(1, old_id).Step());
    const int64_t new_id = sqlite3_last_insert_rowid(db);
    for (const auto& rows : copy_rows)
      COINFER_RETURN_IF_ERROR(rows->Bind(1, new_id).Bind(2, old_id).Step());
    ++counts->copied;
  }
  return Status::Ok();
}

// The schema version of the results database at `path`, read without
// writing (0: none).
Status ReadVersion(const std::string& path, int* version) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, sqlite3_close);
  if (rc != SQLITE_OK) return Status::IoError(path + ": cannot open: " + sqlite3_errmsg(raw));
  Statement v(raw, "PRAGMA user_version");
  if (!v.ok() || !v.NextRow()) return Status::IoError(path + ": " + sqlite3_errmsg(raw));
  *version = static_cast<int>(v.ColumnInt(0));
  return Status::Ok();
}

// `path` as a read-only SQLite URI ('%', '?' and '#' escaped).
std::string ReadOnlyUri(const std::string& path) {
  std::string uri = "file:";
  for (const char c : std::filesystem::absolute(path).string()) {
    if (c == '%' || c == '?' || c == '#') {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
      uri += hex;
    } else {
      uri += c;
    }
  }
  return uri + "?mode=ro";
}

}  // namespace

Status MergeResults(const std::string& out, const std::string& in, MergeCounts* counts) {
  *counts = MergeCounts();
  std::error_code ec;
  if (!std::filesystem::exists(in)) return Status::InvalidInput(in, "", "no such results database");
  if (std::filesystem::equivalent(out, in, ec))
    return Status::InvalidInput(in, "", "is the output itself");
  // The input is only read, unless it is of an older version: then it is
  // brought up to date first, as any coinfer command opening it would.
  int in_version = 0;
  COINFER_RETURN_IF_ERROR(ReadVersion(in, &in_version));
  std::unique_ptr<ResultStore> check;
  if (in_version != ResultStore::kSchemaVersion)
    COINFER_RETURN_IF_ERROR(ResultStore::Open(in, &check));  // refuses what is not a results db
  COINFER_RETURN_IF_ERROR(ResultStore::Open(out, &check));
  check.reset();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(out.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(db);
    return Status::IoError(out + ": cannot open");
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> owner(db, sqlite3_close);
  Statement attach(db, "ATTACH DATABASE ? AS src");
  Status st = attach.Bind(1, ReadOnlyUri(in)).Step();
  Statement kind(db, "SELECT count(*) FROM src.sqlite_master WHERE name = 'runs'");
  if (st.ok() && (!kind.ok() || !kind.NextRow() || kind.ColumnInt(0) != 1))
    st = Status::InvalidInput(in, "", "not a coinfer results database");
  kind.Reset();
  if (st.ok()) st = ExecSql(db, "BEGIN IMMEDIATE");
  if (st.ok()) {
    st = CopyNewRuns(db, counts);
    st = st.ok() ? ExecSql(db, "COMMIT") : (ExecSql(db, "ROLLBACK"), st);
  }
  if (!st.ok()) {
    *counts = MergeCounts();
    return Status::IoError(out + " <- " + in + ": " + st.message());
  }
  return Status::Ok();
}

}  // namespace coinfer
