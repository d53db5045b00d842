#include "compress/catalog.h"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>

namespace coinfer {
namespace {

std::string FreshPath(const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() / ("coinfer_catalog_" + name);
  std::filesystem::remove(path);
  return path.string();
}

CatalogEntry MakeEntry(const std::string& sha, int split, const std::string& codec) {
  CatalogEntry e;
  e.key = {"small_vgg", sha, "fashion-mnist", split, codec};
  e.raw_bytes = 25088;
  e.sample_bytes = {100, 300, 200, 400};
  e.correct = {1, 1, 0, 1};
  e.agrees = {1, 0, 1, 1};
  e.validation_correct = {1, 0, 0};
  e.encode_us = 12.5;
  e.decode_us = 3.25;
  return e;
}

// What turns a version-4 file into a version-3 one: no validation columns.
const std::string kDropValidation =
    "ALTER TABLE catalog DROP COLUMN validation_accuracy;"
    "ALTER TABLE catalog DROP COLUMN validation_correct;"
    "ALTER TABLE cut_pairs DROP COLUMN validation_accuracy;"
    "ALTER TABLE cut_pairs DROP COLUMN validation_correct;";

// A catalog holding MakeEntry("aa", 1, "fp16"), then turned into an older
// version's file by `sql`.
std::string OlderCatalog(const std::string& name, const std::string& sql) {
  const std::string path = FreshPath(name);
  {
    std::unique_ptr<CompressionCatalog> catalog;
    EXPECT_TRUE(CompressionCatalog::Open(path, &catalog).ok());
    EXPECT_TRUE(catalog->Put({MakeEntry("aa", 1, "fp16")}).ok());
  }
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  return path;
}

// An older file holding MakeEntry("aa", 1, "fp16") opens (upgraded in
// place), neither finds nor lists that entry, and finds it once it is stored
// again: the entry found then.
CatalogEntry ExpectUpgradedAndMeasuredAgain(const std::string& path) {
  std::unique_ptr<CompressionCatalog> catalog;
  const Status st = CompressionCatalog::Open(path, &catalog);
  EXPECT_TRUE(st.ok()) << st.message();
  if (!st.ok()) return CatalogEntry();
  bool found = true;
  CatalogEntry e;
  EXPECT_TRUE(catalog->Find(MakeEntry("aa", 1, "fp16").key, 1, &found, &e).ok());
  EXPECT_FALSE(found);
  std::vector<CatalogEntry> all;
  EXPECT_TRUE(catalog->List("aa", "fashion-mnist", &all).ok());
  EXPECT_TRUE(all.empty());
  EXPECT_TRUE(catalog->Put({MakeEntry("aa", 1, "fp16")}).ok());  // measured again
  EXPECT_TRUE(catalog->Find(MakeEntry("aa", 1, "fp16").key, 1, &found, &e).ok());
  EXPECT_TRUE(found);
  return e;
}

TEST(CompressionCatalog, StoresAndFindsEntriesWithTheirSamples) {
  std::unique_ptr<CompressionCatalog> catalog;
  ASSERT_TRUE(CompressionCatalog::Open(FreshPath("find"), &catalog).ok());
  ASSERT_TRUE(catalog->Put({MakeEntry("aa", 5, "quant:8"), MakeEntry("aa", 2, "none")}).ok());
  bool found = false;
  CatalogEntry e;
  ASSERT_TRUE(catalog->Find(MakeEntry("aa", 5, "quant:8").key, 4, &found, &e).ok());
  ASSERT_TRUE(found);
  EXPECT_EQ(e.sample_bytes, (std::vector<int64_t>{100, 300, 200, 400}));
  EXPECT_EQ(e.correct, (std::vector<uint8_t>{1, 1, 0, 1}));
  EXPECT_DOUBLE_EQ(e.Accuracy(), 0.75);
  EXPECT_DOUBLE_EQ(e.Agreement(), 0.75);
  EXPECT_EQ(e.validation_correct, (std::vector<uint8_t>{1, 0, 0}));
  EXPECT_DOUBLE_EQ(e.ValidationAccuracy(), 1.0 / 3);
  EXPECT_DOUBLE_EQ(e.MeanBytes(), 250);
  EXPECT_EQ(e.BytesQuantile(0.95), 400);
  EXPECT_DOUBLE_EQ(e.encode_us, 12.5);
  // Not on more samples than were measured.
  ASSERT_TRUE(catalog->Find(MakeEntry("aa", 5, "quant:8").key, 5, &found, &e).ok());
  EXPECT_FALSE(found);
  std::vector<CatalogEntry> all;
  ASSERT_TRUE(catalog->List("aa", "fashion-mnist", &all).ok());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].key.split_index, 2);
}

TEST(CompressionCatalog, NewWeightsInvalidateTheOldEntriesOfTheModel) {
  std::unique_ptr<CompressionCatalog> catalog;
  ASSERT_TRUE(CompressionCatalog::Open(FreshPath("invalidate"), &catalog).ok());
  ASSERT_TRUE(catalog->Put({MakeEntry("old", 5, "quant:8")}).ok());
  ASSERT_TRUE(catalog->Put({MakeEntry("new", 5, "quant:4")}).ok());
  std::vector<CatalogEntry> old_entries, new_entries;
  ASSERT_TRUE(catalog->List("old", "fashion-mnist", &old_entries).ok());
  ASSERT_TRUE(catalog->List("new", "fashion-mnist", &new_entries).ok());
  EXPECT_TRUE(old_entries.empty());
  EXPECT_EQ(new_entries.size(), 1u);
}

