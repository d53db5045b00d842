#include "policies/strip_partition.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

namespace coinfer {

std::vector<int64_t> ProportionalRows(int64_t rows, const std::vector<double>& capacity) {
  const double total = std::accumulate(capacity.begin(), capacity.end(), 0.0);
  std::vector<int64_t> sizes(capacity.size(), 0);
  if (capacity.empty()) return sizes;
  std::vector<double> remainder(capacity.size(), 0);
  int64_t given = 0;
  for (size_t d = 0; d < capacity.size(); ++d) {
    const double share = rows * capacity[d] / total;
    sizes[d] = static_cast<int64_t>(std::floor(share));
    remainder[d] = share - sizes[d];
    given += sizes[d];
  }
  std::vector<size_t> order(capacity.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&remainder](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  for (size_t i = 0; given < rows; ++i, ++given) ++sizes[order[i % order.size()]];
  return sizes;
}

std::vector<RowRange> StripsOf(const std::vector<int64_t>& sizes) {
  std::vector<RowRange> strips;
  int64_t begin = 0;
  for (int64_t size : sizes) {
    strips.push_back({begin, begin + size});
    begin += size;
  }
  return strips;
}

namespace {

std::vector<double> Finishes(const std::vector<int64_t>& sizes, const StripCost& cost) {
  const std::vector<RowRange> strips = StripsOf(sizes);
  std::vector<double> ms(sizes.size(), 0);
  for (size_t d = 0; d < sizes.size(); ++d)
    if (!strips[d].empty()) ms[d] = cost(static_cast<int>(d), strips[d]);
  return ms;
}

}  // namespace

double LatestFinishMs(const std::vector<int64_t>& sizes, const StripCost& cost) {
  const std::vector<double> ms = Finishes(sizes, cost);
  return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end());
}

std::vector<int64_t> RefineRows(std::vector<int64_t> sizes, const StripCost& cost,
                                double* finish_ms) {
  // Finishes, latest first: a move is taken when it makes this smaller,
  // lexicographically. The latest finish never grows, and when two devices
  // tie at it a move off one of them is taken too (a strict decrease of the
  // latest alone would stop there). The order is strict, so the loop ends;
  // the bound only guards against a cost function that is not a function.
  auto latest_first = [](std::vector<double> ms) {
    std::sort(ms.begin(), ms.end(), std::greater<double>());
    return ms;
  };
  std::vector<double> ms = Finishes(sizes, cost);
  std::vector<double> order = latest_first(ms);
  const int64_t rows = std::accumulate(sizes.begin(), sizes.end(), int64_t{0});
  for (int64_t moves = 0; moves < rows * static_cast<int64_t>(sizes.size()); ++moves) {
    const size_t slow = std::max_element(ms.begin(), ms.end()) - ms.begin();
    const size_t fast = std::min_element(ms.begin(), ms.end()) - ms.begin();
    if (slow == fast || sizes[slow] == 0) break;
    std::vector<int64_t> moved = sizes;
    --moved[slow];
    ++moved[fast];
    std::vector<double> moved_ms = Finishes(moved, cost);
    std::vector<double> moved_order = latest_first(moved_ms);
    if (!(moved_order < order)) break;
    sizes = std::move(moved);
    ms = std::move(moved_ms);
    order = std::move(moved_order);
  }
  if (finish_ms) *finish_ms = order.empty() ? 0 : order.front();
  return sizes;
}

}  // namespace coinfer
