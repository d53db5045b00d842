// `coinfer sweep` and `coinfer merge` as a user runs them: every point once,
// in parallel; resumed after a kill; sharded (as Slurm's job array runs it)
// and merged into the same rows as one sweep.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "tests/app_fixtures.h"

extern char** environ;

namespace coinfer {
namespace {

// A sweep over kSmallScenario in a fresh folder; `db` is where it stores.
std::string WriteSweep(const std::string& name, const std::string& axes, std::string* db) {
  std::string base;
  WriteScenario("sweep_" + name, kSmallScenario, db, &base);
  const std::string path = fs::path(base).parent_path() / "sweep.ini";
  std::ofstream(path) << "scenario = s.ini\noutput.db = " << *db << "\n" << axes;
  return path;
}

// Every request row, under the key of its run: equal for equal sweeps,
// whatever the order their runs were stored in.
std::string RowsByRunKey(const std::string& db) {
  return QueryRows(db, "SELECT r.run_key, " + kRequestColumns +
                           " FROM requests JOIN runs r USING (run_id)"
                           " ORDER BY r.run_key, policy, request_id");
}

const char kSixPoints[] = "sweep.seed = 1..3\nsweep.arrival.rate_per_s = 2 | 5\n";

TEST(SweepAppTest, EveryPointRunsOnceInParallelAndASecondSweepRunsNothing) {
  std::string db;
  const std::string sweep = WriteSweep("six", kSixPoints, &db);
  Outcome o = Coinfer("sweep " + sweep + " -j 2");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(CountRuns(db), 6);
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(DISTINCT run_key) FROM runs"), 6);
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM runs WHERE seed = 2"), 2);

  // A point is the run `coinfer run` makes with the same settings.
  std::string alone_db;
  const std::string alone = WriteScenario("sweep_alone", kSmallScenario, &alone_db);
  ASSERT_EQ(Coinfer("run " + alone + " --set seed=2 --set arrival.rate_per_s=5").exit_code, 0);
  const std::string point_rows = QueryRows(
      db, "SELECT " + kRequestColumns +
              " FROM requests WHERE run_id = (SELECT run_id FROM runs WHERE seed = 2 AND"
              " resolved_settings LIKE '%arrival.rate_per_s = 5%') ORDER BY policy, request_id");
  EXPECT_GT(point_rows.size(), 1000u);
  EXPECT_EQ(point_rows, RequestRows(alone_db));

  o = Coinfer("sweep " + sweep + " -j 2");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("6 points, 6 stored before, 0 run now, 0 failed"), std::string::npos)
      << o.output;
  EXPECT_EQ(CountRuns(db), 6);
  o = Coinfer("sweep " + sweep + " --dry-run");
  EXPECT_NE(o.output.find("6 points: 6 stored, 0 repeated, 0 to run"), std::string::npos)
      << o.output;
}

TEST(SweepAppTest, ABadPointStopsTheSweepBeforeAnyRun) {
  std::string db;
  const std::string sweep = WriteSweep("bad", "sweep.arrival.rate_per_s = 2, -1\n", &db);
  const Outcome o = Coinfer("sweep " + sweep);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find(sweep + ": point 1 (arrival.rate_per_s=-1): --set: arrival.rate_per_s"),
            std::string::npos)
      << o.output;
  EXPECT_FALSE(fs::exists(db));
}

// Starts coinfer with `args`; returns its pid.
pid_t Spawn(const std::vector<std::string>& args) {
  std::vector<std::string> all = {COINFER_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t quiet;
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, argv[0], &quiet, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&quiet);
  return pid;
}

class KilledSweepTest : public ::testing::TestWithParam<int> {};

// Killed after its first stored run, a sweep keeps what it stored and no
// half run; run again, it ends with the rows of a sweep never interrupted.
TEST_P(KilledSweepTest, ResumesToTheRowsOfAnUninterruptedSweep) {
  const int signal = GetParam();
  const char kFourPoints[] = "sweep.seed = 1..4\n";
  std::string whole_db, killed_db;
  const std::string whole = WriteSweep("whole" + std::to_string(signal), kFourPoints, &whole_db);
  const std::string killed = WriteSweep("killed" + std::to_string(signal), kFourPoints, &killed_db);
  ASSERT_EQ(Coinfer("sweep " + whole + " -j 1").exit_code, 0);

  const pid_t pid = Spawn({"sweep", killed, "-j", "1"});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (CountRuns(killed_db) < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(kill(pid, signal), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  if (signal == SIGINT) {
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << status;
  } else {
    EXPECT_TRUE(WIFSIGNALED(status)) << status;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // its worker dies with it
  const int stored = CountRuns(killed_db);
  EXPECT_GE(stored, 1);
  EXPECT_LT(stored, 4) << "the sweep ended before the kill: the test proves nothing";
  // No half-written run: every stored run has all its requests.
  EXPECT_EQ(QueryInt(killed_db,
                     "SELECT COUNT(*) FROM runs r WHERE finished_at IS NULL OR "
                     "(SELECT COUNT(*) FROM requests q WHERE q.run_id = r.run_id) = 0"),
            0);

  const Outcome o = Coinfer("sweep " + killed + " -j 1");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("4 points, " + std::to_string(stored) + " stored before"),
            std::string::npos)
      << o.output;
  EXPECT_EQ(CountRuns(killed_db), 4);
  EXPECT_EQ(RowsByRunKey(killed_db), RowsByRunKey(whole_db));
}

INSTANTIATE_TEST_SUITE_P(Signals, KilledSweepTest, ::testing::Values(SIGINT, SIGKILL),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGINT ? "SIGINT" : "SIGKILL");
                         });

// scripts/slurm-sweep.sh as a job array runs it: each task its shard, then
// the merge step; the result is the unsharded sweep's rows, each run once.
TEST(SweepAppTest, SlurmArrayTasksThenMergeEqualOneSweep) {
  std::string whole_db, sharded_db;
  const std::string whole = WriteSweep("unsharded", kSixPoints, &whole_db);
  const std::string sharded = WriteSweep("sharded", kSixPoints, &sharded_db);
  ASSERT_EQ(Coinfer("sweep " + whole + " -j 2").exit_code, 0);
  const std::string merged = ScratchDir() + "merged.sqlite";
  fs::remove(merged);
  const std::string script = "COINFER=" + std::string(COINFER_BINARY) + " " + kSource +
                             "/scripts/slurm-sweep.sh " + sharded + " " + merged + " 4";
  for (int task = 0; task < 4; ++task) {
    const std::string env =
        "SLURM_ARRAY_TASK_ID=" + std::to_string(task) + " SLURM_ARRAY_TASK_COUNT=4 ";
    ASSERT_EQ(std::system((env + script + " > /dev/null 2>&1").c_str()), 0) << task;
    EXPECT_EQ(CountRuns(ScratchDir() + "merged.shard-" + std::to_string(task + 1) + ".sqlite"),
              task < 2 ? 2 : 1);
  }
  for (int twice = 0; twice < 2; ++twice)  // a merge job run again adds nothing
    ASSERT_EQ(std::system(("COINFER_SLURM_STEP=merge " + script + " > /dev/null 2>&1").c_str()), 0);
  EXPECT_EQ(CountRuns(merged), 6);
  EXPECT_EQ(RowsByRunKey(merged), RowsByRunKey(whole_db));
  EXPECT_FALSE(fs::exists(sharded_db));  // --output took every point's run
}

}  // namespace
}  // namespace coinfer
