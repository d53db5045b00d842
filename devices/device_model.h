// DeviceModel: how long a layer or a segment of layers takes on one device.
// A per-kind linear model: for a layer of kind k,
//   latency = fixed_us[k] + ns_per_mac[k]·MACs + ns_per_io_byte[k]·(input + output bytes)
//             + ns_per_param_byte[k]·parameter bytes.
// Coefficients come from a device file (format: docs/formats.md), each with
// the source of its numbers. Immutable after Load: safe to share across threads.
#pragma once

#include <array>
#include <string>

#include "base/status.h"
#include "dnn/graph.h"

namespace coinfer {

struct KindCoefficients {
  double fixed_us = 0;
  double ns_per_mac = 0;
  double ns_per_io_byte = 0;
  double ns_per_param_byte = 0;
};

class DeviceModel {
 public:
  // Reads a device file. On failure returns InvalidInput naming file:line and
  // the field, and leaves *out untouched.
  static Status Load(const std::string& path, DeviceModel* out);
  // A model from coefficients, for tests and derived devices.
  static DeviceModel FromCoefficients(std::string name, int cores, const KindCoefficients& all);

  const std::string& name() const { return name_; }
  // Concurrent compute slots: one inference stage occupies one slot.
  int cores() const { return cores_; }

  double LayerLatencyMs(const Layer& layer) const;
  // Sum over layers [begin, end) of the graph's topological order.
  double SegmentLatencyMs(const Graph& graph, int begin, int end) const;

 private:
  static constexpr int kKinds = static_cast<int>(LayerKind::kFlatten) + 1;

  std::string name_;
  int cores_ = 1;
  std::array<KindCoefficients, kKinds> coefficients_{};
};

}  // namespace coinfer
