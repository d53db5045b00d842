// The comparison report's tables: the runs of a results database grouped
// into scenario points (runs whose resolved settings differ in the seed
// only), and per point and policy every summary figure (summary.h) averaged
// over the point's runs with a 95 % confidence interval.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "base/status.h"

namespace coinfer {

// A figure over a point's runs: the mean of the runs that have it (n of
// them), and the half-width of its 95 % Student-t confidence interval
// (0 when n < 2).
struct Estimate {
  double mean = 0;
  double ci95 = 0;
  int n = 0;
};

// Mean and 95 % confidence half-width of `values` (Student's t, n − 1
// degrees of freedom).
Estimate Estimated(const std::vector<double>& values);

struct ReportPoint {
  std::string label;             // the settings that tell it from the other points
  std::string settings;          // its resolved settings, seed and output.db left out
  std::vector<int64_t> run_ids;  // its finished runs, in run_id order
  std::vector<int64_t> seeds;    // of those runs
};

struct ReportRow {
  int point = 0;  // index into Report::points
  std::string policy;
  int runs = 0;
  Estimate requests, completed, throughput_per_s, mean_ms, p50_ms, p95_ms, p99_ms, bytes_sent,
      accuracy, requirement_missed, decision_us, end_energy_j, prediction_error_ms,
      prediction_error,  // relative: |predicted - actual| / actual
      probe_bytes, probe_energy_j;  // per run: the end device's probes (ProbeConfig)
};

struct Report {
  std::string db_path;
  std::vector<ReportPoint> points;
  std::vector<ReportRow> rows;     // by point, then in the order the policies ran
  std::vector<std::string> notes;  // what is missing or uneven (an interrupted sweep)
};

// Reads every finished run of `db_path` (a results database, opened read-only).
Status BuildReport(const std::string& db_path, Report* out);

// Markdown: the points, then one table row per point and policy ("mean ± ci";
// the probe columns only when some policy probed), then the notes.
void WriteReportMarkdown(const Report& report, std::ostream& os);
// A CSV field: quoted, its quotes doubled (RFC 4180).
std::string CsvField(const std::string& text);

// CSV, one line per point and policy: each figure's mean, ci95 and n.
void WriteReportCsv(const Report& report, std::ostream& os);

}  // namespace coinfer
