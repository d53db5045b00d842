// DeviceModel: how long a layer or a segment of layers takes on one device.
// Measured first: a device file may name profiles (devices/profile.h), and a
// segment, whole model or layer that was measured on this device takes its
// measured median. Otherwise a per-kind linear model: for a layer of kind k,
//   latency = fixed_us[k] + ns_per_mac[k]·MACs + ns_per_io_byte[k]·(input + output bytes)
//             + ns_per_param_byte[k]·parameter bytes.
// Coefficients come from a device file (format: docs/formats.md), each with
// the source of its numbers. Immutable after Load: safe to share across threads.
#pragma once

#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "dnn/graph.h"

namespace coinfer {

struct KindCoefficients {
  double fixed_us = 0;
  double ns_per_mac = 0;
  double ns_per_io_byte = 0;
  double ns_per_param_byte = 0;
};

// Electrical power of a device in its states, for energy per request: idle,
// computing, and transmitting on its radio at `mbps` (transmit_w +
// transmit_w_per_mbps·mbps, the form of Huang et al.'s LTE model). Negative:
// not known (a device file without a power line).
struct DevicePower {
  double idle_w = -1;
  double compute_w = -1;
  double transmit_w = -1;
  double transmit_w_per_mbps = 0;

  bool known() const { return idle_w >= 0 && compute_w >= 0 && transmit_w >= 0; }
};

// The device file's row name of a kind's fit for one kernel (Layer::kernel):
// "KIND/KERNEL", e.g. "conv/mkldnn_convolution".
inline std::string KernelFitKey(const std::string& kind, const std::string& kernel) {
  return kind + "/" + kernel;
}

class DeviceModel {
 public:
  // Reads a device file. On failure returns InvalidInput naming file:line and
  // the field, and leaves *out untouched.
  static Status Load(const std::string& path, DeviceModel* out);
  // A model from coefficients, for tests and derived devices.
  static DeviceModel FromCoefficients(std::string name, int cores, const KindCoefficients& all,
                                      double task_overhead_ms = 0,
                                      const DevicePower& power = DevicePower());
  // The same device known only through its regression: no measured row (what
  // a policy that predicts per layer kind knows, e.g. Neurosurgeon).
  DeviceModel RegressionOnly() const;
  // An InvalidInput naming the profile row when a measured row of
  // graph.model names a layer or segment outside the graph's layers.
  Status CheckRows(const Graph& graph) const;

  const std::string& name() const { return name_; }
  // Concurrent compute slots: one inference stage occupies one slot.
  int cores() const { return cores_; }
  const DevicePower& power() const { return power_; }
  // A fixed cost of every compute task (stage) the device runs, on top of
  // its layers' times: dispatch, framework set-up (EdgeLD's model of a
  // Raspberry Pi has 19.7 ms). 0 unless the device file says otherwise.
  double task_overhead_ms() const { return task_overhead_ms_; }
  // The time of a compute task running layers [begin, end): their
  // SegmentLatencyMs plus the task overhead; 0 for an empty range.
  double TaskLatencyMs(const Graph& graph, int begin, int end) const {
    return begin < end ? SegmentLatencyMs(graph, begin, end) + task_overhead_ms_ : 0;
  }

  // The regression's prediction for a layer (no measured row): the fit of its
  // kind and kernel if the device file has one, else of its kind.
  double PredictLayerMs(const Layer& layer) const;
  // Layers [begin, end) of the graph's topological order: the measured whole
  // model if the range is the model, else the range tiled from its start by
  // the longest measured segments that fit, then measured layer rows; a part
  // of a measured segment gets the segment's time in proportion to the
  // regression (so parts add up to the measurement); where nothing was
  // measured, the regression. A measured layer row counts only if its kind,
  // output shape and kernel (when both know it) match the graph's layer.
  double SegmentLatencyMs(const Graph& graph, int begin, int end) const;
  // Whether SegmentLatencyMs of that range used measurements only (no
  // regression, no proportional share).
  bool SegmentMeasured(const Graph& graph, int begin, int end) const;
  // How much a run of the graph's model varies from pass to pass on this
  // device, as the spread of a lognormal whose median is the measured
  // median: ln(p90 / median) / 1.2816 of the model's whole-model row, else
  // the median of that over the device's whole-model rows; 0 when no
  // whole-model row recorded a p90 above its median (tables of means).
  double SpreadSigma(const Graph& graph) const;
  // Any set of layers (ascending indices): the sum over its runs of
  // consecutive layers, each a segment as above. *measured (if given): whether
  // every run used measurements only.
  double LayersLatencyMs(const Graph& graph, const std::vector<int>& layers,
                         bool* measured = nullptr) const;

 private:
  static constexpr int kKinds = kLayerKinds;
  static constexpr int kWholeModel = -1;  // end of the range of a whole-model row

  struct Measured {
    double ms;
    double p90_ms;
    std::string kind;
    std::string output_shape;
    std::string kernel;  // empty: not recorded
    std::string where;   // the profile's file:line
  };
  const Measured* Find(const Graph& graph, int begin, int end) const;
  const Measured* FindLayer(const Graph& graph, int index) const;
  double Tile(const Graph& graph, int begin, int end, bool* all_measured) const;
  double PredictRangeMs(const Graph& graph, int begin, int end) const;
  Status AddProfile(const std::string& path, const std::string& where);

  std::string name_;
  int cores_ = 1;
  DevicePower power_;
  double task_overhead_ms_ = 0;
  std::array<KindCoefficients, kKinds> coefficients_{};
  std::map<std::pair<LayerKind, std::string>, KindCoefficients> kernel_coefficients_;
  // model -> (begin, end) -> measured median; end == kWholeModel for whole models.
  std::map<std::string, std::map<std::pair<int, int>, Measured>> measured_;
};

}  // namespace coinfer
