#include "compress/catalog.h"

#include <algorithm>
#include <map>
#include <numeric>

#include "base/percentile.h"
#include "base/sqlite_db.h"
#include "compress/codec.h"

namespace coinfer {
namespace {

// Per-sample columns are blobs: bytes as little-endian int64, flags as bytes.
const char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS catalog (
  model TEXT NOT NULL,
  weights_sha256 TEXT NOT NULL,
  dataset TEXT NOT NULL,
  split_index INTEGER NOT NULL,
  codec TEXT NOT NULL,
  samples INTEGER NOT NULL,
  raw_bytes INTEGER NOT NULL,
  bytes_min INTEGER NOT NULL,
  bytes_mean REAL NOT NULL,
  bytes_p95 INTEGER NOT NULL,
  bytes_max INTEGER NOT NULL,
  accuracy REAL NOT NULL,
  agreement REAL NOT NULL,
  encode_us REAL NOT NULL,
  decode_us REAL NOT NULL,
  sample_bytes BLOB NOT NULL,
  sample_correct BLOB NOT NULL,
  sample_agrees BLOB NOT NULL,
  codec_version INTEGER NOT NULL,
  validation_accuracy REAL NOT NULL,
  validation_correct BLOB NOT NULL,
  PRIMARY KEY (weights_sha256, dataset, split_index, codec)
);
CREATE TABLE IF NOT EXISTS cut_pairs (
  model TEXT NOT NULL,
  weights_sha256 TEXT NOT NULL,
  dataset TEXT NOT NULL,
  split_index INTEGER NOT NULL,
  codec TEXT NOT NULL,
  then_split INTEGER NOT NULL,
  then_codec TEXT NOT NULL,
  samples INTEGER NOT NULL,
  accuracy REAL NOT NULL,
  agreement REAL NOT NULL,
  sample_bytes BLOB NOT NULL,
  then_bytes BLOB NOT NULL,
  sample_correct BLOB NOT NULL,
  sample_agrees BLOB NOT NULL,
  codec_version INTEGER NOT NULL,
  validation_accuracy REAL NOT NULL,
  validation_correct BLOB NOT NULL,
  PRIMARY KEY (weights_sha256, dataset, split_index, codec, then_split, then_codec)
);
)sql";

// Version 1 had no codec_version: its entries count as version 0, never
// current, so they are measured again and replaced.
const std::map<int, std::string> kUpgrades = {
    {1, "ALTER TABLE catalog ADD COLUMN codec_version INTEGER NOT NULL DEFAULT 0;"},
    // Version 2 had no two-cut probes: the schema's CREATE TABLE IF NOT
    // EXISTS, run after the upgrades, adds the table empty.
    {2, "SELECT 1;"},
    // Version 3 had no validation split: its entries have none, are never
    // found, and are measured again; its probes go (the table is made anew).
    {3,
     "ALTER TABLE catalog ADD COLUMN validation_accuracy REAL NOT NULL DEFAULT 0;"
     "ALTER TABLE catalog ADD COLUMN validation_correct BLOB NOT NULL DEFAULT X'';"
     "DROP TABLE IF EXISTS cut_pairs;"}};

const char kColumns[] =
    "model, weights_sha256, dataset, split_index, codec, raw_bytes, encode_us, decode_us, "
    "sample_bytes, sample_correct, sample_agrees, validation_correct";
const char kPairColumns[] =
    "model, weights_sha256, dataset, split_index, codec, 0, 0, 0, sample_bytes, sample_correct, "
    "sample_agrees, validation_correct, then_split, then_codec, then_bytes";

template <class T>
std::vector<T> FromBlob(const std::string& blob) {
  std::vector<T> v(blob.size() / sizeof(T));
  std::copy(blob.begin(), blob.begin() + v.size() * sizeof(T), reinterpret_cast<char*>(v.data()));
  return v;
}

CatalogEntry ReadEntry(const Statement& row) {
  CatalogEntry e;
  e.key = {row.ColumnText(0), row.ColumnText(1), row.ColumnText(2),
           static_cast<int>(row.ColumnInt(3)), row.ColumnText(4)};
  e.raw_bytes = row.ColumnInt(5);
  e.encode_us = row.ColumnDouble(6);
  e.decode_us = row.ColumnDouble(7);
  e.sample_bytes = FromBlob<int64_t>(row.ColumnBlob(8));
  e.correct = FromBlob<uint8_t>(row.ColumnBlob(9));
  e.agrees = FromBlob<uint8_t>(row.ColumnBlob(10));
  e.validation_correct = FromBlob<uint8_t>(row.ColumnBlob(11));
  if (row.ColumnCount() > 12) {
    e.then_split = static_cast<int>(row.ColumnInt(12));
    e.then_codec = row.ColumnText(13);
    e.then_bytes = FromBlob<int64_t>(row.ColumnBlob(14));
  }
  return e;
}

double Fraction(const std::vector<uint8_t>& flags) {
  if (flags.empty()) return 0;
  return static_cast<double>(std::accumulate(flags.begin(), flags.end(), int64_t{0})) /
         flags.size();
}

}  // namespace

