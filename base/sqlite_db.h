// Small helpers over the SQLite C API shared by coinfer's databases (results,
// compression catalog): opening a versioned schema, executing SQL, and
// prepared statements that finalize themselves. Include only from .cc files
// of libraries that link SQLite.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "base/status.h"

namespace coinfer {

inline Status ExecSql(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = std::string("sqlite: ") + (err ? err : "error");
    sqlite3_free(err);
    return Status::IoError(msg);
  }
  return Status::Ok();
}

// Opens or creates the database at `path` (creating its folder) in WAL mode,
// creates `schema` and sets PRAGMA user_version. A file of an older version v
// is brought up to date by upgrades[v], upgrades[v + 1], ... (SQL). `what`
// names the database in messages; `kind_table` is a table every version of
// this kind has, so that coinfer's other kind of database (whose versions
// overlap) is refused. Checks, upgrades and schema run in one write
// transaction: a second run opening the same new file waits for the first
// instead of seeing its tables before its version.
inline Status OpenVersionedDatabase(const std::string& path, const std::string& what,
                                    const char* kind_table, const char* schema, int version,
                                    sqlite3** out,
                                    const std::map<int, std::string>& upgrades = {}) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    const std::string msg = path + ": cannot open " + what + ": " + sqlite3_errmsg(db);
    sqlite3_close(db);
    return Status::IoError(msg);
  }
  sqlite3_busy_timeout(db, 5000);  // another run writing: wait for it
  // One integer from `sql`; false (the file is not a database, or is locked
  // for longer than the timeout) with the reason in *error.
  auto query_int = [db](const char* sql, int* value, std::string* error) {
    sqlite3_stmt* stmt = nullptr;
    bool ok = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
              sqlite3_step(stmt) == SQLITE_ROW;
    if (ok) *value = sqlite3_column_int(stmt, 0);
    if (!ok) *error = sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    return ok;
  };
  int found = 0, tables = 0, kind = 0;
  std::string error;
  Status st;
  const bool in_transaction =
      sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  if (!in_transaction) st = Status::IoError(sqlite3_errmsg(db));
  const std::string has_kind_table =
      std::string("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '") +
      kind_table + "'";
  if (in_transaction && !(query_int("PRAGMA user_version", &found, &error) &&
                          query_int("SELECT count(*) FROM sqlite_master", &tables, &error) &&
                          query_int(has_kind_table.c_str(), &kind, &error))) {
    st = Status::IoError(error);
  }
  if (st.ok() && found != 0 && kind == 0) {
    st = Status::IoError(std::string("not a coinfer ") + what + " (no '" + kind_table +
                         "' table): name another file");
  }
  if (st.ok() && found == 0 && tables > 0) {
    // Version 0 with tables: someone else's database, never written into.
    st = Status::IoError("not a coinfer " + what +
                         " (it has tables of its own and no coinfer schema " +
                         "version): name another file");
  }
  if (st.ok() && found != 0 && found < version && upgrades.count(found)) {
    std::string sql;
    for (int v = found; v < version && upgrades.count(v); ++v, found = v) sql += upgrades.at(v);
    st = ExecSql(db, sql);
  }
  if (st.ok() && found != 0 && found != version) {
    st = Status::IoError(what + " schema version " + std::to_string(found) +
                         ", this coinfer writes version " + std::to_string(version) +
                         ": move the file away or name another");
  }
  if (st.ok()) st = ExecSql(db, schema);
  if (st.ok()) st = ExecSql(db, "PRAGMA user_version=" + std::to_string(version));
  if (st.ok()) st = ExecSql(db, "COMMIT");
  if (!st.ok() && in_transaction) ExecSql(db, "ROLLBACK");
  // WAL (readers never block the writer) is set outside any transaction, and
  // only on a file that is now coinfer's. Two openers switching at once can
  // deadlock on the locks, and SQLite then fails one at once without waiting:
  // it tries again (about 5 s) once the other has gone on.
  for (int tries = 0; st.ok(); ++tries) {
    const int rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) break;
    if (rc != SQLITE_BUSY || tries == 500) st = Status::IoError(sqlite3_errmsg(db));
    sqlite3_sleep(10);
  }
  if (!st.ok()) {
    sqlite3_close(db);
    return Status::IoError(path + ": " + st.message());
  }
  *out = db;
  return Status::Ok();
}

// A prepared statement, finalized when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  Statement& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& Bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  Statement& Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& BindBlob(int i, const void* data, size_t size) {
    if (!data) data = "";  // an empty blob, not NULL
    sqlite3_bind_blob(stmt_, i, data, static_cast<int>(size), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& BindNull(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  Statement& BindOptional(int i, int64_t v, bool present) {
    if (present) return Bind(i, v);
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  Statement& BindOptional(int i, double v, bool present) {
    if (present) return Bind(i, v);
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // Executes once and resets for the next bindings.
  Status Step() {
    const int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    if (rc != SQLITE_DONE) return Status::IoError(std::string("sqlite: ") + sqlite3_errmsg(db_));
    return Status::Ok();
  }
  // Advances a query: true while a row is available (read it with the Column
  // functions); call Reset before binding again.
  bool NextRow() { return sqlite3_step(stmt_) == SQLITE_ROW; }
  void Reset() { sqlite3_reset(stmt_); }
  int ColumnCount() const { return sqlite3_column_count(stmt_); }
  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  double ColumnDouble(int i) const { return sqlite3_column_double(stmt_, i); }
  bool ColumnIsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  std::string ColumnText(int i) const {
    const auto* text = sqlite3_column_text(stmt_, i);
    return text ? reinterpret_cast<const char*>(text) : "";
  }
  std::string ColumnBlob(int i) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
    return data ? std::string(data, sqlite3_column_bytes(stmt_, i)) : "";
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

}  // namespace coinfer
