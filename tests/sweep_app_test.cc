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

// The children of `pid` (the sweep's workers).
std::vector<pid_t> Children(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> children;
  for (pid_t c; in >> c;) children.push_back(c);
  return children;
}

// Running: it exists and is not a zombie waiting to be reaped.
bool Alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && line.size() > paren + 2 && line[paren + 2] != 'Z';
}

class KilledSweepTest : public ::testing::TestWithParam<int> {};

// Killed after its first stored run, a sweep keeps what it stored, its
// worker dies with it (SIGKILL) or is stopped at once (SIGINT), and run
// again it ends with the rows of a sweep never interrupted.
TEST_P(KilledSweepTest, ResumesToTheRowsOfAnUninterruptedSweep) {
  const int signal = GetParam();
  // Runs of a few seconds each: longer than the sweep may take to stop.
  const char kThreeLongPoints[] = "duration_s = 150\nsweep.seed = 1..3\n";
  std::string whole_db, killed_db;
  const std::string name = std::to_string(signal);
  const std::string whole = WriteSweep("whole" + name, kThreeLongPoints, &whole_db);
  const std::string killed = WriteSweep("killed" + name, kThreeLongPoints, &killed_db);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(Coinfer("sweep " + whole + " -j 1").exit_code, 0);
  const double run_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 3;

  const pid_t pid = Spawn({"sweep", killed, "-j", "1"});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (CountRuns(killed_db) < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::vector<pid_t> workers;
  while (workers.empty() && std::chrono::steady_clock::now() < deadline)
    workers = Children(pid);  // the second point's worker
  ASSERT_FALSE(workers.empty());
  const int stored = CountRuns(killed_db);
  ASSERT_GE(stored, 1);
  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(pid, signal), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  const double stop_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  if (signal == SIGINT) {
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << status;
    EXPECT_LT(stop_s, 0.5 * run_s) << "the sweep waited for its run instead of stopping it";
  } else {
    EXPECT_TRUE(WIFSIGNALED(status)) << status;
  }
  for (const pid_t worker : workers) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (Alive(worker) && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_FALSE(Alive(worker)) << "worker " << worker << " outlived the sweep";
  }
  EXPECT_EQ(CountRuns(killed_db), stored);  // the run in flight was not stored
  EXPECT_LT(stored, 3) << "the sweep ended before the kill: the test proves nothing";

  const Outcome o = Coinfer("sweep " + killed + " -j 1");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("3 points, " + std::to_string(stored) + " stored before"),
            std::string::npos)
      << o.output;
  EXPECT_EQ(CountRuns(killed_db), 3);
  EXPECT_EQ(RowsByRunKey(killed_db), RowsByRunKey(whole_db));
}

INSTANTIATE_TEST_SUITE_P(Signals, KilledSweepTest, ::testing::Values(SIGINT, SIGKILL),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGINT ? "SIGINT" : "SIGKILL");
                         });

// scripts/slurm-sweep.sh end to end, Slurm played by hand: submission goes
// to a stand-in sbatch that records what it was asked; each array task then
// runs with only the environment the submission exported, then the merge
// step. The result is the unsharded sweep's rows, each run once.
TEST(SweepAppTest, SlurmArrayTasksThenMergeEqualOneSweep) {
  std::string whole_db, sharded_db;
  const std::string whole = WriteSweep("unsharded", kSixPoints, &whole_db);
  const std::string sharded = WriteSweep("sharded", kSixPoints, &sharded_db);
  ASSERT_EQ(Coinfer("sweep " + whole + " -j 2").exit_code, 0);
  const std::string bin = ScratchDir() + "fake-slurm/";
  fs::create_directories(bin);
  std::ofstream(bin + "sbatch") << "#!/bin/sh\necho \"$@\" >> " << bin << "submitted\nif [ -f "
                                << bin << "first ]; then echo 124; else touch " << bin
                                << "first; echo '123;cluster'; fi\n";
  fs::permissions(bin + "sbatch", fs::perms::owner_all);
  const std::string merged = ScratchDir() + "merged.sqlite";
  const std::string script = kSource + "/scripts/slurm-sweep.sh " + sharded + " " + merged + " 4";
  ASSERT_EQ(std::system(
                ("PATH=" + bin + ":$PATH COINFER=" + COINFER_BINARY + " " + script + " > /dev/null")
                    .c_str()),
            0);
  std::stringstream submitted;
  submitted << std::ifstream(bin + "submitted").rdbuf();
  const std::string exported = "COINFER=" + fs::canonical(COINFER_BINARY).string();
  EXPECT_NE(
      submitted.str().find("--array=0-3 --export=ALL," + exported + ",COINFER_SLURM_STEP=task"),
      std::string::npos)
      << submitted.str();
  EXPECT_NE(submitted.str().find("--dependency=afterok:123 --kill-on-invalid-dep=yes "
                                 "--export=ALL," +
                                 exported + ",COINFER_SLURM_STEP=merge"),
            std::string::npos)
      << submitted.str();

  // What a task sees: the array index and what the submission exported.
  const std::string task_env = "env -i PATH=/usr/bin:/bin " + exported + " ";
  for (int task = 0; task < 4; ++task) {
    const std::string env =
        task_env + "COINFER_SLURM_STEP=task SLURM_ARRAY_TASK_ID=" + std::to_string(task) + " ";
    ASSERT_EQ(std::system((env + "bash " + script + " > /dev/null 2>&1").c_str()), 0) << task;
    EXPECT_EQ(CountRuns(ScratchDir() + "merged.shard-" + std::to_string(task + 1) + ".sqlite"),
              task < 2 ? 2 : 1);
  }
  const std::string merge =
      task_env + "COINFER_SLURM_STEP=merge bash " + script + " > /dev/null 2>&1";
  for (int twice = 0; twice < 2; ++twice)  // a merge job run again adds nothing
    ASSERT_EQ(std::system(merge.c_str()), 0);
  EXPECT_EQ(CountRuns(merged), 6);
  EXPECT_EQ(RowsByRunKey(merged), RowsByRunKey(whole_db));
  EXPECT_FALSE(fs::exists(sharded_db));  // --output took every point's run
}

}  // namespace
}  // namespace coinfer