double CatalogEntry::Accuracy() const { return Fraction(correct); }
double CatalogEntry::Agreement() const { return Fraction(agrees); }
double CatalogEntry::ValidationAccuracy() const { return Fraction(validation_correct); }

double CatalogEntry::MeanBytes() const {
  if (sample_bytes.empty()) return 0;
  return static_cast<double>(
             std::accumulate(sample_bytes.begin(), sample_bytes.end(), int64_t{0})) /
         sample_bytes.size();
}

int64_t CatalogEntry::BytesQuantile(double q) const {
  std::vector<double> v(sample_bytes.begin(), sample_bytes.end());
  return v.empty() ? 0 : static_cast<int64_t>(PercentileHigher(v, 100 * q));
}

Status CompressionCatalog::Open(const std::string& path, std::unique_ptr<CompressionCatalog>* out) {
  sqlite3* db = nullptr;
  COINFER_RETURN_IF_ERROR(OpenVersionedDatabase(path, "compression catalog", "catalog", kSchema,
                                                kSchemaVersion, &db, kUpgrades));
  out->reset(new CompressionCatalog(db));
  return Status::Ok();
}

CompressionCatalog::~CompressionCatalog() { sqlite3_close(db_); }

Status CompressionCatalog::Find(const CatalogKey& key, int64_t min_samples, bool* found,
                                CatalogEntry* out) {
  return FindPair(key, -1, "", min_samples, found, out);
}

Status CompressionCatalog::FindPair(const CatalogKey& key, int then_split,
                                    const std::string& then_codec, int64_t min_samples, bool* found,
                                    CatalogEntry* out) {
  const bool pair = then_split >= 0;
  const std::string sql =
      std::string("SELECT ") + (pair ? kPairColumns : kColumns) + " FROM " +
      (pair ? "cut_pairs" : "catalog") +
      " WHERE weights_sha256 = ? AND dataset = ? AND split_index = ? AND codec = ? AND samples >= "
      "? AND codec_version = ? AND length(validation_correct) > 0" +
      (pair ? " AND then_split = ? AND then_codec = ?" : "");
  Statement q(db_, sql.c_str());
  if (!q.ok()) return Status::IoError(std::string("sqlite: ") + sqlite3_errmsg(db_));
  q.Bind(1, key.weights_sha256)
      .Bind(2, key.dataset)
      .Bind(3, int64_t{key.split_index})
      .Bind(4, key.codec)
      .Bind(5, min_samples)
      .Bind(6, int64_t{kCodecVersion});
  if (pair) q.Bind(7, int64_t{then_split}).Bind(8, then_codec);
  *found = q.NextRow();
  if (*found) *out = ReadEntry(q);
  return Status::Ok();
}

Status CompressionCatalog::List(const std::string& weights_sha256, const std::string& dataset,
                                std::vector<CatalogEntry>* out) {
  const std::string sql = std::string("SELECT ") + kColumns +
                          " FROM catalog WHERE weights_sha256 = ? AND dataset = ? "
                          "AND codec_version = ? AND length(validation_correct) > 0 "
                          "ORDER BY split_index, codec";
  Statement q(db_, sql.c_str());
  if (!q.ok()) return Status::IoError(std::string("sqlite: ") + sqlite3_errmsg(db_));
  q.Bind(1, weights_sha256).Bind(2, dataset).Bind(3, int64_t{kCodecVersion});
  out->clear();
  while (q.NextRow()) out->push_back(ReadEntry(q));
  return Status::Ok();
}

