#include "analysis/summary.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "base/percentile.h"

namespace coinfer {
namespace {

using Db = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;
using Stmt = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

Stmt Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
  return Stmt(s, sqlite3_finalize);
}

std::string Histogram(const std::map<int, int>& h) {
  std::string s;
  for (const auto& [split, n] : h)
    s += (s.empty() ? "" : " ") + std::to_string(split) + ":" + std::to_string(n);
  return s;
}

}  // namespace

Status SummarizeRun(const std::string& db_path, int64_t run_id, std::vector<PolicySummary>* out) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  Db db(raw, sqlite3_close);
  if (rc != SQLITE_OK) return Status::IoError(db_path + ": cannot open: " + sqlite3_errmsg(raw));
  sqlite3_busy_timeout(raw, 10000);  // a sweep may be writing
  if (run_id <= 0) {
    Stmt last = Prepare(db.get(), "SELECT MAX(run_id) FROM runs WHERE finished_at IS NOT NULL");
    if (!last || sqlite3_step(last.get()) != SQLITE_ROW ||
        sqlite3_column_type(last.get(), 0) == SQLITE_NULL)
      return Status::IoError(db_path + ": no finished run");
    run_id = sqlite3_column_int64(last.get(), 0);
  }
  // Files of schema version 5 and earlier have no probe columns (read-only
  // here: nothing upgrades them).
  Stmt probe_columns = Prepare(
      db.get(), "SELECT COUNT(*) FROM pragma_table_info('policy_runs') WHERE name = 'probes'");
  const bool probed = probe_columns && sqlite3_step(probe_columns.get()) == SQLITE_ROW &&
                      sqlite3_column_int(probe_columns.get(), 0) == 1;
  Stmt policies = Prepare(
      db.get(), probed ? "SELECT policy, probes, probe_bytes, probe_energy_j FROM policy_runs "
                         "WHERE run_id = ? ORDER BY rowid"
                       : "SELECT policy, 0, 0, NULL FROM policy_runs WHERE run_id = ? ORDER BY "
                         "rowid");
  Stmt rows =
      Prepare(db.get(),
              "SELECT completed, actual_ms, predicted_ms, bytes_sent, split, decision_wall_us, "
              "end_energy_j, arrival_s, correct, requirement_met "
              "FROM requests WHERE run_id = ? AND policy = ? ORDER BY request_id");
  if (!policies || !rows) return Status::IoError(db_path + ": " + sqlite3_errmsg(db.get()));
  sqlite3_bind_int64(policies.get(), 1, run_id);
  out->clear();
  while (sqlite3_step(policies.get()) == SQLITE_ROW) {
    PolicySummary s;
    s.policy = reinterpret_cast<const char*>(sqlite3_column_text(policies.get(), 0));
    s.probes = sqlite3_column_int(policies.get(), 1);
    s.probe_bytes = sqlite3_column_int64(policies.get(), 2);
    if (sqlite3_column_type(policies.get(), 3) != SQLITE_NULL)
      s.probe_energy_j = sqlite3_column_double(policies.get(), 3);
    sqlite3_reset(rows.get());
    sqlite3_bind_int64(rows.get(), 1, run_id);
    sqlite3_bind_text(rows.get(), 2, s.policy.c_str(), -1, SQLITE_TRANSIENT);
    std::vector<double> latencies;
    double bytes = 0, error = 0, relative_error = 0, decision = 0, energy = 0;
    double first_arrival = INFINITY, last_finish = -INFINITY;
    int with_energy = 0, with_correctness = 0, correct = 0;
    while (sqlite3_step(rows.get()) == SQLITE_ROW) {
      ++s.requests;
      bytes += sqlite3_column_double(rows.get(), 3);
      decision += sqlite3_column_double(rows.get(), 5);
      ++s.split_histogram[sqlite3_column_int(rows.get(), 4)];
      if (sqlite3_column_type(rows.get(), 6) != SQLITE_NULL) {
        energy += sqlite3_column_double(rows.get(), 6);
        ++with_energy;
      }
      if (sqlite3_column_type(rows.get(), 9) != SQLITE_NULL) {
        s.requirement_missed = std::max(s.requirement_missed, 0);
        s.requirement_missed += sqlite3_column_int(rows.get(), 9) == 0;
      }
      if (sqlite3_column_type(rows.get(), 8) != SQLITE_NULL) {
        correct += sqlite3_column_int(rows.get(), 8);
        ++with_correctness;
      }
      const double arrival = sqlite3_column_double(rows.get(), 7);
      first_arrival = std::min(first_arrival, arrival);
      if (sqlite3_column_int(rows.get(), 0)) {
        const double actual = sqlite3_column_double(rows.get(), 1);
        last_finish = std::max(last_finish, arrival + actual / 1e3);
        latencies.push_back(actual);
        const double miss = std::abs(sqlite3_column_double(rows.get(), 2) - actual);
        error += miss;
        if (actual > 0) relative_error += miss / actual;
      }
    }
    s.completed = static_cast<int>(latencies.size());
    if (s.completed > 0 && last_finish > first_arrival)
      s.throughput_per_s = s.completed / (last_finish - first_arrival);
    if (with_energy > 0) s.mean_end_energy_j = energy / with_energy;
    if (with_correctness > 0) s.accuracy = static_cast<double>(correct) / with_correctness;
    if (s.requests > 0) {
      s.mean_bytes_sent = bytes / s.requests;
      s.mean_decision_us = decision / s.requests;
    }
    if (s.completed > 0) {
      double sum = 0;
      for (double l : latencies) sum += l;
      s.mean_ms = sum / s.completed;
      s.mean_abs_prediction_error_ms = error / s.completed;
      s.mean_relative_prediction_error = relative_error / s.completed;
      s.p50_ms = Percentile(latencies, 0.50);
      s.p95_ms = Percentile(latencies, 0.95);
      s.p99_ms = Percentile(latencies, 0.99);
    }
    out->push_back(std::move(s));
  }
  return Status::Ok();
}

