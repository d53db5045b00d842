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
  for (const std::string& d : SplitFields(shape, 'x')) n *= std::stoll(d);
  return n;
}

std::array<double, kFeatures> Features(const ProfileRow& r) {
  // Element size from the output: bytes / elements.
  const int64_t out_elements = Elements(r.output_shape);
  const double element_bytes = out_elements > 0 ? double(r.output_bytes) / out_elements : 4.0;
  double input_bytes = 0;
  for (const std::string& s : SplitFields(r.input_shape, ';'))
    input_bytes += Elements(s) * element_bytes;
  return {1.0, double(r.macs), input_bytes + double(r.output_bytes), double(r.param_bytes)};
}

// Non-negative least squares of relative error, by elimination: solve, drop
// the most negative coefficient, repeat. Columns are scaled to [0, 1] for
// conditioning.
std::array<double, kFeatures> FitRows(const std::vector<const ProfileRow*>& rows) {
  std::vector<bool> active(kFeatures, true);
  std::array<double, kFeatures> scale{};
  for (const ProfileRow* r : rows) {
    const auto f = Features(*r);
    for (int j = 0; j < kFeatures; ++j) scale[j] = std::max(scale[j], std::abs(f[j]));
  }
  for (int j = 0; j < kFeatures; ++j)
    if (scale[j] == 0) active[j] = false;  // a feature that is always 0 tells nothing
  while (true) {
    std::vector<int> cols;
    for (int j = 0; j < kFeatures; ++j)
      if (active[j]) cols.push_back(j);
    std::array<double, kFeatures> coef{};
    if (cols.empty()) return coef;
    torch::Tensor a = torch::zeros({int64_t(rows.size()), int64_t(cols.size())}, torch::kFloat64);
    torch::Tensor b = torch::zeros({int64_t(rows.size()), 1}, torch::kFloat64);
    auto A = a.accessor<double, 2>();
    auto B = b.accessor<double, 2>();
    for (size_t i = 0; i < rows.size(); ++i) {
      // Each row divided by its latency: the fit minimises relative error, so
      // small layers count as much as large ones.
      const double weight = 1.0 / std::max(rows[i]->median_ms, 1e-6);
      const auto f = Features(*rows[i]);
      for (size_t c = 0; c < cols.size(); ++c) A[i][c] = weight * f[cols[c]] / scale[cols[c]];
      B[i][0] = weight * rows[i]->median_ms;
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

KindCoefficients ToCoefficients(const std::array<double, kFeatures>& ms) {
  // ms per unit -> the device file's units.
  return {ms[0] * 1e3, ms[1] * 1e6, ms[2] * 1e6, ms[3] * 1e6};
}

}  // namespace

Status FitKinds(const std::vector<ProfileRow>& rows, KindFits* out) {
  std::vector<const ProfileRow*> all;
  std::map<std::string, std::vector<const ProfileRow*>> by_kind;
  for (const ProfileRow& r : rows) {
    if (!IsLayerRow(r)) continue;
    all.push_back(&r);
    by_kind[r.kind].push_back(&r);
  }
  if (all.empty()) return Status::InvalidInput("", "profile", "no layer rows to fit");
  KindFits fits;
  fits["*"] = ToCoefficients(FitRows(all));
  for (const auto& [kind, kind_rows] : by_kind)
    if (kind_rows.size() >= kFeatures) fits[kind] = ToCoefficients(FitRows(kind_rows));
  *out = std::move(fits);
  return Status::Ok();
}

double PredictMs(const KindFits& fits, const ProfileRow& row) {
  auto it = fits.find(row.kind);
  const KindCoefficients& c = it != fits.end() ? it->second : fits.at("*");
  const auto f = Features(row);
  return (c.fixed_us * 1e3 + c.ns_per_mac * f[1] + c.ns_per_io_byte * f[2] +
          c.ns_per_param_byte * f[3]) /
         1e6;
}

Status LeaveOneModelOut(const std::vector<ProfileRow>& rows, std::vector<HeldOutError>* out) {
  std::set<std::string> models;
  for (const ProfileRow& r : rows) models.insert(r.model);
  if (models.size() < 2)
    return Status::InvalidInput("", "profile", "leave-one-model-out needs at least two models");
  out->clear();
  for (const std::string& held : models) {
    std::vector<ProfileRow> train;
    for (const ProfileRow& r : rows)
      if (r.model != held) train.push_back(r);
    KindFits fits;
    COINFER_RETURN_IF_ERROR(FitKinds(train, &fits));
    HeldOutError e;
    e.model = held;
    double predicted = 0, measured_layers = 0, measured_whole = -1;
    for (const ProfileRow& r : rows) {
      if (r.model != held) continue;
      if (r.kind == "model") measured_whole = r.median_ms;
      if (!IsLayerRow(r)) continue;
      const double p = PredictMs(fits, r);
      predicted += p;
      measured_layers += r.median_ms;
      if (r.median_ms > 0)
        e.layer_errors[r.kind].push_back(std::abs(p - r.median_ms) / r.median_ms);
    }
    const double measured = measured_whole > 0 ? measured_whole : measured_layers;
    e.end_to_end_error = measured > 0 ? std::abs(predicted - measured) / measured : 0;
    out->push_back(std::move(e));
  }
  return Status::Ok();
}

void WriteDeviceFile(const std::string& device, int cores, const KindFits& fits,
                     const std::vector<std::string>& profiles,
                     const std::vector<std::string>& provenance, std::ostream& os) {
  for (const std::string& line : provenance) os << "# " << line << "\n";
  os << "name," << device << "\ncores," << cores << "\n";
  for (const std::string& p : profiles) os << "profile," << p << "\n";
  os << "kind,fixed_us,ns_per_mac,ns_per_io_byte,ns_per_param_byte\n";
  for (const auto& [kind, c] : fits)
    os << kind << "," << c.fixed_us << "," << c.ns_per_mac << "," << c.ns_per_io_byte << ","
       << c.ns_per_param_byte << "\n";
}

}  // namespace coinfer