Status CompressionCatalog::Put(const std::vector<CatalogEntry>& entries) {
  COINFER_RETURN_IF_ERROR(ExecSql(db_, "BEGIN IMMEDIATE"));
  Statement invalidate(db_, "DELETE FROM catalog WHERE model = ? AND weights_sha256 != ?");
  Statement invalidate_pairs(db_, "DELETE FROM cut_pairs WHERE model = ? AND weights_sha256 != ?");
  // Named columns: an upgraded file has the later ones last, in upgrade order.
  Statement insert(
      db_,
      "INSERT OR REPLACE INTO catalog (model, weights_sha256, dataset, split_index, codec, "
      "samples, raw_bytes, bytes_min, bytes_mean, bytes_p95, bytes_max, accuracy, agreement, "
      "encode_us, decode_us, sample_bytes, sample_correct, sample_agrees, codec_version, "
      "validation_accuracy, validation_correct) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  Statement insert_pair(
      db_,
      "INSERT OR REPLACE INTO cut_pairs (model, weights_sha256, dataset, split_index, codec, "
      "then_split, then_codec, samples, accuracy, agreement, sample_bytes, then_bytes, "
      "sample_correct, sample_agrees, codec_version, validation_accuracy, validation_correct) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  Status st = invalidate.ok() && invalidate_pairs.ok() && insert.ok() && insert_pair.ok()
                  ? Status::Ok()
                  : Status::IoError(std::string("sqlite: ") + sqlite3_errmsg(db_));
  for (const CatalogEntry& e : entries) {
    if (!st.ok()) break;
    st = invalidate.Bind(1, e.key.model).Bind(2, e.key.weights_sha256).Step();
    if (st.ok()) st = invalidate_pairs.Bind(1, e.key.model).Bind(2, e.key.weights_sha256).Step();
    if (!st.ok()) break;
    if (e.then_split >= 0) {
      insert_pair.Bind(1, e.key.model)
          .Bind(2, e.key.weights_sha256)
          .Bind(3, e.key.dataset)
          .Bind(4, int64_t{e.key.split_index})
          .Bind(5, e.key.codec)
          .Bind(6, int64_t{e.then_split})
          .Bind(7, e.then_codec)
          .Bind(8, e.samples())
          .Bind(9, e.Accuracy())
          .Bind(10, e.Agreement())
          .BindBlob(11, e.sample_bytes.data(), e.sample_bytes.size() * sizeof(int64_t))
          .BindBlob(12, e.then_bytes.data(), e.then_bytes.size() * sizeof(int64_t))
          .BindBlob(13, e.correct.data(), e.correct.size())
          .BindBlob(14, e.agrees.data(), e.agrees.size())
          .Bind(15, int64_t{kCodecVersion})
          .Bind(16, e.ValidationAccuracy())
          .BindBlob(17, e.validation_correct.data(), e.validation_correct.size());
      st = insert_pair.Step();
      continue;
    }
    const auto [lo, hi] = std::minmax_element(e.sample_bytes.begin(), e.sample_bytes.end());
    insert.Bind(1, e.key.model)
        .Bind(2, e.key.weights_sha256)
        .Bind(3, e.key.dataset)
        .Bind(4, int64_t{e.key.split_index})
        .Bind(5, e.key.codec)
        .Bind(6, e.samples())
        .Bind(7, e.raw_bytes)
        .Bind(8, e.samples() ? *lo : int64_t{0})
        .Bind(9, e.MeanBytes())
        .Bind(10, e.BytesQuantile(0.95))
        .Bind(11, e.samples() ? *hi : int64_t{0})
        .Bind(12, e.Accuracy())
        .Bind(13, e.Agreement())
        .Bind(14, e.encode_us)
        .Bind(15, e.decode_us)
        .BindBlob(16, e.sample_bytes.data(), e.sample_bytes.size() * sizeof(int64_t))
        .BindBlob(17, e.correct.data(), e.correct.size())
        .BindBlob(18, e.agrees.data(), e.agrees.size())
        .Bind(19, int64_t{kCodecVersion})
        .Bind(20, e.ValidationAccuracy())
        .BindBlob(21, e.validation_correct.data(), e.validation_correct.size());
    st = insert.Step();
  }
  if (!st.ok()) {
    ExecSql(db_, "ROLLBACK");
    return st;
  }
  return ExecSql(db_, "COMMIT");
}

}  // namespace coinfer
