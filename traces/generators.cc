#include "traces/generators.h"

#include <random>

#include "base/parse.h"

namespace coinfer {
namespace {

Status Bad(const std::string& where, const std::string& spec, const std::string& reason) {
  return Status::InvalidInput(where, "trace", "'" + spec + "': " + reason);
}

}  // namespace

bool IsGeneratorSpec(const std::string& spec) {
  for (const char* prefix : {"constant:", "step:", "walk:"})
    if (spec.rfind(prefix, 0) == 0) return true;
  return false;
}

Status GenerateSchedule(const std::string& spec, double horizon_s, uint64_t seed,
                        const std::string& where, RateSchedule* out) {
  const size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string body = spec.substr(colon + 1);
  if (!(horizon_s <= kMaxTracePeriodS))
    return Bad(where, spec, "a generated schedule runs at most 7 days");
  RateSchedule s;
  s.period_s = horizon_s;
  if (kind == "constant") {
    double mbps = 0;
    if (!ParseWithUnit(body, "Mbps", &mbps) || mbps <= 0)
      return Bad(where, spec, "expected a positive rate, e.g. constant:10Mbps");
    s.start_s = {0};
    s.rate_mbps = {mbps};
  } else if (kind == "step") {
    for (const std::string& step : SplitFields(body, ',')) {
      const size_t at = step.find('@');
      double mbps = 0, t = 0;
      if (at == std::string::npos || !ParseWithUnit(step.substr(0, at), "Mbps", &mbps) ||
          !ParseWithUnit(step.substr(at + 1), "s", &t))
        return Bad(where, spec, "expected RATE@TIME steps, e.g. step:10Mbps@0s,2Mbps@30s");
      if (mbps < 0) return Bad(where, spec, "negative rate in '" + step + "'");
      if (s.start_s.empty() ? t != 0 : t <= s.start_s.back())
        return Bad(where, spec, "steps must start at 0s and increase in time");
      s.start_s.push_back(t);
      s.rate_mbps.push_back(mbps);
    }
  } else if (kind == "walk") {
    const size_t at = body.rfind('@');
    double dwell = 0;
    if (at == std::string::npos || !ParseWithUnit(body.substr(at + 1), "s", &dwell) || dwell <= 0)
      return Bad(where, spec, "expected LEVELS@DWELL, e.g. walk:1Mbps,5Mbps,10Mbps@2s");
    if (dwell < 1e-3) return Bad(where, spec, "a dwell below 1 ms is finer than the replay's 1 ms");
    if (horizon_s / dwell > double(1 << 24))
      return Bad(where, spec, "more than 2^24 dwells in the run: a longer dwell, please");
    std::vector<double> levels;
    for (const std::string& l : SplitFields(body.substr(0, at), ',')) {
      double mbps = 0;
      if (!ParseWithUnit(l, "Mbps", &mbps) || mbps < 0)
        return Bad(where, spec, "bad rate level '" + l + "'");
      levels.push_back(mbps);
    }
    if (levels.size() < 2) return Bad(where, spec, "a walk needs at least two levels");
    std::mt19937_64 rng(seed);
    size_t level = levels.size() / 2;
    for (double t = 0; t < horizon_s; t += dwell) {
      s.start_s.push_back(t);
      s.rate_mbps.push_back(levels[level]);
      const bool up = (rng() >> 63) != 0;  // one fair bit, the same on every platform
      if (level == 0 || (up && level + 1 < levels.size()))
        ++level;
      else
        --level;
    }
  } else {
    return Bad(where, spec, "unknown generator (constant, step, walk)");
  }
  if (s.MeanMbps() <= 0) return Bad(where, spec, "the schedule carries no bytes");
  *out = std::move(s);
  return Status::Ok();
}

}  // namespace coinfer
