#include "devices/calibration.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "base/parse.h"

namespace coinfer {
namespace {

constexpr int kFeatures = 4;  // 1, MACs, input+output bytes, parameter bytes

bool IsLayerRow(const ProfileRow& r) { return r.kind != "model" && r.kind != "segment"; }

int64_t Elements(const std::string& shape) {
  int64_t n = 1;
  for (const std::string& d : SplitFields(shape, 'x')) {
    int64_t dim = 0;
    ParseCount(d, &dim);  // shapes are checked when a profile is read
    n *= dim;
  }
  return n;
}

using Features = std::array<double, kFeatures>;

// A measured latency and what the model is fitted on: the row's own layer, or
// for a segment the sums over its layers (so `fixed` is paid per layer).
struct Sample {
  const ProfileRow* row;
  Features features;
};

Features LayerFeatures(const ProfileRow& r) {
  // Element size from the output: bytes / elements.
  const int64_t out_elements = Elements(r.output_shape);
  const double element_bytes = out_elements > 0 ? double(r.output_bytes) / out_elements : 4.0;
  double input_bytes = 0;
  for (const std::string& s : SplitFields(r.input_shape, ';'))
    input_bytes += Elements(s) * element_bytes;
  return {1.0, double(r.macs), input_bytes + double(r.output_bytes), double(r.param_bytes)};
}

Status SegmentFeatures(const ProfileRow& r, const Graphs& graphs, Features* f) {
  auto g = graphs.find(r.model);
  if (g == graphs.end())
    return Status::InvalidInput(r.where, "model", "no graph of '" + r.model + "' for its segment");
  const auto [begin, end] = SegmentRange(r);
  if (end > g->second.size())
    return Status::InvalidInput(r.where, "name",
                                "segment '" + r.name + "' outside " + r.model + "'s " +
                                    std::to_string(g->second.size()) + " layers");
  *f = {};
  for (int i = begin; i < end; ++i) {
    const Layer& l = g->second.layers[i];
    (*f)[0] += 1;
    (*f)[1] += double(l.macs);
    (*f)[2] += double(l.input_bytes + l.output_bytes);
    (*f)[3] += double(l.param_bytes);
  }
  return Status::Ok();
}

// Layer and segment rows as samples (whole-model rows are only checked against).
Status Samples(const std::vector<ProfileRow>& rows, const Graphs& graphs,
               std::vector<Sample>* out) {
  out->clear();
  for (const ProfileRow& r : rows) {
    if (r.kind == "model") continue;
    Sample s{&r, {}};
    if (r.kind == "segment") {
      COINFER_RETURN_IF_ERROR(SegmentFeatures(r, graphs, &s.features));
    } else {
      s.features = LayerFeatures(r);
    }
    out->push_back(s);
  }
  return Status::Ok();
}

// Non-negative least squares of relative error, by elimination: solve, drop
// the most negative coefficient, repeat. Columns are scaled to [0, 1] for
// conditioning.
Features FitSamples(const std::vector<const Sample*>& samples) {
  std::vector<bool> active(kFeatures, true);
  Features scale{};
  for (const Sample* s : samples)
    for (int j = 0; j < kFeatures; ++j) scale[j] = std::max(scale[j], std::abs(s->features[j]));
  for (int j = 0; j < kFeatures; ++j)
    if (scale[j] == 0) active[j] = false;  // a feature that is always 0 tells nothing
  while (true) {
    std::vector<int> cols;
    for (int j = 0; j < kFeatures; ++j)
      if (active[j]) cols.push_back(j);
    Features coef{};
    if (cols.empty()) return coef;
    torch::Tensor a =
        torch::zeros({int64_t(samples.size()), int64_t(cols.size())}, torch::kFloat64);
    torch::Tensor b = torch::zeros({int64_t(samples.size()), 1}, torch::kFloat64);
    auto A = a.accessor<double, 2>();
    auto B = b.accessor<double, 2>();
    for (size_t i = 0; i < samples.size(); ++i) {
      // Each row divided by its latency: the fit minimises relative error, so
      // small layers count as much as large ones.
      const double ms = samples[i]->row->median_ms;
      const double weight = 1.0 / std::max(ms, 1e-6);
      for (size_t c = 0; c < cols.size(); ++c)
        A[i][c] = weight * samples[i]->features[cols[c]] / scale[cols[c]];
      B[i][0] = weight * ms;
    }
    // gelsd: minimum-norm solution, also for rank-deficient systems.
    const torch::Tensor x = std::get<0>(torch::linalg_lstsq(a, b, c10::nullopt, "gelsd"));
    int most_negative = -1;
    for (size_t c = 0; c < cols.size(); ++c) {
      coef[cols[c]] = x[c][0].item<double>() / scale[cols[c]];
      if (coef[cols[c]] < 0 && (most_negative < 0 || coef[cols[c]] < coef[most_negative]))
        most_negative = cols[c];
    }
    if (most_negative < 0) return coef;
    active[most_negative] = false;
  }
}

double Predict(const KindFits& fits, const Sample& s) {
  auto it = fits.find(KernelFitKey(s.row->kind, s.row->kernel));
  if (it == fits.end()) it = fits.find(s.row->kind);
  const KindCoefficients& c = it != fits.end() ? it->second : fits.at("*");
  return (c.fixed_us * 1e3 * s.features[0] + c.ns_per_mac * s.features[1] +
          c.ns_per_io_byte * s.features[2] + c.ns_per_param_byte * s.features[3]) /
         1e6;
}

KindCoefficients ToCoefficients(const Features& ms) {
  // ms per unit -> the device file's units.
  return {ms[0] * 1e3, ms[1] * 1e6, ms[2] * 1e6, ms[3] * 1e6};
}

}  // namespace

Status FitSamples(const std::vector<Sample>& samples, KindFits* out) {
  std::vector<const Sample*> all;
  std::map<std::string, std::vector<const Sample*>> by_kind;
  // kind -> kernel -> its rows
  std::map<std::string, std::map<std::string, std::vector<const Sample*>>> by_kernel;
  for (const Sample& s : samples) {
    all.push_back(&s);
    if (!IsLayerRow(*s.row)) continue;
    by_kind[s.row->kind].push_back(&s);
    if (!s.row->kernel.empty()) by_kernel[s.row->kind][s.row->kernel].push_back(&s);
  }
  if (all.empty()) return Status::InvalidInput("", "profile", "no layer or segment rows to fit");
  KindFits fits;
  fits["*"] = ToCoefficients(FitSamples(all));
  for (const auto& [kind, kind_samples] : by_kind)
    if (kind_samples.size() >= kFeatures) fits[kind] = ToCoefficients(FitSamples(kind_samples));
  // A kind whose layers ran on different kernels gets a fit per kernel.
  for (const auto& [kind, kernels] : by_kernel) {
    if (kernels.size() < 2) continue;
    for (const auto& [kernel, kernel_samples] : kernels)
      if (kernel_samples.size() >= kFeatures)
        fits[KernelFitKey(kind, kernel)] = ToCoefficients(FitSamples(kernel_samples));
  }
  *out = std::move(fits);
  return Status::Ok();
}

Status FitKinds(const std::vector<ProfileRow>& rows, const Graphs& graphs, KindFits* out) {
  std::vector<Sample> samples;
  COINFER_RETURN_IF_ERROR(Samples(rows, graphs, &samples));
  return FitSamples(samples, out);
}

double PredictMs(const KindFits& fits, const ProfileRow& row) {
  return Predict(fits, Sample{&row, LayerFeatures(row)});
}

Status LeaveOneModelOut(const std::vector<ProfileRow>& rows, const Graphs& graphs,
                        std::vector<HeldOutError>* out) {
  std::set<std::string> models;
  for (const ProfileRow& r : rows) models.insert(r.model);
  if (models.size() < 2)
    return Status::InvalidInput("", "profile", "leave-one-model-out needs at least two models");
  std::vector<Sample> samples;
  COINFER_RETURN_IF_ERROR(Samples(rows, graphs, &samples));
  out->clear();
  for (const std::string& held : models) {
    std::vector<Sample> train;
    for (const Sample& s : samples)
      if (s.row->model != held) train.push_back(s);
    KindFits fits;
    COINFER_RETURN_IF_ERROR(FitSamples(train, &fits));
    HeldOutError e;
    e.model = held;
    // End to end: the layers' predictions if the model has layer rows, else its segments'.
    double layers_predicted = 0, layers_measured = 0, segments_predicted = 0, segments_measured = 0,
           whole = -1;
    for (const ProfileRow& r : rows)
      if (r.model == held && r.kind == "model") whole = r.median_ms;
    for (const Sample& s : samples) {
      if (s.row->model != held) continue;
      const double p = Predict(fits, s), m = s.row->median_ms;
      if (m > 0) e.errors[s.row->kind].push_back(std::abs(p - m) / m);
      e.predictions.push_back({s.row->name, s.row->kind, s.row->kernel, m, p});
      if (s.row->kind == "segment") {
        segments_predicted += p;
        segments_measured += m;
      } else {
        layers_predicted += p;
        layers_measured += m;
      }
    }
    const bool by_layers = layers_measured > 0;
    const double predicted = by_layers ? layers_predicted : segments_predicted;
    const double measured = whole > 0 ? whole : by_layers ? layers_measured : segments_measured;
    e.end_to_end_error = measured > 0 ? std::abs(predicted - measured) / measured : 0;
    out->push_back(std::move(e));
  }
  return Status::Ok();
}

void WriteDeviceFile(const std::string& device, int cores, const KindFits& fits,
                     const std::vector<std::string>& profiles, const DevicePower& power,
                     const std::vector<std::string>& provenance, std::ostream& os) {
  for (const std::string& line : provenance) os << "# " << line << "\n";
  os << "name," << device << "\ncores," << cores << "\n";
  if (power.known()) {
    os << "power," << power.idle_w << "," << power.compute_w << "," << power.transmit_w << ","
       << power.transmit_w_per_mbps << "\n";
  }
  for (const std::string& p : profiles) os << "profile," << p << "\n";
  os << "kind,fixed_us,ns_per_mac,ns_per_io_byte,ns_per_param_byte\n";
  for (const auto& [kind, c] : fits)
    os << kind << "," << c.fixed_us << "," << c.ns_per_mac << "," << c.ns_per_io_byte << ","
       << c.ns_per_param_byte << "\n";
}

}  // namespace coinfer
