#include "devices/profile.h"

#include <algorithm>
#include <cmath>

#include "base/line_reader.h"
#include "base/parse.h"

namespace coinfer {
namespace {

const char* const kColumns[] = {
    "device",       "model",  "layer",       "name",         "kind",    "input_shape",
    "output_shape", "macs",   "param_bytes", "output_bytes", "threads", "repeats",
    "median_ms",    "p90_ms", "framework",   "source",       "kernel"};
constexpr size_t kNumColumns = sizeof(kColumns) / sizeof(kColumns[0]);

bool IsKind(const std::string& kind) {
  if (kind == "model" || kind == "segment") return true;
  for (int k = 0; k < kLayerKinds; ++k)
    if (kind == LayerKindName(static_cast<LayerKind>(k))) return true;
  return false;
}

bool IsShape(const std::string& text) {
  if (text.empty()) return false;
  for (const std::string& one : SplitFields(text, ';'))
    for (const std::string& dim : SplitFields(one, 'x'))
      if (int64_t n = 0; !ParseCount(dim, &n)) return false;
  return true;
}

// Layer indices past this are not a model's: they are refused before they
// are narrowed to int.
constexpr int64_t kMaxLayers = int64_t{1} << 24;

// "BEGIN-END" with integers 0 <= BEGIN < END <= kMaxLayers.
bool ParseSegmentName(const std::string& name, int64_t* begin, int64_t* end) {
  const std::vector<std::string> ends = SplitFields(name, '-');
  return ends.size() == 2 && ParseCount(ends[0], begin) && ParseCount(ends[1], end) &&
         *begin < *end && *end <= kMaxLayers;
}

// CSV fields never hold commas here: a field with one is written without it.
std::string Clean(std::string field) {
  std::replace(field.begin(), field.end(), ',', ';');
  return field;
}

}  // namespace

std::pair<int, int> SegmentRange(const ProfileRow& row) {
  int64_t begin = 0, end = 0;
  ParseSegmentName(row.name, &begin, &end);
  return {static_cast<int>(begin), static_cast<int>(end)};
}

void WriteProfileCsv(const Profile& profile, std::ostream& os) {
  for (const std::string& c : profile.comments) os << "# " << c << "\n";
  for (size_t i = 0; i < kNumColumns; ++i) os << (i ? "," : "") << kColumns[i];
  os << "\n";
  for (const ProfileRow& r : profile.rows) {
    os << Clean(r.device) << "," << Clean(r.model) << "," << r.layer << "," << Clean(r.name) << ","
       << r.kind << "," << r.input_shape << "," << r.output_shape << "," << r.macs << ","
       << r.param_bytes << "," << r.output_bytes << "," << r.threads << "," << r.repeats << ","
       << r.median_ms << "," << r.p90_ms << "," << Clean(r.framework) << "," << Clean(r.source)
       << "," << Clean(r.kernel) << "\n";
  }
}

Status ReadProfileCsv(const std::string& path, Profile* out) {
  LineReader in(path);
  if (!in.is_open()) return Status::InvalidInput(path, "", "cannot open profile");
  Profile p;
  std::string line;
  bool header = false;
  while (in.Next(&line)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (!header) p.comments.push_back(line.size() > 2 ? line.substr(2) : "");
      continue;
    }
    const std::vector<std::string> f = SplitFields(line, ',');
    if (!header) {
      for (size_t i = 0; i < kNumColumns; ++i)
        if (f.size() != kNumColumns || f[i] != kColumns[i])
          return Status::InvalidInput(
              in.Where(), "header",
              std::string("expected column '") + kColumns[i] + "' at " + std::to_string(i + 1));
      header = true;
      continue;
    }
    if (f.size() != kNumColumns)
      return Status::InvalidInput(
          in.Where(), "",
          "expected " + std::to_string(kNumColumns) + " columns, got " + std::to_string(f.size()));
    auto bad = [&](size_t column, const std::string& reason) {
      return Status::InvalidInput(in.Where(), kColumns[column], reason + ": '" + f[column] + "'");
    };
    ProfileRow r;
    r.device = f[0];
    r.model = f[1];
    r.name = f[3];
    r.kind = f[4];
    r.input_shape = f[5];
    r.output_shape = f[6];
    r.framework = f[14];
    r.source = f[15];
    r.kernel = f[16];
    r.where = in.Where();
    if (r.device.empty()) return bad(0, "empty");
    if (r.model.empty()) return bad(1, "empty");
    double layer = 0;
    if (!ParseNumber(f[2], &layer) || layer < -1 || layer >= kMaxLayers ||
        layer != std::floor(layer))
      return bad(2, "expected a layer index (below 2^24) or -1");
    r.layer = static_cast<int>(layer);
    if (!IsKind(r.kind)) return bad(4, "unknown kind");
    int64_t segment_begin = 0, segment_end = 0;
    if (r.kind == "segment" && !ParseSegmentName(r.name, &segment_begin, &segment_end))
      return bad(3, "a segment is named by its layer range BEGIN-END (END excluded, at most 2^24)");
    if (!IsShape(r.input_shape)) return bad(5, "expected a shape like 1x3x224x224");
    if (!IsShape(r.output_shape)) return bad(6, "expected a shape like 1x64x112x112");
    int64_t* counts[] = {&r.macs, &r.param_bytes, &r.output_bytes};
    for (size_t i = 0; i < 3; ++i)
      if (!ParseCount(f[7 + i], counts[i])) return bad(7 + i, "expected a non-negative integer");
    int64_t threads = 0, repeats = 0;
    if (!ParseCount(f[10], &threads) || threads < 1 || threads > INT32_MAX)
      return bad(10, "expected a positive integer that fits in 32 bits");
    if (!ParseCount(f[11], &repeats) || repeats < 1 || repeats > INT32_MAX)
      return bad(11, "expected a positive integer that fits in 32 bits");
    r.threads = static_cast<int>(threads);
    r.repeats = static_cast<int>(repeats);
    // Times past 1e7 ms (about 3 h) are no layer's, and would overflow ns-3's clock.
    if (!ParseNumber(f[12], &r.median_ms) || r.median_ms < 0 || r.median_ms > 1e7)
      return bad(12, "expected a number from 0 to 1e7 ms");
    if (!ParseNumber(f[13], &r.p90_ms) || r.p90_ms < r.median_ms || r.p90_ms > 1e7)
      return bad(13, "expected a number from the median to 1e7 ms");
    p.rows.push_back(std::move(r));
  }
  if (!header) return Status::InvalidInput(in.Where(), "header", "no column header");
  if (p.rows.empty()) return Status::InvalidInput(in.Where(), "", "no rows");
  *out = std::move(p);
  return Status::Ok();
}

}  // namespace coinfer