void PrintSummaryTable(const std::vector<PolicySummary>& summaries, std::ostream& os) {
  char line[512];
  std::snprintf(
      line, sizeof line, "%-22s %8s %9s %7s %9s %9s %9s %9s %12s %10s %9s %9s %8s %8s %7s  %s\n",
      "policy", "requests", "done", "req/s", "mean_ms", "p50_ms", "p95_ms", "p99_ms", "mean_bytes",
      "pred_err", "pred_err%", "decide_us", "end_J", "top-1", "missed", "splits (index:requests)");
  os << line;
  for (const PolicySummary& s : summaries) {
    char energy[32] = "-";
    if (s.mean_end_energy_j >= 0) std::snprintf(energy, sizeof energy, "%.2f", s.mean_end_energy_j);
    char accuracy[32] = "-";
    if (s.accuracy >= 0) std::snprintf(accuracy, sizeof accuracy, "%.2f%%", 100 * s.accuracy);
    const std::string missed =
        s.requirement_missed < 0 ? "-" : std::to_string(s.requirement_missed);
    std::snprintf(line, sizeof line,
                  "%-22s %8d %9d %7.2f %9.1f %9.1f %9.1f %9.1f %12.0f %10.1f %9.1f %9.2f %8s %8s "
                  "%7s  ",
                  s.policy.c_str(), s.requests, s.completed, s.throughput_per_s, s.mean_ms,
                  s.p50_ms, s.p95_ms, s.p99_ms, s.mean_bytes_sent, s.mean_abs_prediction_error_ms,
                  100 * s.mean_relative_prediction_error, s.mean_decision_us, energy, accuracy,
                  missed.c_str());
    os << line << Histogram(s.split_histogram) << "\n";
  }
  for (const PolicySummary& s : summaries) {
    if (s.probes == 0) continue;
    os << "probes: " << s.policy << " sent " << s.probes << " (" << s.probe_bytes << " bytes";
    if (s.probe_energy_j >= 0) {
      std::snprintf(line, sizeof line, ", %.2f J", s.probe_energy_j);
      os << line;
    }
    os << ")\n";
  }
}

void WriteSummaryCsv(const std::vector<PolicySummary>& summaries, std::ostream& os) {
  os << "policy,requests,completed,throughput_per_s,mean_ms,p50_ms,p95_ms,p99_ms,mean_bytes_sent,"
        "mean_abs_prediction_error_ms,mean_relative_prediction_error,mean_decision_us,mean_end_"
        "energy_j,accuracy,"
        "requirement_missed,split_histogram,probes,probe_bytes,probe_energy_j\n";
  for (const PolicySummary& s : summaries) {
    os << s.policy << "," << s.requests << "," << s.completed << "," << s.throughput_per_s << ","
       << s.mean_ms << "," << s.p50_ms << "," << s.p95_ms << "," << s.p99_ms << ","
       << s.mean_bytes_sent << "," << s.mean_abs_prediction_error_ms << ","
       << s.mean_relative_prediction_error << "," << s.mean_decision_us << ","
       << (s.mean_end_energy_j < 0 ? "" : std::to_string(s.mean_end_energy_j)) << ","
       << (s.accuracy < 0 ? "" : std::to_string(s.accuracy)) << ","
       << (s.requirement_missed < 0 ? "" : std::to_string(s.requirement_missed)) << ",\""
       << Histogram(s.split_histogram) << "\"," << s.probes << "," << s.probe_bytes << ","
       << (s.probe_energy_j < 0 ? "" : std::to_string(s.probe_energy_j)) << "\n";
  }
}

}  // namespace coinfer
