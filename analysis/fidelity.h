// How far a simulation is from the emulation of the same scenario (`coinfer
// fidelity`, docs/emulation.md): both runs read back from one results
// database and compared request by request (same ids: same arrivals and
// samples).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "base/status.h"

namespace coinfer {

// A stage of the plans (its kind and site, as the stages table names them)
// and its mean duration in each run, over the requests compared.
struct StageComparison {
  std::string stage;  // "transfer end->cloud", "compute cloud", ...
  int requests = 0;
  double simulated_ms = 0, emulated_ms = 0;
};

struct PolicyFidelity {
  std::string policy;
  int requests = 0;   // in both runs
  int compared = 0;   // completed in both
  int same_plan = 0;  // of those, with the same split, codec and variant
  double simulated_mean_ms = 0, emulated_mean_ms = 0;  // over the compared
  // |simulated − emulated| / emulated latency per compared request.
  double median_gap = 0, p95_gap = 0;
  int bytes_differ = 0;  // same-plan requests whose bytes sent differ
  // Emulated requests the sites answered, and those whose correctness is the
  // simulation's (the catalog's record for that sample and codec).
  int answered = 0, agree = 0;
  std::vector<StageComparison> stages;  // same-plan requests, in plan order
};

// Compares the requests of `simulated_run` and `emulated_run` in `db_path`,
// per policy in the emulated run's order.
Status CompareRuns(const std::string& db_path, int64_t simulated_run, int64_t emulated_run,
                   std::vector<PolicyFidelity>* out);

// Markdown tables: the gaps per policy, then the stages.
void PrintFidelityTables(const std::vector<PolicyFidelity>& policies, std::ostream& os);

}  // namespace coinfer
