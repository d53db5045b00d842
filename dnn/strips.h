// Strips: a chain of row-local layers (convolutions, pooling, batch norm,
// activations) computed for a band of its output rows only, as EdgeDI spreads
// a segment over a cluster's devices. Output row r of a layer reads a window
// of input rows (Layer::rows, clipped to the input), so a band of output rows
// needs a wider band of input rows, its halo; strips of one segment then
// compute independently.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "dnn/graph.h"

namespace coinfer {

// Rows [begin, end) of a layer's NCHW output (or input).
struct RowRange {
  int64_t begin = 0, end = 0;
  int64_t size() const { return end - begin; }
  bool empty() const { return end <= begin; }
  bool operator==(const RowRange& o) const { return begin == o.begin && end == o.end; }
};

// For output rows `out` of layer end − 1, the rows each layer of [begin, end)
// computes (produced[i − begin]) and the rows of the segment's input they
// read. An InvalidInput when a layer is not row-local, reads anything but
// the layer before it, or `out` is not within the last layer's rows.
Status StripRows(const Graph& graph, int begin, int end, RowRange out,
                 std::vector<RowRange>* produced, RowRange* input);

// The graph with layers [begin, end) reduced to the strip of output rows
// `out`: each layer computes its produced rows only (MACs and output bytes in
// proportion, its output shape with those rows) from its input rows (input
// bytes likewise). Its model is named MODEL@rows=B-E:L (the strip's rows of
// layer L), so a device's measurements of the whole model do not price it and
// measurements of that strip would.
Status StripGraph(const Graph& graph, int begin, int end, RowRange out, Graph* strip);

// A segment EdgeDI spreads over a cluster: layers [begin, end), a run of
// row-local layers each reading the one before it (the first reads any
// single tensor), cut after every pooling layer, whose inner outputs no
// other layer reads, and holding a convolution.
struct Segment {
  int begin = 0, end = 0;
  bool operator==(const Segment& o) const { return begin == o.begin && end == o.end; }
};

// The graph's segments in layer order: the longest runs under those rules
// (small_vgg: the two blocks of convolutions, each with its pooling).
std::vector<Segment> StripSegments(const Graph& graph);

// The bytes of rows `rows` of layer `begin`'s input: what a strip is sent.
int64_t StripInputBytes(const Graph& graph, int begin, RowRange rows);

}  // namespace coinfer
