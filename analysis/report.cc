#include "analysis/report.h"

#include <sqlite3.h>

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "analysis/summary.h"
#include "base/parse.h"

namespace coinfer {
namespace {

// The figures of a row, in table order: how each is named and printed.
struct Column {
  const char* csv;
  const char* header;
  Estimate ReportRow::*field;
  int decimals;
  double scale;         // Markdown only: accuracy in %
  bool if_any = false;  // Markdown only: shown when some row's mean is not 0
};

const Column kColumns[] = {
    {"requests", "requests", &ReportRow::requests, 1, 1},
    {"completed", "done", &ReportRow::completed, 1, 1},
    {"throughput_per_s", "req/s", &ReportRow::throughput_per_s, 3, 1},
    {"mean_ms", "mean ms", &ReportRow::mean_ms, 2, 1},
    {"p50_ms", "p50 ms", &ReportRow::p50_ms, 2, 1},
    {"p95_ms", "p95 ms", &ReportRow::p95_ms, 2, 1},
    {"p99_ms", "p99 ms", &ReportRow::p99_ms, 2, 1},
    {"bytes_sent", "bytes/req", &ReportRow::bytes_sent, 0, 1},
    {"accuracy", "top-1 %", &ReportRow::accuracy, 2, 100},
    {"requirement_missed", "missed", &ReportRow::requirement_missed, 1, 1},
    {"decision_us", "decide µs", &ReportRow::decision_us, 1, 1},
    {"end_energy_j", "end J", &ReportRow::end_energy_j, 4, 1},
    {"prediction_error_ms", "pred err ms", &ReportRow::prediction_error_ms, 2, 1},
    {"prediction_error", "pred err %", &ReportRow::prediction_error, 1, 100},
    {"probe_bytes", "probe kB", &ReportRow::probe_bytes, 1, 1e-3, true},
    {"probe_energy_j", "probe J", &ReportRow::probe_energy_j, 2, 1, true},
};

// "key = value" lines into a map, seed and output.db left out.
std::map<std::string, std::string> PointSettings(const std::string& resolved) {
  std::map<std::string, std::string> settings;
  for (const std::string& line : SplitFields(resolved, '\n')) {
    const size_t eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq);
    if (key != "seed" && key != "output.db") settings[key] = line.substr(eq + 3);
  }
  return settings;
}

std::string Text(const std::map<std::string, std::string>& settings) {
  std::string text;
  for (const auto& [key, value] : settings) text += key + " = " + value + "\n";
  return text;
}

// Each point's label: the keys whose values are not the same in every point.
void LabelPoints(const std::vector<std::map<std::string, std::string>>& settings,
                 std::vector<ReportPoint>* points) {
  std::set<std::string> keys;
  for (const auto& s : settings)
    for (const auto& kv : s) keys.insert(kv.first);
  std::vector<std::string> varying;
  for (const std::string& key : keys) {
    std::set<std::string> values;
    for (const auto& s : settings) values.insert(s.count(key) ? s.at(key) : "(unset)");
    if (values.size() > 1) varying.push_back(key);
  }
  // Paths by their file name (traces, devices) when that tells the points apart.
  for (const bool short_paths : {true, false}) {
    std::set<std::string> labels;
    for (size_t p = 0; p < points->size(); ++p) {
      std::vector<std::string> parts;
      for (const std::string& key : varying) {
        std::string value = settings[p].count(key) ? settings[p].at(key) : "(unset)";
        if (short_paths && value.find('/') != std::string::npos)
          value = value.substr(value.rfind('/') + 1);
        parts.push_back(key + "=" + value);
      }
      (*points)[p].label = parts.empty() ? "all runs" : Join(parts, ", ");
      labels.insert((*points)[p].label);
    }
    if (labels.size() == points->size()) break;
  }
}

std::string Format(const Estimate& e, int decimals, double scale) {
  if (e.n == 0) return "-";
  char text[96];
  if (e.n >= 2) {
    std::snprintf(text, sizeof text, "%.*f ± %.*f", decimals, e.mean * scale, decimals,
                  e.ci95 * scale);
  } else {
    std::snprintf(text, sizeof text, "%.*f", decimals, e.mean * scale);
  }
  return text;
}

// In increasing order (a parallel sweep stores a point's seeds in any order).
std::string JoinNumbers(std::vector<int64_t> numbers) {
  std::sort(numbers.begin(), numbers.end());
  std::vector<std::string> parts;
  for (const int64_t n : numbers) parts.push_back(std::to_string(n));
  return Join(parts, ", ");
}

// A point's rows: per policy (in the order they first ran) the runs' figures.
void AddRows(const Report& report, int point, const std::vector<std::vector<PolicySummary>>& runs,
             std::vector<ReportRow>* rows, std::vector<std::string>* notes) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const PolicySummary*>> by_policy;
  for (const auto& run : runs)
    for (const PolicySummary& s : run) {
      if (!by_policy.count(s.policy)) order.push_back(s.policy);
      by_policy[s.policy].push_back(&s);
    }
  for (const std::string& policy : order) {
    const auto& summaries = by_policy[policy];
    if (summaries.size() < runs.size())
      notes->push_back("point " + std::to_string(point) + " (" + report.points[point].label +
                       "): " + policy + " ran in " + std::to_string(summaries.size()) + " of " +
                       std::to_string(runs.size()) + " runs");
    ReportRow row;
    row.point = point;
    row.policy = policy;
    row.runs = static_cast<int>(summaries.size());
    auto estimate = [&](auto value, bool (*present)(const PolicySummary&)) {
      std::vector<double> values;
      for (const PolicySummary* s : summaries)
        if (present(*s)) values.push_back(value(*s));
      return Estimated(values);
    };
    auto always = [](const PolicySummary&) { return true; };
    auto completed = [](const PolicySummary& s) { return s.completed > 0; };
    row.requests = estimate([](const PolicySummary& s) { return double(s.requests); }, always);
    row.completed = estimate([](const PolicySummary& s) { return double(s.completed); }, always);
    // A run that completed nothing had a throughput of 0, and counts.
    row.throughput_per_s =
        estimate([](const PolicySummary& s) { return s.throughput_per_s; }, always);
    row.mean_ms = estimate([](const PolicySummary& s) { return s.mean_ms; }, completed);
    row.p50_ms = estimate([](const PolicySummary& s) { return s.p50_ms; }, completed);
    row.p95_ms = estimate([](const PolicySummary& s) { return s.p95_ms; }, completed);
    row.p99_ms = estimate([](const PolicySummary& s) { return s.p99_ms; }, completed);
    row.prediction_error_ms =
        estimate([](const PolicySummary& s) { return s.mean_abs_prediction_error_ms; }, completed);
    row.prediction_error = estimate(
        [](const PolicySummary& s) { return s.mean_relative_prediction_error; }, completed);
    auto has_requests = [](const PolicySummary& s) { return s.requests > 0; };
    row.bytes_sent =
        estimate([](const PolicySummary& s) { return s.mean_bytes_sent; }, has_requests);
    row.decision_us =
        estimate([](const PolicySummary& s) { return s.mean_decision_us; }, has_requests);
    row.accuracy = estimate([](const PolicySummary& s) { return s.accuracy; },
                            [](const PolicySummary& s) { return s.accuracy >= 0; });
    row.requirement_missed =
        estimate([](const PolicySummary& s) { return double(s.requirement_missed); },
                 [](const PolicySummary& s) { return s.requirement_missed >= 0; });
    row.end_energy_j = estimate([](const PolicySummary& s) { return s.mean_end_energy_j; },
                                [](const PolicySummary& s) { return s.mean_end_energy_j >= 0; });
    row.probe_bytes =
        estimate([](const PolicySummary& s) { return double(s.probe_bytes); }, always);
    row.probe_energy_j = estimate([](const PolicySummary& s) { return s.probe_energy_j; },
                                  [](const PolicySummary& s) { return s.probe_energy_j >= 0; });
    rows->push_back(std::move(row));
  }
}

}  // namespace

