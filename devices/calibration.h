// Calibration: fits a device's per-kind linear latency model
//   latency = fixed + a·MACs + b·(input + output bytes) + c·parameter bytes
// to measured layer rows (per kind, and per kind and kernel where a kind's
// rows ran on several kernels: LibTorch's native and oneDNN convolutions differ
// 38x per MAC on the host) of a profile by least squares of the relative error
// (LibTorch's linalg_lstsq), every coefficient kept non-negative (the most negative one is
// dropped and the rest refitted until none is). A kind with fewer rows than
// coefficients takes the fit of all rows ("*"). Prediction error is measured,
// never assumed: leave one model out, fit on the others, predict its layers
// and its whole-model time.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "base/status.h"
#include "devices/device_model.h"
#include "devices/profile.h"

namespace coinfer {

// Kind name (as LayerKindName) -> coefficients; "*" holds the fit of all rows.
// A kind whose rows ran on several kernels also has a fit per kernel, under
// KernelFitKey(kind, kernel), which a layer of that kernel takes first.
using KindFits = std::map<std::string, KindCoefficients>;
// Model name -> its recorded graph, for segment rows (their features are the
// sums over their layers). Layer rows need none.
using Graphs = std::map<std::string, Graph>;

// Fits the layer and segment rows of `rows` (whole-model rows are left for
// checking). InvalidInput when there are none, or a segment's model has no graph.
Status FitKinds(const std::vector<ProfileRow>& rows, const Graphs& graphs, KindFits* out);

// Predicted latency of a layer row, in ms.
double PredictMs(const KindFits& fits, const ProfileRow& row);

// One held-out row: what was measured and what the fit without its model predicts.
struct HeldOutPrediction {
  std::string name, kind, kernel;
  double measured_ms = 0;
  double predicted_ms = 0;
};

struct HeldOutError {
  std::string model;
  std::vector<HeldOutPrediction> predictions;  // its layer and segment rows
  // |Σ predicted layers (or segments) − measured whole model (or Σ measured)| / measured
  double end_to_end_error = 0;
  std::map<std::string, std::vector<double>> errors;  // kind -> |pred − meas| / meas per row
};

// Leave-one-model-out errors for each model of `rows` (at least two models).
Status LeaveOneModelOut(const std::vector<ProfileRow>& rows, const Graphs& graphs,
                        std::vector<HeldOutError>* out);

// The fits as a .device file (format: docs/formats.md). `profiles` are named
// in it (paths relative to the file) so measured rows take precedence.
// `power` is written when known().
void WriteDeviceFile(const std::string& device, int cores, const KindFits& fits,
                     const std::vector<std::string>& profiles, const DevicePower& power,
                     const std::vector<std::string>& provenance, std::ostream& os);

}  // namespace coinfer