TEST(CompressionCatalog, PersistsAcrossOpens) {
  const std::string path = FreshPath("persist");
  {
    std::unique_ptr<CompressionCatalog> catalog;
    ASSERT_TRUE(CompressionCatalog::Open(path, &catalog).ok());
    ASSERT_TRUE(catalog->Put({MakeEntry("aa", 1, "fp16")}).ok());
  }
  std::unique_ptr<CompressionCatalog> catalog;
  ASSERT_TRUE(CompressionCatalog::Open(path, &catalog).ok());
  std::vector<CatalogEntry> all;
  ASSERT_TRUE(catalog->List("aa", "fashion-mnist", &all).ok());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].key.codec, "fp16");
}

// A catalog of version 1 predates kCodecVersion: it is upgraded in place, and
// its entries, measured by an unknown codec version, are not found until they
// are measured again.
TEST(CompressionCatalog, EntriesOfAnUnknownCodecVersionAreMeasuredAgain) {
  const std::string path =
      OlderCatalog("v1", kDropValidation +
                             "DROP TABLE cut_pairs; ALTER TABLE catalog DROP COLUMN codec_version; "
                             "PRAGMA user_version = 1;");

  ExpectUpgradedAndMeasuredAgain(path);
}

// A two-cut probe is its own entry: found by both cuts, not by the first alone.
TEST(CompressionCatalog, TwoCutProbesAreKeyedByBothCuts) {
  std::unique_ptr<CompressionCatalog> catalog;
  ASSERT_TRUE(CompressionCatalog::Open(FreshPath("pairs"), &catalog).ok());
  CatalogEntry pair = MakeEntry("aa", 5, "prune:0.5");
  pair.then_split = 10;
  pair.then_codec = "prune:0.25";
  pair.then_bytes = {7, 8, 9, 10};
  ASSERT_TRUE(catalog->Put({pair}).ok());
  bool found = true;
  CatalogEntry e;
  ASSERT_TRUE(catalog->Find(pair.key, 1, &found, &e).ok());
  EXPECT_FALSE(found);
  ASSERT_TRUE(catalog->FindPair(pair.key, 10, "prune:0.5", 1, &found, &e).ok());
  EXPECT_FALSE(found);
  ASSERT_TRUE(catalog->FindPair(pair.key, 10, "prune:0.25", 1, &found, &e).ok());
  ASSERT_TRUE(found);
  EXPECT_EQ(e.then_split, 10);
  EXPECT_EQ(e.then_codec, "prune:0.25");
  EXPECT_EQ(e.then_bytes, pair.then_bytes);
  EXPECT_EQ(e.sample_bytes, pair.sample_bytes);
  EXPECT_EQ(e.correct, pair.correct);
  EXPECT_EQ(e.validation_correct, pair.validation_correct);
  // New weights of the model remove its probes too.
  ASSERT_TRUE(catalog->Put({MakeEntry("bb", 5, "none")}).ok());
  ASSERT_TRUE(catalog->FindPair(pair.key, 10, "prune:0.25", 1, &found, &e).ok());
  EXPECT_FALSE(found);
}

// A version-2 file gains the two-cut table; its entries, which have no
// validation samples, are measured again.
TEST(CompressionCatalog, AVersionTwoFileIsUpgradedInPlace) {
  const std::string path =
      OlderCatalog("v2", kDropValidation + "DROP TABLE cut_pairs; PRAGMA user_version = 2;");
  std::unique_ptr<CompressionCatalog> catalog;
  const Status st = CompressionCatalog::Open(path, &catalog);
  ASSERT_TRUE(st.ok()) << st.message();
  bool found = true;
  CatalogEntry e;
  ASSERT_TRUE(catalog->Find(MakeEntry("aa", 1, "fp16").key, 1, &found, &e).ok());
  EXPECT_FALSE(found);
  CatalogEntry pair = MakeEntry("aa", 1, "fp16");
  pair.then_split = 3;
  pair.then_codec = "none";
  pair.then_bytes = {1, 2, 3, 4};
  ASSERT_TRUE(catalog->Put({pair, MakeEntry("aa", 1, "fp16")}).ok());
  ASSERT_TRUE(catalog->FindPair(pair.key, 3, "none", 1, &found, &e).ok());
  EXPECT_TRUE(found);
  ASSERT_TRUE(catalog->Find(MakeEntry("aa", 1, "fp16").key, 1, &found, &e).ok());
  EXPECT_TRUE(found);
}

// A version-3 file predates the validation split: upgraded in place, its
// entries (selection would have had to use test samples) are not found, nor
// listed, until measured again; new ones keep their validation samples.
TEST(CompressionCatalog, EntriesWithoutValidationSamplesAreMeasuredAgain) {
  const std::string path = OlderCatalog("v3", kDropValidation + "PRAGMA user_version = 3;");
  EXPECT_EQ(ExpectUpgradedAndMeasuredAgain(path).validation_correct,
            (std::vector<uint8_t>{1, 0, 0}));
}

}  // namespace
}  // namespace coinfer
