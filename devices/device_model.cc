#include "devices/device_model.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <vector>

#include "base/line_reader.h"
#include "base/parse.h"
#include "devices/profile.h"

namespace coinfer {
namespace {

const char kHeader[] = "kind,fixed_us,ns_per_mac,ns_per_io_byte,ns_per_param_byte";
const char* const kColumns[] = {"kind", "fixed_us", "ns_per_mac", "ns_per_io_byte",
                                "ns_per_param_byte"};

// Bounds on what a device file may say, far beyond any real device, so that
// a run's times stay inside ns-3's clock (int64 ns, 292 years) and its
// joules stay finite: a layer's fixed cost up to 10 s, 10 us per MAC or
// byte, a task overhead up to 10^7 ms, 10 kW.
constexpr double kMaxFixedUs = 1e7;
constexpr double kMaxNsPerUnit = 1e4;
constexpr double kMaxOverheadMs = 1e7;
constexpr double kMaxWatts = 1e4;

bool ParseNonNegative(const std::string& text, double max, double* value) {
  return ParseNumber(text, value) && *value >= 0 && *value <= max;
}

std::string Range(double max) {
  std::ostringstream s;
  s << "expected a number from 0 to " << max;
  return s.str();
}

}  // namespace

DeviceModel DeviceModel::FromCoefficients(std::string name, int cores, const KindCoefficients& all,
                                          double task_overhead_ms, const DevicePower& power) {
  DeviceModel m;
  m.power_ = power;
  m.name_ = std::move(name);
  m.cores_ = cores;
  m.task_overhead_ms_ = task_overhead_ms;
  m.coefficients_.fill(all);
  return m;
}

Status DeviceModel::Load(const std::string& path, DeviceModel* out) {
  LineReader in(path);
  if (!in.is_open()) return Status::InvalidInput(path, "", "cannot open device file");
  DeviceModel m;
  std::array<bool, kKinds> seen{};
  bool has_default = false, in_table = false;
  KindCoefficients fallback;
  std::string line;
  while (in.Next(&line)) {
    const std::string where = in.Where();
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> f = SplitFields(line, ',');
    if (!in_table) {
      if (line == kHeader) {
        in_table = true;
      } else if (f.size() == 2 && f[0] == "name") {
        m.name_ = f[1];
      } else if (f.size() == 2 && f[0] == "profile") {
        if (m.name_.empty())
          return Status::InvalidInput(where, "profile", "must follow the name line");
        const std::filesystem::path rel(f[1]);
        const std::string file =
            rel.is_absolute() ? f[1] : (std::filesystem::path(path).parent_path() / rel).string();
        COINFER_RETURN_IF_ERROR(m.AddProfile(file, where));
      } else if (f.size() == 5 && f[0] == "power") {
        double* values[] = {&m.power_.idle_w, &m.power_.compute_w, &m.power_.transmit_w,
                            &m.power_.transmit_w_per_mbps};
        const char* names[] = {"idle_w", "compute_w", "transmit_w", "transmit_w_per_mbps"};
        for (int i = 0; i < 4; ++i)
          if (!ParseNonNegative(f[i + 1], kMaxWatts, values[i]))
            return Status::InvalidInput(where, std::string("power: ") + names[i],
                                        Range(kMaxWatts) + ", got '" + f[i + 1] + "'");
      } else if (f.size() == 2 && f[0] == "task_overhead_ms") {
        if (!ParseNonNegative(f[1], kMaxOverheadMs, &m.task_overhead_ms_))
          return Status::InvalidInput(where, "task_overhead_ms",
                                      Range(kMaxOverheadMs) + ", got '" + f[1] + "'");
      } else if (f.size() == 2 && f[0] == "cores") {
        int64_t cores = 0;
        if (!ParseCount(f[1], &cores) || cores < 1 || cores > 1 << 20)
          return Status::InvalidInput(where, "cores",
                                      "expected a positive integer, got '" + f[1] + "'");
        m.cores_ = static_cast<int>(cores);
      } else {
        return Status::InvalidInput(
            where, f.empty() ? "" : f[0],
            std::string("expected 'name,<name>', 'cores,<n>', 'profile,<file>', "
                        "'power,<idle_w>,<compute_w>,<transmit_w>,<transmit_w_per_mbps>', "
                        "'task_overhead_ms,<ms>' or the header '") +
                kHeader + "'");
      }
      continue;
    }
    if (f.size() != 5)
      return Status::InvalidInput(where, "", "expected 5 columns (" + std::string(kHeader) + ")");
    KindCoefficients c;
    double* values[] = {&c.fixed_us, &c.ns_per_mac, &c.ns_per_io_byte, &c.ns_per_param_byte};
    for (int i = 0; i < 4; ++i) {
      const double max = i == 0 ? kMaxFixedUs : kMaxNsPerUnit;
      if (!ParseNonNegative(f[i + 1], max, values[i]))
        return Status::InvalidInput(where, kColumns[i + 1],
                                    Range(max) + ", got '" + f[i + 1] + "'");
    }
    if (f[0] == "*") {
      fallback = c;
      has_default = true;
      continue;
    }
    // "KIND" or "KIND/KERNEL".
    const size_t slash = f[0].find('/');
    const std::string kind_name = f[0].substr(0, slash);
    int kind = -1;
    for (int k = 0; k < kKinds; ++k)
      if (kind_name == LayerKindName(static_cast<LayerKind>(k))) kind = k;
    if (kind < 0)
      return Status::InvalidInput(where, "kind", "unknown layer kind '" + kind_name + "'");
    if (slash != std::string::npos) {
      const std::string kernel = f[0].substr(slash + 1);
      if (kernel.empty()) return Status::InvalidInput(where, "kind", "empty kernel after '/'");
      if (!m.kernel_coefficients_.emplace(std::make_pair(LayerKind(kind), kernel), c).second)
        return Status::InvalidInput(where, "kind", "duplicate row for '" + f[0] + "'");
      continue;
    }
    if (seen[kind]) return Status::InvalidInput(where, "kind", "duplicate row for '" + f[0] + "'");
    seen[kind] = true;
    m.coefficients_[kind] = c;
  }
  const std::string end = in.Where();
  if (m.name_.empty()) return Status::InvalidInput(end, "name", "missing 'name,<name>' line");
  if (!in_table)
    return Status::InvalidInput(end, "", std::string("missing header '") + kHeader + "'");
  for (int k = 0; k < kKinds; ++k) {
    if (seen[k]) continue;
    if (!has_default)
      return Status::InvalidInput(end, "kind",
                                  std::string("no row for '") +
                                      LayerKindName(static_cast<LayerKind>(k)) +
                                      "' and no default row '*'");
    m.coefficients_[k] = fallback;
  }
  *out = std::move(m);
  return Status::Ok();
}

Status DeviceModel::AddProfile(const std::string& path, const std::string& where) {
  Profile profile;
  Status st = ReadProfileCsv(path, &profile);
  if (!st.ok()) return Status::InvalidInput(where, "profile", st.message());
  for (const ProfileRow& r : profile.rows) {
    if (r.device != name_) continue;
    std::pair<int, int> range{r.layer, r.layer + 1};
    if (r.kind == "model") {
      range = {0, kWholeModel};
    } else if (r.kind == "segment") {
      range = SegmentRange(r);
    }
    measured_[r.model][range] = {r.median_ms, r.p90_ms, r.kind, r.output_shape, r.kernel, r.where};
  }
  return Status::Ok();
}

double DeviceModel::SpreadSigma(const Graph& graph) const {
  constexpr double kZ90 = 1.2815515655446004;  // the standard normal's 0.9 quantile
  auto sigma = [](const Measured& m) {
    return m.p90_ms > m.ms && m.ms > 0 ? std::log(m.p90_ms / m.ms) / kZ90 : 0.0;
  };
  std::vector<double> sigmas;
  for (const auto& [model, rows] : measured_) {
    const auto whole = rows.find({0, kWholeModel});
    if (whole == rows.end()) continue;
    if (model == graph.model) return sigma(whole->second);
    sigmas.push_back(sigma(whole->second));
  }
  if (sigmas.empty()) return 0;
  std::sort(sigmas.begin(), sigmas.end());
  const size_t n = sigmas.size();
  return n % 2 ? sigmas[n / 2] : (sigmas[n / 2 - 1] + sigmas[n / 2]) / 2;
}

DeviceModel DeviceModel::RegressionOnly() const {
  DeviceModel copy = *this;
  copy.measured_.clear();
  return copy;
}

Status DeviceModel::CheckRows(const Graph& graph) const {
  auto model = measured_.find(graph.model);
  if (model == measured_.end()) return Status::Ok();
  for (const auto& [range, m] : model->second) {
    if (range.second == kWholeModel || (range.first >= 0 && range.second <= graph.size())) continue;
    return Status::InvalidInput(m.where, m.kind == "segment" ? "name" : "layer",
                                "layers " + std::to_string(range.first) + "-" +
                                    std::to_string(range.second) + " are outside " + graph.model +
                                    "'s " + std::to_string(graph.size()) + " layers");
  }
  return Status::Ok();
}

const DeviceModel::Measured* DeviceModel::Find(const Graph& graph, int begin, int end) const {
  auto model = measured_.find(graph.model);
  if (model == measured_.end()) return nullptr;
  if (begin == 0 && end == graph.size()) {
    auto whole = model->second.find({0, kWholeModel});
    if (whole != model->second.end()) return &whole->second;
  }
  auto it = model->second.find({begin, end});
  return it == model->second.end() ? nullptr : &it->second;
}

const DeviceModel::Measured* DeviceModel::FindLayer(const Graph& graph, int index) const {
  const Measured* m = Find(graph, index, index + 1);
  if (!m || m->kind == "segment" || m->kind == "model") return m;
  const Layer& l = graph.layers[index];
  // A layer that ran on another kernel (another thread count, another build)
  // is not the layer that was measured.
  const bool same = m->kind == LayerKindName(l.kind) &&
                    m->output_shape == ShapeText(l.output_shape) &&
                    (m->kernel.empty() || l.kernel.empty() || m->kernel == l.kernel);
  return same ? m : nullptr;
}

double DeviceModel::PredictLayerMs(const Layer& layer) const {
  auto by_kernel = kernel_coefficients_.find({layer.kind, layer.kernel});
  const KindCoefficients& c = by_kernel != kernel_coefficients_.end()
                                  ? by_kernel->second
                                  : coefficients_[static_cast<int>(layer.kind)];
  const double ns = c.fixed_us * 1e3 + c.ns_per_mac * layer.macs +
                    c.ns_per_io_byte * (layer.input_bytes + layer.output_bytes) +
                    c.ns_per_param_byte * layer.param_bytes;
  return ns / 1e6;
}

double DeviceModel::PredictRangeMs(const Graph& graph, int begin, int end) const {
  double ms = 0;
  for (int i = begin; i < end; ++i) ms += PredictLayerMs(graph.layers[i]);
  return ms;
}

double DeviceModel::Tile(const Graph& graph, int begin, int end, bool* all_measured) const {
  *all_measured = true;
  if (begin == 0 && end == graph.size() && end > 1)
    if (const Measured* whole = Find(graph, 0, end)) return whole->ms;
  auto model = measured_.find(graph.model);
  const bool has_rows = model != measured_.end();
  double ms = 0;
  for (int i = begin; i < end;) {
    // 1. The longest measured segment that starts here and stays inside the range.
    int next = -1;
    if (has_rows) {
      for (auto it = model->second.lower_bound({i, i + 2});
           it != model->second.end() && it->first.first == i && it->first.second <= end; ++it) {
        if (it->second.kind == "segment") next = it->first.second;
      }
    }
    if (next > 0) {
      ms += model->second.at({i, next}).ms;
      i = next;
      continue;
    }
    // 2. The layer's own measured row.
    if (const Measured* m = FindLayer(graph, i)) {
      ms += m->ms;
      ++i;
      continue;
    }
    *all_measured = false;
    // 3. Inside a measured segment [B, E): its time shared out in proportion to
    //    the regression, so the parts of a measured segment add up to it.
    std::pair<int, int> around{-1, -1};
    if (has_rows) {
      for (const auto& [range, m] : model->second) {
        const bool contains = m.kind == "segment" && range.first <= i && i < range.second;
        if (contains &&
            (around.first < 0 || range.second - range.first < around.second - around.first))
          around = range;
      }
    }
    const double whole_regression =
        around.first < 0 ? 0 : PredictRangeMs(graph, around.first, around.second);
    if (whole_regression > 0) {
      const int stop = std::min(around.second, end);
      ms += model->second.at(around).ms * PredictRangeMs(graph, i, stop) / whole_regression;
      i = stop;
      continue;
    }
    // 4. The regression.
    ms += PredictLayerMs(graph.layers[i]);
    ++i;
  }
  return ms;
}

double DeviceModel::SegmentLatencyMs(const Graph& graph, int begin, int end) const {
  bool measured;
  return Tile(graph, begin, end, &measured);
}

bool DeviceModel::SegmentMeasured(const Graph& graph, int begin, int end) const {
  bool measured;
  Tile(graph, begin, end, &measured);
  return measured;
}

double DeviceModel::LayersLatencyMs(const Graph& graph, const std::vector<int>& layers,
                                    bool* measured) const {
  double ms = 0;
  bool all = true;
  ForEachRun(layers, [&](int begin, int end) {
    bool run_measured;
    ms += Tile(graph, begin, end, &run_measured);
    all = all && run_measured;
  });
  if (measured) *measured = all;
  return ms;
}

}  // namespace coinfer
