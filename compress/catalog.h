// CompressionCatalog: what each codec does to each split point of a trained
// model, measured by `coinfer capture` on real inputs (SQLite; schema in
// docs/formats.md). An entry is keyed by the weights' SHA-256, the dataset,
// the split point and the canonical codec text, and stamped with
// kCodecVersion (an entry of another version is not found); it keeps the per-sample
// bytes and correctness so a simulated request can draw one sample and send
// exactly that sample's bytes, and the correctness on validation samples,
// which searches select on (an entry without them is not found). Entries of other weights of the
// same model are removed when new ones are stored (the weights changed).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

struct sqlite3;

namespace coinfer {

struct CatalogKey {
  std::string model;
  std::string weights_sha256;
  std::string dataset;
  int split_index = 0;
  std::string codec;  // CodecSpecText
};

struct CatalogEntry {
  CatalogKey key;
  int64_t raw_bytes = 0;  // the fp32 tensor that crosses, per sample
  // Per sample of the test split, in order: bytes sent, whether the
  // prediction after decoding is right, and whether it equals the
  // prediction of the uncompressed model.
  std::vector<int64_t> sample_bytes;
  std::vector<uint8_t> correct;
  std::vector<uint8_t> agrees;
  // Per sample of the validation split (datasets/validation_split.h), in
  // order: whether the prediction after decoding is right. Searches choose
  // on it; requests and reports use the test split above.
  std::vector<uint8_t> validation_correct;
  // A probe of two cuts (CNNPC): the tensor at key.split_index is sent with
  // key.codec, the forward pass resumes, and the tensor at then_split (a
  // later split point) is sent with then_codec. -1: one cut.
  int then_split = -1;
  std::string then_codec;
  std::vector<int64_t> then_bytes;      // two cuts: the second tensor's bytes, per sample
  double encode_us = 0, decode_us = 0;  // mean per sample on the capturing host

  int64_t samples() const { return static_cast<int64_t>(sample_bytes.size()); }
  double Accuracy() const;
  double Agreement() const;
  double ValidationAccuracy() const;
  double MeanBytes() const;
  // The q-quantile of bytes (higher rank: an observed value).
  int64_t BytesQuantile(double q) const;
};

class CompressionCatalog {
 public:
  static constexpr int kSchemaVersion = 4;

  static Status Open(const std::string& path, std::unique_ptr<CompressionCatalog>* out);
  ~CompressionCatalog();
  CompressionCatalog(const CompressionCatalog&) = delete;
  CompressionCatalog& operator=(const CompressionCatalog&) = delete;

  // The entry of `key` measured on at least `min_samples` samples.
  Status Find(const CatalogKey& key, int64_t min_samples, bool* found, CatalogEntry* out);
  // The two-cut probe of `first` then (then_split, then_codec), likewise.
  Status FindPair(const CatalogKey& first, int then_split, const std::string& then_codec,
                  int64_t min_samples, bool* found, CatalogEntry* out);
  // Every one-cut entry of a model's weights (on a dataset), by split then codec.
  Status List(const std::string& weights_sha256, const std::string& dataset,
              std::vector<CatalogEntry>* out);
  // Stores entries in one transaction, replacing equal keys and removing the
  // entries of other weights of the same models.
  Status Put(const std::vector<CatalogEntry>& entries);

 private:
  explicit CompressionCatalog(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace coinfer
