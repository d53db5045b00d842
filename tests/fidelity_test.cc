// CompareRuns: a simulation and an emulation of the same requests, compared
// on a hand-made database whose figures are worked out below by hand.
#include "analysis/fidelity.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "tests/scratch_dir.h"

namespace coinfer {
namespace {

void Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << error;
}

// Run 1 is the simulation, run 2 the emulation; the results store writes an
// unknown correctness as NULL. Policy b runs first: one request, 10 / 10 ms.
// Policy a:
//   request 0: 10 / 10 ms, same plan, answers 1 / 1
//   request 1: 20 / 25 ms, same plan but other bytes, answers 1 / 0
//   request 2: 30 / 20 ms, another split, answers 0 / 0
//   request 3: 40 / 50 ms, same plan, not answered by the sites
//   request 4: completed only in the simulation
//   request 5: 10 / 10 ms, another codec, answers unknown / 1
//   request 6: 10 / 10 ms, another variant, answers 1 / 1
std::string MakeDatabase() {
  const std::string path = ScratchDirFor("fidelity") + "runs.sqlite";
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  Exec(db,
       "CREATE TABLE policy_runs (run_id INTEGER, policy TEXT);"
       "CREATE TABLE requests (run_id INTEGER, policy TEXT, request_id INTEGER, completed "
       "INTEGER, actual_ms REAL, split INTEGER, codec TEXT, variant TEXT, bytes_sent INTEGER, "
       "correct INTEGER);"
       "CREATE TABLE stages (run_id INTEGER, policy TEXT, request_id INTEGER, stage INTEGER, "
       "kind TEXT, site TEXT, to_site TEXT, start_s REAL, end_s REAL);"
       "INSERT INTO policy_runs VALUES (1, 'b'), (1, 'a'), (2, 'b'), (2, 'a');"
       "INSERT INTO requests VALUES"
       " (1, 'a', 0, 1, 10, 1, 'q', NULL, 100, 1), (2, 'a', 0, 1, 10, 1, 'q', NULL, 100, 1),"
       " (1, 'a', 1, 1, 20, 1, 'q', NULL, 100, 1), (2, 'a', 1, 1, 25, 1, 'q', NULL, 120, 0),"
       " (1, 'a', 2, 1, 30, 2, 'q', NULL, 100, 0), (2, 'a', 2, 1, 20, 1, 'q', NULL, 100, 0),"
       " (1, 'a', 3, 1, 40, 1, 'q', NULL, 100, 1), (2, 'a', 3, 1, 50, 1, 'q', NULL, 100, NULL),"
       " (1, 'a', 4, 1, 40, 1, 'q', NULL, 100, 1), (2, 'a', 4, 0, NULL, 1, 'q', NULL, 100, NULL),"
       " (1, 'a', 5, 1, 10, 1, 'q', NULL, 100, NULL), (2, 'a', 5, 1, 10, 1, 'z', NULL, 100, 1),"
       " (1, 'a', 6, 1, 10, 1, 'q', 'v1', 100, 1), (2, 'a', 6, 1, 10, 1, 'q', 'v2', 100, 1),"
       " (1, 'b', 0, 1, 10, 0, NULL, NULL, 5, 1), (2, 'b', 0, 1, 10, 0, NULL, NULL, 5, 1);"
       "INSERT INTO stages VALUES"
       " (1, 'a', 0, 0, 'transfer', 'end', 'cloud', 1.0, 1.004),"
       " (2, 'a', 0, 0, 'transfer', 'end', 'cloud', 1.0, 1.006),"
       " (1, 'a', 0, 1, 'compute', 'cloud', NULL, 1.004, 1.005),"
       " (2, 'a', 0, 1, 'compute', 'cloud', NULL, 1.006, 1.007),"
       " (1, 'a', 1, 0, 'transfer', 'end', 'cloud', 2.0, 2.002),"
       " (2, 'a', 1, 0, 'transfer', 'end', 'cloud', 2.0, 2.004),"
       " (1, 'a', 2, 0, 'transfer', 'end', 'cloud', 3.0, 3.1),"
       " (2, 'a', 2, 0, 'transfer', 'end', 'cloud', 3.0, 3.1),"
       " (1, 'a', 5, 0, 'transfer', 'end', 'cloud', 5.0, 5.1),"
       " (2, 'a', 5, 0, 'transfer', 'end', 'cloud', 5.0, 5.1);");
  sqlite3_close(db);
  return path;
}

TEST(FidelityTest, GapsPlansBytesAndAnswersAreCountedPerRequest) {
  std::vector<PolicyFidelity> policies;
  const Status st = CompareRuns(MakeDatabase(), 1, 2, &policies);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(policies.size(), 2u);
  const PolicyFidelity& b = policies[0];  // the order the policies ran in
  EXPECT_EQ(b.policy, "b");
  EXPECT_EQ(b.compared, 1);
  EXPECT_EQ(b.same_plan, 1);
  EXPECT_EQ(b.median_gap, 0.0);
  EXPECT_TRUE(b.stages.empty());
  const PolicyFidelity& a = policies[1];
  EXPECT_EQ(a.policy, "a");
  EXPECT_EQ(a.requests, 7);
  EXPECT_EQ(a.compared, 6);
  EXPECT_EQ(a.same_plan, 3) << "requests 0, 1 and 3: not 2 (split), 5 (codec) or 6 (variant)";
  EXPECT_DOUBLE_EQ(a.simulated_mean_ms, 120.0 / 6);
  EXPECT_DOUBLE_EQ(a.emulated_mean_ms, 125.0 / 6);
  // Gaps 0, 5/25, 10/20, 10/50, 0, 0: sorted 0, 0, 0, 0.2, 0.2, 0.5. The
  // median sits at rank 2.5, (0 + 0.2) / 2; the 95th percentile at rank
  // 4.75, 0.2 + 0.75 * 0.3.
  EXPECT_NEAR(a.median_gap, 0.1, 1e-12);
  EXPECT_NEAR(a.p95_gap, 0.425, 1e-12);
  EXPECT_EQ(a.bytes_differ, 1);
  // Answered: 0, 1, 2, 5, 6; as the simulation: 0, 2 and 6 (5's simulated
  // correctness is unknown).
  EXPECT_EQ(a.answered, 5);
  EXPECT_EQ(a.agree, 3);
  // Stages of the same-plan requests only (2's and 5's 100 ms are left out).
  ASSERT_EQ(a.stages.size(), 2u);
  EXPECT_EQ(a.stages[0].stage, "transfer end->cloud");
  EXPECT_EQ(a.stages[0].requests, 2);
  EXPECT_NEAR(a.stages[0].simulated_ms, 3.0, 1e-9);
  EXPECT_NEAR(a.stages[0].emulated_ms, 5.0, 1e-9);
  EXPECT_EQ(a.stages[1].stage, "compute cloud");
  EXPECT_EQ(a.stages[1].requests, 1);
  EXPECT_NEAR(a.stages[1].emulated_ms, 1.0, 1e-9);
}

}  // namespace
}  // namespace coinfer
