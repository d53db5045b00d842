// Per-policy summaries of a run, read back from the SQLite results (so every
// figure printed is one a user can recompute from the database).
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "base/status.h"

namespace coinfer {

struct PolicySummary {
  std::string policy;
  int requests = 0;
  int completed = 0;
  double mean_ms = 0, p50_ms = 0, p95_ms = 0, p99_ms = 0;  // over completed requests
  double mean_bytes_sent = 0;
  double mean_abs_prediction_error_ms = 0;    // |predicted - actual|
  double mean_relative_prediction_error = 0;  // |predicted - actual| / actual
  double mean_decision_us = 0;
  double mean_end_energy_j = -1;  // over requests with a known energy; -1: none
  // Top-1 accuracy over requests whose correctness was measured; -1: none.
  double accuracy = -1;
  // Requests whose plan was a fallback because no configuration met the
  // policy's requirement; -1: the policy has no requirement.
  int requirement_missed = -1;
  // Completed requests per second, from the first arrival to the last completion.
  double throughput_per_s = 0;
  std::map<int, int> split_histogram;  // split index -> requests
  // The end device's probes (sim/engine.h ProbeConfig): how many, their
  // payload, and their energy on the device (-1: not known).
  int probes = 0;
  int64_t probe_bytes = 0;
  double probe_energy_j = -1;
};

// Reads the summaries of `run_id` (the latest run when run_id <= 0), in the
// order the policies ran.
Status SummarizeRun(const std::string& db_path, int64_t run_id, std::vector<PolicySummary>* out);

// A fixed-width table for a terminal.
void PrintSummaryTable(const std::vector<PolicySummary>& summaries, std::ostream& os);
// The same columns as CSV, with a header line.
void WriteSummaryCsv(const std::vector<PolicySummary>& summaries, std::ostream& os);

}  // namespace coinfer
