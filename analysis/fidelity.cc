#include "analysis/fidelity.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include "base/percentile.h"
#include "base/sqlite_db.h"

namespace coinfer {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};

// The requests of both runs, joined on policy and id.
const char kRequests[] = R"sql(
SELECT s.policy, s.request_id, s.completed AND s.actual_ms > 0, e.completed AND e.actual_ms > 0,
       s.actual_ms, e.actual_ms,
       s.split = e.split AND s.codec IS e.codec AND s.variant IS e.variant,
       s.bytes_sent = e.bytes_sent, s.correct, e.correct
FROM requests s JOIN requests e ON e.policy = s.policy AND e.request_id = s.request_id
WHERE s.run_id = ? AND e.run_id = ?
ORDER BY s.policy, s.request_id)sql";

// The stages both runs share, with their durations in ms.
const char kStages[] = R"sql(
SELECT s.policy, s.request_id, s.kind || ' ' || s.site || COALESCE('->' || s.to_site, ''),
       1000 * (s.end_s - s.start_s), 1000 * (e.end_s - e.start_s)
FROM stages s JOIN stages e ON e.policy = s.policy AND e.request_id = s.request_id
     AND e.stage = s.stage AND e.kind = s.kind AND e.site = s.site
WHERE s.run_id = ? AND e.run_id = ? AND s.end_s IS NOT NULL AND e.end_s IS NOT NULL
ORDER BY s.policy, s.request_id, s.stage)sql";

}  // namespace

Status CompareRuns(const std::string& db_path, int64_t simulated_run, int64_t emulated_run,
                   std::vector<PolicyFidelity>* out) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, DbCloser> db(raw);
  if (rc != SQLITE_OK) return Status::IoError(db_path + ": cannot open: " + sqlite3_errmsg(raw));
  auto failed = [&] { return Status::IoError(db_path + ": " + sqlite3_errmsg(raw)); };

  Statement policies(raw, "SELECT policy FROM policy_runs WHERE run_id = ? ORDER BY rowid");
  if (!policies.ok()) return failed();
  policies.Bind(1, emulated_run);
  out->clear();
  std::map<std::string, size_t> index;
  while (policies.NextRow()) {
    index[policies.ColumnText(0)] = out->size();
    out->emplace_back().policy = policies.ColumnText(0);
  }
  if (!policies.Finished()) return failed();

  Statement requests(raw, kRequests);
  if (!requests.ok()) return failed();
  requests.Bind(1, simulated_run).Bind(2, emulated_run);
  std::map<std::string, std::vector<double>> gaps;
  std::set<std::pair<std::string, int64_t>> same_plan;
  while (requests.NextRow()) {
    auto it = index.find(requests.ColumnText(0));
    if (it == index.end()) continue;
    PolicyFidelity& p = (*out)[it->second];
    ++p.requests;
    const int64_t emulated_correct = requests.ColumnIsNull(9) ? -1 : requests.ColumnInt(9);
    if (emulated_correct >= 0) {
      ++p.answered;
      p.agree += !requests.ColumnIsNull(8) && requests.ColumnInt(8) == emulated_correct;
    }
    if (!requests.ColumnInt(2) || !requests.ColumnInt(3)) continue;
    ++p.compared;
    const double simulated = requests.ColumnDouble(4), emulated = requests.ColumnDouble(5);
    p.simulated_mean_ms += simulated;
    p.emulated_mean_ms += emulated;
    gaps[p.policy].push_back(std::fabs(simulated - emulated) / emulated);
    if (!requests.ColumnInt(6)) continue;
    ++p.same_plan;
    p.bytes_differ += !requests.ColumnInt(7);
    same_plan.emplace(p.policy, requests.ColumnInt(1));
  }
  if (!requests.Finished()) return failed();

  Statement stages(raw, kStages);
  if (!stages.ok()) return failed();
  stages.Bind(1, simulated_run).Bind(2, emulated_run);
  while (stages.NextRow()) {
    const std::string policy = stages.ColumnText(0);
    auto it = index.find(policy);
    if (it == index.end() || !same_plan.count({policy, stages.ColumnInt(1)})) continue;
    std::vector<StageComparison>& list = (*out)[it->second].stages;
    const std::string name = stages.ColumnText(2);
    size_t k = 0;
    while (k < list.size() && list[k].stage != name) ++k;
    if (k == list.size()) list.emplace_back().stage = name;
    ++list[k].requests;
    list[k].simulated_ms += stages.ColumnDouble(3);
    list[k].emulated_ms += stages.ColumnDouble(4);
  }
  if (!stages.Finished()) return failed();

  for (PolicyFidelity& p : *out) {
    if (p.compared > 0) {
      p.simulated_mean_ms /= p.compared;
      p.emulated_mean_ms /= p.compared;
      p.median_gap = Percentile(gaps[p.policy], 0.5);
      p.p95_gap = Percentile(gaps[p.policy], 0.95);
    }
    for (StageComparison& s : p.stages) {
      s.simulated_ms /= s.requests;
      s.emulated_ms /= s.requests;
    }
  }
  return Status::Ok();
}

void PrintFidelityTables(const std::vector<PolicyFidelity>& policies, std::ostream& os) {
  char line[512];
  os << "| policy | requests | compared | same plan | simulated mean ms | emulated mean ms | "
        "median gap | p95 gap | bytes differ | answers as the catalog |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const PolicyFidelity& p : policies) {
    std::snprintf(line, sizeof line,
                  "| %s | %d | %d | %d | %.1f | %.1f | %.1f %% | %.1f %% | %d | %d of %d |\n",
                  p.policy.c_str(), p.requests, p.compared, p.same_plan, p.simulated_mean_ms,
                  p.emulated_mean_ms, 100 * p.median_gap, 100 * p.p95_gap, p.bytes_differ, p.agree,
                  p.answered);
    os << line;
  }
  os << "\n| policy | stage (same-plan requests) | requests | simulated mean ms | emulated mean "
        "ms |\n|---|---|---|---|---|\n";
  for (const PolicyFidelity& p : policies)
    for (const StageComparison& s : p.stages) {
      std::snprintf(line, sizeof line, "| %s | %s | %d | %.2f | %.2f |\n", p.policy.c_str(),
                    s.stage.c_str(), s.requests, s.simulated_ms, s.emulated_ms);
      os << line;
    }
}

}  // namespace coinfer
