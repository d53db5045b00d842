// How EdgeDI sizes the strips of one segment: rows in proportion to each
// device's capacity, then greedy refinement — one row moves from the device
// finishing last to the one finishing first while the latest finish
// improves (or, when devices tie at it, the next latest does). Strips are contiguous, in device
// order, top to bottom; a device's finish comes from a cost function of its strip (EdgeDI: compute
// of the strip plus its upload with the halo and its output's download).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "dnn/strips.h"

namespace coinfer {

// Rows per device in proportion to `capacity` (positive and finite; the
// largest remainders get the rows rounding leaves, ties to the earlier
// device). No devices: none.
std::vector<int64_t> ProportionalRows(int64_t rows, const std::vector<double>& capacity);

// The strips of `sizes` rows laid out from row 0 in device order.
std::vector<RowRange> StripsOf(const std::vector<int64_t>& sizes);

// A device's predicted finish (ms) for a strip of rows; an empty strip
// costs nothing.
using StripCost = std::function<double(int device, RowRange rows)>;

// The greedy refinement of `sizes` under `cost`; returns the refined sizes.
// *finish_ms, when given: the latest finish of the result.
std::vector<int64_t> RefineRows(std::vector<int64_t> sizes, const StripCost& cost,
                                double* finish_ms = nullptr);

// The latest finish of the strips of `sizes` under `cost`.
double LatestFinishMs(const std::vector<int64_t>& sizes, const StripCost& cost);

}  // namespace coinfer
