#include "sim/measured_compression.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "dnn/zoo.h"

namespace coinfer {
namespace {

// Entries of "none" and "quant:8" at every split point of `graph` but the
// last, each with `samples` test samples (bytes 100 + i, every third one
// wrong) and `validation` validation samples (every other one right);
// `longer_split` gets 50 more test samples, all wrong and large, and 7 more
// validation samples, as a larger earlier run would have stored.
std::string CatalogWith(const Graph& graph, const std::string& name, int samples, int validation,
                        int longer_split) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::filesystem::remove(path);
  std::unique_ptr<CompressionCatalog> catalog;
  EXPECT_TRUE(CompressionCatalog::Open(path, &catalog).ok());
  std::vector<CatalogEntry> entries;
  const std::vector<SplitPoint> points = graph.SplitPoints();
  for (const char* codec : {"none", "quant:8"}) {
    for (size_t k = 0; k + 1 < points.size(); ++k) {
      CatalogEntry e;
      e.key = {graph.model, "sha", "fashion-mnist", points[k].index, codec};
      const int n = samples + (points[k].index == longer_split ? 50 : 0);
      for (int i = 0; i < n; ++i) {
        e.sample_bytes.push_back(i < samples ? 100 + i : 1'000'000);
        e.correct.push_back(i < samples && i % 3 != 0);
        e.agrees.push_back(1);
      }
      // Alternating, so that keeping the last samples instead of the first shows.
      const int v = points[k].index == longer_split ? validation + 7 : validation;
      for (int i = 0; i < v; ++i) e.validation_correct.push_back(i % 2);
      entries.push_back(e);
    }
  }
  EXPECT_TRUE(catalog->Put(entries).ok());
  return path;
}

MeasuredCompression Load(const std::string& path, const Graph& graph, int64_t samples) {
  std::unique_ptr<CompressionCatalog> catalog;
  EXPECT_TRUE(CompressionCatalog::Open(path, &catalog).ok());
  MeasuredCompression m;
  const Status st =
      LoadMeasuredCompression(*catalog, "sha", "fashion-mnist", {"quant:8"}, graph, samples, &m);
  EXPECT_TRUE(st.ok()) << st.message();
  return m;
}

// Same scenario, same results: an entry an earlier, larger run stored (more
// test and validation samples) changes nothing a run loads.
TEST(MeasuredCompression, EntriesAreCutToTheRunsSamplesWhateverWasStored) {
  Graph graph;
  ASSERT_TRUE(RecordZooGraph("small_vgg", &graph).ok());
  const int split = graph.SplitPoints()[2].index;
  const MeasuredCompression plain =
      Load(CatalogWith(graph, "mc_even.sqlite", 30, 20, -1), graph, 30);
  const MeasuredCompression longer =
      Load(CatalogWith(graph, "mc_longer.sqlite", 30, 20, split), graph, 30);
  EXPECT_EQ(longer.samples, 30);
  EXPECT_EQ(longer.validation_samples, 20);
  for (const auto& [index, e] : longer.at_split[0]) {
    const CatalogEntry& same = plain.at_split[0].at(index);
    EXPECT_EQ(e.sample_bytes, same.sample_bytes) << index;
    EXPECT_EQ(e.correct, same.correct) << index;
    EXPECT_EQ(e.validation_correct, same.validation_correct) << index;
    EXPECT_DOUBLE_EQ(e.MeanBytes(), 100 + 29 / 2.0) << index;
    EXPECT_DOUBLE_EQ(e.Accuracy(), 20 / 30.0) << index;
  }
  // A run asking for fewer samples than were stored gets that many.
  const MeasuredCompression fewer =
      Load(CatalogWith(graph, "mc_fewer.sqlite", 30, 20, -1), graph, 12);
  EXPECT_EQ(fewer.samples, 12);
  EXPECT_EQ(fewer.plain_correct.size(), 12u);
  EXPECT_EQ(fewer.validation_samples, 12);
  EXPECT_EQ(fewer.at_split[0].begin()->second.sample_bytes.size(), 12u);
}

}  // namespace
}  // namespace coinfer