Estimate Estimated(const std::vector<double>& values) {
  Estimate e;
  e.n = static_cast<int>(values.size());
  if (e.n == 0) return e;
  for (const double v : values) e.mean += v;
  e.mean /= e.n;
  if (e.n < 2) return e;
  double squares = 0;
  for (const double v : values) squares += (v - e.mean) * (v - e.mean);
  const double sd = std::sqrt(squares / (e.n - 1));
  const boost::math::students_t t(e.n - 1);
  e.ci95 = boost::math::quantile(t, 0.975) * sd / std::sqrt(double(e.n));
  return e;
}

Status BuildReport(const std::string& db_path, Report* out) {
  Report report;
  report.db_path = db_path;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, sqlite3_close);
  if (rc != SQLITE_OK) return Status::IoError(db_path + ": cannot open: " + sqlite3_errmsg(raw));
  sqlite3_busy_timeout(raw, 10000);  // a sweep may be writing
  sqlite3_stmt* raw_stmt = nullptr;
  sqlite3_prepare_v2(db.get(),
                     "SELECT run_id, seed, resolved_settings FROM runs "
                     "WHERE finished_at IS NOT NULL ORDER BY run_id",
                     -1, &raw_stmt, nullptr);
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> runs(raw_stmt, sqlite3_finalize);
  if (!runs)
    return Status::IoError(db_path + ": not a coinfer results database (" +
                           sqlite3_errmsg(db.get()) + ")");
  std::map<std::string, int> point_of;  // settings text -> point
  std::vector<std::map<std::string, std::string>> settings;
  while (sqlite3_step(runs.get()) == SQLITE_ROW) {
    const auto s = PointSettings(reinterpret_cast<const char*>(sqlite3_column_text(runs.get(), 2)));
    const auto [it, added] = point_of.emplace(Text(s), static_cast<int>(report.points.size()));
    if (added) {
      report.points.push_back({"", it->first, {}, {}});
      settings.push_back(s);
    }
    report.points[it->second].run_ids.push_back(sqlite3_column_int64(runs.get(), 0));
    report.points[it->second].seeds.push_back(sqlite3_column_int64(runs.get(), 1));
  }
  LabelPoints(settings, &report.points);

  size_t most_runs = 0;
  for (const ReportPoint& p : report.points) most_runs = std::max(most_runs, p.run_ids.size());
  for (size_t p = 0; p < report.points.size(); ++p) {
    const ReportPoint& point = report.points[p];
    const std::string name = "point " + std::to_string(p) + " (" + point.label + ")";
    if (point.run_ids.size() < most_runs)
      report.notes.push_back(name + ": " + std::to_string(point.run_ids.size()) + " runs (seeds " +
                             JoinNumbers(point.seeds) + "), other points have up to " +
                             std::to_string(most_runs));
    if (std::set<int64_t>(point.seeds.begin(), point.seeds.end()).size() < point.seeds.size())
      report.notes.push_back(name +
                             ": a seed is stored more than once (another coinfer version, "
                             "other input files, or runs without --once): all are counted");
    std::vector<std::vector<PolicySummary>> summaries(point.run_ids.size());
    for (size_t r = 0; r < point.run_ids.size(); ++r)
      COINFER_RETURN_IF_ERROR(SummarizeRun(db_path, point.run_ids[r], &summaries[r]));
    AddRows(report, static_cast<int>(p), summaries, &report.rows, &report.notes);
  }
  if (report.points.empty()) report.notes.push_back("no finished run in " + db_path);
  *out = std::move(report);
  return Status::Ok();
}

