// Sweep files: an input error, or points that are the axes' product, in
// order, each shard taking its share.
#include <vector>

#include "fuzz/fuzz_file.h"
#include "run/sweep.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coinfer;
  const std::string path = WriteFuzzFile("sweep.ini", data, size);
  Sweep sweep;
  if (!LoadSweep(path, &sweep).ok()) return 0;
  FuzzCheck(!sweep.scenario.empty());
  size_t product = 1, per_point = sweep.fixed.size();
  for (const SweepAxis& axis : sweep.axes) {
    FuzzCheck(!axis.keys.empty() && !axis.values.empty());
    for (const auto& value : axis.values) FuzzCheck(value.size() == axis.keys.size());
    product *= axis.values.size();
    per_point += axis.keys.size();
  }
  FuzzCheck(product <= static_cast<size_t>(kMaxSweepPoints));
  if (product > 10000) return 0;  // expanding a million points is slow, not wrong
  const std::vector<SweepPoint> points = ExpandSweep(sweep);
  FuzzCheck(points.size() == product);
  for (size_t i = 0; i < points.size(); ++i) {
    FuzzCheck(points[i].index == static_cast<int64_t>(i));
    FuzzCheck(points[i].overrides.size() == per_point);
  }
  for (int64_t n = 1; n <= 3; ++n) {  // every point in exactly one shard
    std::vector<int> shards_of(points.size(), 0);
    for (int64_t k = 1; k <= n; ++k)
      for (const SweepPoint& p : ShardPoints(points, k, n)) ++shards_of.at(p.index);
    for (const int count : shards_of) FuzzCheck(count == 1);
  }
  return 0;
}
