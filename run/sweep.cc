#include "run/sweep.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "base/line_reader.h"
#include "base/parse.h"

namespace coinfer {
namespace {

constexpr char kAxisPrefix[] = "sweep.";

// The values of one axis (see LoadSweep), or an error naming `where` and `key`.
Status ParseValues(const std::string& text, const std::string& where, const std::string& key,
                   std::vector<std::string>* out) {
  if (text.empty()) return Status::InvalidInput(where, key, "no values");
  const char sep = text.find('|') != std::string::npos ? '|' : ',';
  for (const std::string& field : SplitFields(text, sep)) {
    const std::string item = Trim(field);
    if (item.empty()) return Status::InvalidInput(where, key, "empty value in '" + text + "'");
    // A range only between two integers: "../a.up" is a path.
    const size_t dots = item.find("..");
    int64_t first = 0, last = 0;
    if (dots == std::string::npos || !ParseCount(item.substr(0, dots), &first) ||
        !ParseCount(item.substr(dots + 2), &last)) {
      out->push_back(item);
    } else if (first <= last &&
               last - first < kMaxSweepPoints - static_cast<int64_t>(out->size())) {
      for (int64_t v = first; v <= last; ++v) out->push_back(std::to_string(v));
    } else {
      return Status::InvalidInput(
          where, key,
          "bad range '" + item + "': expected A <= B, fewer than 1000000 values in all");
    }
  }
  return Status::Ok();
}

}  // namespace

Status LoadSweep(const std::string& path, Sweep* out) {
  if (std::filesystem::is_directory(path))
    return Status::InvalidInput(path, "", "is a folder, not a sweep file");
  LineReader reader(path);
  if (!reader.is_open()) return Status::IoError(path + ": cannot open sweep file");
  Sweep sweep;
  sweep.path = path;
  std::set<std::string> seen;
  std::string line;
  int64_t points = 1;
  while (reader.Next(&line)) {
    const std::string text = Trim(line.substr(0, line.find('#')));
    if (text.empty()) continue;
    const size_t eq = text.find('=');
    if (text.front() == '[')
      return Status::InvalidInput(reader.Where(), "",
                                  "a sweep file has no sections: write the full key "
                                  "(sweep.uplink.trace = ...)");
    if (eq == std::string::npos)
      return Status::InvalidInput(reader.Where(), "", "expected KEY = VALUE, got '" + text + "'");
    const std::string key = Trim(text.substr(0, eq));
    const std::string value = Trim(text.substr(eq + 1));
    if (key.empty()) return Status::InvalidInput(reader.Where(), "", "empty key");
    const bool axis = key.rfind(kAxisPrefix, 0) == 0;
    const std::vector<std::string> keys =
        axis ? SplitFields(key.substr(sizeof(kAxisPrefix) - 1), '+')
             : std::vector<std::string>{key};
    if (keys.empty()) return Status::InvalidInput(reader.Where(), key, "names no key");
    for (const std::string& k : keys) {
      if (Trim(k).empty()) return Status::InvalidInput(reader.Where(), key, "names no key");
      if (!seen.insert(Trim(k)).second)
        return Status::InvalidInput(reader.Where(), key,
                                    Trim(k) + " set twice (as a value or an axis)");
    }
    if (key == "scenario") {
      if (value.empty()) return Status::InvalidInput(reader.Where(), key, "must name a file");
      const std::filesystem::path file(value);
      sweep.scenario =
          file.is_relative() ? (std::filesystem::path(path).parent_path() / file).string() : value;
    } else if (axis) {
      SweepAxis a{{}, {}, reader.Where()};
      for (const std::string& k : keys) a.keys.push_back(Trim(k));
      std::vector<std::string> items;
      COINFER_RETURN_IF_ERROR(ParseValues(value, reader.Where(), key, &items));
      for (const std::string& item : items) {
        std::vector<std::string> parts;
        for (const std::string& part :
             keys.size() > 1 ? SplitFields(item, '+') : std::vector<std::string>{item})
          parts.push_back(Trim(part));
        if (parts.size() != keys.size() ||
            std::count(parts.begin(), parts.end(), std::string()) > 0)
          return Status::InvalidInput(reader.Where(), key,
                                      "'" + item + "': expected " + std::to_string(keys.size()) +
                                          " values joined by '+', one per key");
        a.values.push_back(std::move(parts));
      }
      points *= static_cast<int64_t>(a.values.size());
      if (points > kMaxSweepPoints)
        return Status::InvalidInput(reader.Where(), key,
                                    "the sweep would have more than 1000000 points");
      sweep.axes.push_back(std::move(a));
    } else {
      sweep.fixed.push_back(key + "=" + value);
    }
  }
  if (sweep.scenario.empty())
    return Status::InvalidInput(path, "scenario", "missing: name the base scenario file");
  *out = std::move(sweep);
  return Status::Ok();
}

std::vector<SweepPoint> ExpandSweep(const Sweep& sweep) {
  std::vector<SweepPoint> points(1);
  for (const SweepAxis& axis : sweep.axes) {
    std::vector<SweepPoint> next;
    for (const SweepPoint& p : points)
      for (const std::vector<std::string>& value : axis.values) {
        SweepPoint q = p;
        for (size_t k = 0; k < axis.keys.size(); ++k)
          q.swept.push_back(axis.keys[k] + "=" + value[k]);
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  for (size_t i = 0; i < points.size(); ++i) {
    points[i].index = static_cast<int64_t>(i);
    points[i].overrides = sweep.fixed;
    points[i].overrides.insert(points[i].overrides.end(), points[i].swept.begin(),
                               points[i].swept.end());
  }
  return points;
}

Status ParseShard(const std::string& text, int64_t* k, int64_t* n) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos || !ParseCount(text.substr(0, slash), k) ||
      !ParseCount(text.substr(slash + 1), n) || *k < 1 || *k > *n)
    return Status::InvalidInput("--shard", "", "expected K/N with 1 <= K <= N, got '" + text + "'");
  return Status::Ok();
}

std::vector<SweepPoint> ShardPoints(std::vector<SweepPoint> points, int64_t k, int64_t n) {
  points.erase(std::remove_if(points.begin(), points.end(),
                              [k, n](const SweepPoint& p) { return p.index % n != k - 1; }),
               points.end());
  return points;
}

}  // namespace coinfer
