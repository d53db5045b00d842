// Small helpers over the SQLite C API shared by coinfer's databases (results,
// compression catalog): opening a versioned schema, executing SQL, and
// prepared statements that finalize themselves. Include only from .cc files
// of libraries that link SQLite.
#pragma once

#include <sqlite3.h>

#include <chrono>
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
// overlap) is refused. A file of this version is only read. Creating or
// upgrading is one write transaction, checked again once it holds the lock:
// a second run opening the same new file waits for the first instead of
// seeing its tables before its version.
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
  // The first column of `sql`'s first row as text; false (the file is not a
  // database, or is locked for longer than the timeout) with the reason in
  // *error.
  auto query = [db](const std::string& sql, std::string* value, std::string* error) {
    sqlite3_stmt* stmt = nullptr;
    const bool ok = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
                    sqlite3_step(stmt) == SQLITE_ROW;
    if (ok) *value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    if (!ok) *error = sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    return ok;
  };
  int found = 0;
  // Begins a transaction (`begin`) and reads the file's version into
  // `found`, refusing files that are not of this kind.
  auto begin_and_check = [&](const char* begin) {
    if (sqlite3_exec(db, begin, nullptr, nullptr, nullptr) != SQLITE_OK)
      return Status::IoError(sqlite3_errmsg(db));
    std::string v, tables, kind, error;
    if (!query("PRAGMA user_version", &v, &error) ||
        !query("SELECT count(*) FROM sqlite_master", &tables, &error) ||
        !query(std::string("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                           "name = '") +
                   kind_table + "'",
               &kind, &error))
      return Status::IoError(error);
    found = std::stoi(v);
    if (found != 0 && kind == "0")
      return Status::IoError(std::string("not a coinfer ") + what + " (no '" + kind_table +
                             "' table): name another file");
    if (found == 0 && tables != "0")  // someone else's database: never written into
      return Status::IoError("not a coinfer " + what +
                             " (it has tables of its own and no coinfer schema version): name "
                             "another file");
    return Status::Ok();
  };
  Status st = begin_and_check("BEGIN");
  bool in_transaction = st.ok() || sqlite3_get_autocommit(db) == 0;
  if (st.ok() && found != version) {
    ExecSql(db, "ROLLBACK");
    st = begin_and_check("BEGIN IMMEDIATE");
    in_transaction = st.ok() || sqlite3_get_autocommit(db) == 0;
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
  }
  if (st.ok()) st = ExecSql(db, "COMMIT");
  if (!st.ok() && in_transaction) ExecSql(db, "ROLLBACK");
  // WAL (readers never block the writer) is set outside any transaction, and
  // only on a file that is now coinfer's. Two openers switching at once can
  // deadlock on the locks, and SQLite then fails one at once without waiting:
  // it tries again until the other has gone on (at most 10 s).
  std::string mode, error;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  const bool wal = st.ok() && query("PRAGMA journal_mode", &mode, &error) && mode == "wal";
  while (st.ok() && !wal) {
    if (query("PRAGMA journal_mode=WAL", &mode, &error)) {  // the mode it is now in
      if (mode != "wal") st = Status::IoError("cannot use WAL (journal mode " + mode + ")");
      break;
    }
    if (sqlite3_errcode(db) != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline)
      st = Status::IoError(error);
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
  bool NextRow() { return (step_rc_ = sqlite3_step(stmt_)) == SQLITE_ROW; }
  // After NextRow returned false: true if the rows ended, false on an error.
  bool Finished() const { return step_rc_ == SQLITE_DONE; }
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
  int step_rc_ = SQLITE_OK;
};

}  // namespace coinfer
