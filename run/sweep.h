// A sweep: a base scenario and lists of values for any of its keys, expanded
// into one run per point of their Cartesian product (docs/formats.md, "Sweep
// files"). Reading and expanding only: `coinfer sweep` runs the points.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace coinfer {

// One axis: the keys it sets together (one, or several joined by '+') and
// its values, in the order written, each a value per key.
struct SweepAxis {
  std::vector<std::string> keys;
  std::vector<std::vector<std::string>> values;
  std::string where;  // file:line
};

struct Sweep {
  std::string path;
  std::string scenario;            // the base scenario, resolved against the sweep's folder
  std::vector<std::string> fixed;  // "key=value" applied to every point
  std::vector<SweepAxis> axes;     // in file order
};

// One run: the base scenario with `overrides` ("key=value", as --set).
struct SweepPoint {
  int64_t index = 0;  // 0-based, in expansion order
  std::vector<std::string> overrides;
  std::vector<std::string> swept;  // the axes' "key=value" only, for labels
};

// At most this many points: a typo in a range must not start a year of runs.
constexpr int64_t kMaxSweepPoints = 1000000;

// Reads `path`: `scenario = FILE` (required), `sweep.KEY = VALUES` per axis,
// any other `KEY = VALUE` for every point; '#' starts a comment. Keys that
// move together make one axis: `sweep.K1+K2 = A1+A2 | B1+B2` (each value
// split on '+', a part per key). VALUES are
// separated by '|' when there is one (so a value may hold commas, as policy
// lists do), else by ','; an item A..B of two integers stands for A, A+1,
// ..., B (any other item is a value as written: "../a.up" is a path).
// Errors name file:line and the key.
Status LoadSweep(const std::string& path, Sweep* out);

// Every point, the first axis varying slowest (like nested loops written in
// file order).
std::vector<SweepPoint> ExpandSweep(const Sweep& sweep);

// "K/N" with 1 <= K <= N (a shard of a cluster's job array).
Status ParseShard(const std::string& text, int64_t* k, int64_t* n);

// Shard K of N: the points whose index % N == K - 1 (every N-th point, so
// that shards get the axes' values evenly).
std::vector<SweepPoint> ShardPoints(std::vector<SweepPoint> points, int64_t k, int64_t n);

}  // namespace coinfer
