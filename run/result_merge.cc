#include "run/result_merge.h"

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
  return Status::Ok();
}

// Copies src's runs that main lacks; the transaction is the caller's.
Status CopyNewRuns(sqlite3* db, MergeCounts* counts) {
  std::vector<std::string> tables;  // besides runs, every table keyed by run
  {
    Statement list(db,
                   "SELECT m.name FROM main.sqlite_master m, pragma_table_info(m.name) c "
                   "WHERE m.type = 'table' AND m.name != 'runs' AND c.name = 'run_id' "
                   "ORDER BY m.name");
    while (list.NextRow()) tables.push_back(list.ColumnText(0));
  }
  std::string run_columns;
  COINFER_RETURN_IF_ERROR(OtherColumns(db, "runs", &run_columns));
  std::vector<std::string> columns(tables.size());
  for (size_t t = 0; t < tables.size(); ++t)
    COINFER_RETURN_IF_ERROR(OtherColumns(db, tables[t], &columns[t]));

  Statement runs(db,
                 "SELECT s.run_id, EXISTS (SELECT 1 FROM main.runs m WHERE "
                 "  (s.run_key IS NOT NULL AND m.run_key = s.run_key) OR "
                 "  (s.run_key IS NULL AND m.run_key IS NULL AND "
                 "   m.scenario_text = s.scenario_text AND "
                 "   m.resolved_settings = s.resolved_settings AND m.seed = s.seed AND "
                 "   m.started_at = s.started_at AND m.finished_at IS s.finished_at)) "
                 "FROM src.runs s ORDER BY s.run_id");
  std::vector<int64_t> to_copy;
  while (runs.NextRow()) {
    if (runs.ColumnInt(1)) {
      ++counts->present;
    } else {
      to_copy.push_back(runs.ColumnInt(0));
    }
  }
  Statement copy_run(db, ("INSERT INTO main.runs (" + run_columns + ") SELECT " + run_columns +
                          " FROM src.runs WHERE run_id = ?")
                             .c_str());
  std::vector<std::unique_ptr<Statement>> copy_rows;
  for (size_t t = 0; t < tables.size(); ++t)
    copy_rows.push_back(std::make_unique<Statement>(
        db, ("INSERT INTO main." + tables[t] + " (run_id, " + columns[t] + ") SELECT ?, " +
             columns[t] + " FROM src." + tables[t] + " WHERE run_id = ?")
                .c_str()));
  for (const int64_t old_id : to_copy) {
    COINFER_RETURN_IF_ERROR(copy_run.Bind(1, old_id).Step());
    const int64_t new_id = sqlite3_last_insert_rowid(db);
    for (const auto& rows : copy_rows)
      COINFER_RETURN_IF_ERROR(rows->Bind(1, new_id).Bind(2, old_id).Step());
    ++counts->copied;
  }
  return Status::Ok();
}

}  // namespace

Status MergeResults(const std::string& out, const std::string& in, MergeCounts* counts) {
  *counts = MergeCounts();
  std::error_code ec;
  if (!std::filesystem::exists(in)) return Status::IoError(in + ": no such results database");
  if (std::filesystem::equivalent(out, in, ec))
    return Status::InvalidInput(in, "", "is the output itself");
  {  // Both checked (kind, version) and brought up to date.
    std::unique_ptr<ResultStore> check;
    COINFER_RETURN_IF_ERROR(ResultStore::Open(in, &check));
    COINFER_RETURN_IF_ERROR(ResultStore::Open(out, &check));
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(out.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return Status::IoError(out + ": cannot open");
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> owner(db, sqlite3_close);
  Statement attach(db, "ATTACH DATABASE ? AS src");
  Status st = attach.Bind(1, in).Step();
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
