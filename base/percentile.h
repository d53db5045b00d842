// Percentiles as common tools compute them, so a user can check coinfer's
// figures. Percentile: linear interpolation between closest ranks (numpy's default).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace coinfer {

// q in [0, 1]. Returns 0 for an empty input.
inline double Percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double rank = q * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  const double frac = rank - static_cast<double>(lo);
  return values[lo] + frac * (values[hi] - values[lo]);
}

// The smallest value at or above the q-quantile's rank: sorted[ceil(q·(n−1))]
// (numpy's method="higher"). Always a value that occurred.
inline double PercentileHigher(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size() - 1)));
  return values[std::min(rank, values.size() - 1)];
}

}  // namespace coinfer