std::string CsvField(const std::string& text) {
  std::string field = "\"";
  for (const char c : text) field += c == '"' ? std::string("\"\"") : std::string(1, c);
  return field + "\"";
}

void WriteReportMarkdown(const Report& report, std::ostream& os) {
  size_t runs = 0;
  for (const ReportPoint& p : report.points) runs += p.run_ids.size();
  os << "# coinfer report: " << report.db_path << "\n\n"
     << runs << " runs in " << report.points.size() << " scenario points.\n\n"
     << "## Points\n\n| point | runs | seeds | settings |\n|---|---|---|---|\n";
  for (size_t p = 0; p < report.points.size(); ++p)
    os << "| " << p << " | " << report.points[p].run_ids.size() << " | "
       << JoinNumbers(report.points[p].seeds) << " | " << report.points[p].label << " |\n";
  os << "\n## Results\n\nPer point and policy, the mean over the point's runs, ± the half-width "
        "of its 95 % confidence interval (Student's t) where there are several runs.\n\n"
        "| point | policy | runs |";
  std::vector<const Column*> shown;
  for (const Column& c : kColumns) {
    bool any = !c.if_any;
    for (const ReportRow& row : report.rows) any = any || (row.*c.field).mean != 0;
    if (any) shown.push_back(&c);
  }
  for (const Column* c : shown) os << " " << c->header << " |";
  os << "\n|---|---|---|";
  for (size_t i = 0; i < shown.size(); ++i) os << "---|";
  os << "\n";
  for (const ReportRow& row : report.rows) {
    os << "| " << row.point << " | " << row.policy << " | " << row.runs << " |";
    for (const Column* c : shown) os << " " << Format(row.*c->field, c->decimals, c->scale) << " |";
    os << "\n";
  }
  if (!report.notes.empty()) {
    os << "\n## Notes\n\n";
    for (const std::string& note : report.notes) os << "- " << note << "\n";
  }
}

void WriteReportCsv(const Report& report, std::ostream& os) {
  os << std::setprecision(std::numeric_limits<double>::max_digits10);
  os << "point,label,policy,runs";
  for (const Column& c : kColumns) os << "," << c.csv << "," << c.csv << "_ci95," << c.csv << "_n";
  os << "\n";
  for (const ReportRow& row : report.rows) {
    os << row.point << "," << CsvField(report.points[row.point].label) << ","
       << CsvField(row.policy) << "," << row.runs;
    for (const Column& c : kColumns) {
      const Estimate& e = row.*c.field;
      os << ",";
      if (e.n > 0) os << e.mean;
      os << "," << e.ci95 << "," << e.n;
    }
    os << "\n";
  }
}

}  // namespace coinfer
