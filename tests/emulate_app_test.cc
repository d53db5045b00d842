// `coinfer emulate`: a two-tier scenario run for real (site processes, a
// shaped link, LibTorch), stored as an emulation run; what it cannot run is
// refused before anything starts.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <sstream>
#include <string>
#include <vector>

#include "tests/app_fixtures.h"

namespace coinfer {
namespace {

std::string EmulationScenario(const std::string& dir, const std::string& db = "emulated",
                              int duration_s = 3) {
  return kSource + "/scenarios/compression.ini --set duration_s=" + std::to_string(duration_s) +
         " --set drain_s=5" + " --set policies=device-only,cloud-only --set estimator.kind=ewma" +
         " --set compression.samples=100 --set compression.catalog=" + dir + "/catalog.sqlite" +
         " --set output.db=" + dir + "/" + db + ".sqlite";
}

// Marks the processes this test starts: its sites inherit the variable, so
// the count below ignores sites of tests running beside this one.
void TagChildren(const std::string& tag) { setenv("COINFER_TEST_TAG", tag.c_str(), 1); }

std::string ReadProcFile(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Processes `coinfer emulate-site ...` started under `tag`, read from /proc
// (no procps needed).
int SiteProcesses(const std::string& tag) {
  int count = 0;
  std::error_code error;  // processes come and go while /proc is read
  for (fs::directory_iterator it("/proc", error), end; !error && it != end; it.increment(error)) {
    if (ReadProcFile(it->path() / "cmdline").find(std::string("emulate-site") + '\0') ==
        std::string::npos)
      continue;
    const std::string environ = ReadProcFile(it->path() / "environ");
    if (environ.find("COINFER_TEST_TAG=" + tag + '\0') != std::string::npos) ++count;
  }
  return count;
}

TEST(EmulateAppTest, ATwoTierScenarioRunsForRealAndIsStoredAsAnEmulation) {
  const std::string dir = ScratchDir() + "emulate";
  fs::remove_all(dir);
  fs::create_directories(dir);
  TagChildren(dir);
  const Outcome emulated = Coinfer("emulate " + EmulationScenario(dir));
  ASSERT_EQ(emulated.exit_code, 0) << emulated.output;
  const std::string db = dir + "/emulated.sqlite";
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM runs WHERE mode = 'emulation'"), 1);
  const int requests = QueryInt(db, "SELECT COUNT(*) FROM requests WHERE policy = 'cloud-only'");
  EXPECT_GT(requests, 5);
  // Every request finished, with the answer the emulated sites computed.
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM requests WHERE actual_ms > 0 AND correct >= 0"),
            2 * requests);
  // The same arrivals and samples as the simulation of the same scenario.
  const Outcome simulated = Coinfer("run " + EmulationScenario(dir, "simulated"));
  ASSERT_EQ(simulated.exit_code, 0) << simulated.output;
  const std::string arrivals =
      "SELECT policy, request_id, round(arrival_s, 9), sample, bytes_sent FROM requests "
      "ORDER BY policy, request_id";
  EXPECT_EQ(QueryRows(db, arrivals), QueryRows(dir + "/simulated.sqlite", arrivals));
  EXPECT_EQ(SiteProcesses(dir), 0) << "a site outlived the command";
}

// Interrupted while its sites run, the command leaves none behind.
TEST(EmulateAppTest, AnInterruptedEmulationLeavesNoSiteRunning) {
  const std::string dir = ScratchDir() + "emulate_interrupted";
  fs::remove_all(dir);
  fs::create_directories(dir);
  TagChildren(dir);
  // Started without a shell in between, which would ignore SIGINT for it.
  const std::string cmd = "exec " + std::string(COINFER_BINARY) + " emulate " +
                          EmulationScenario(dir, "emulated", 60) + " > " + dir + "/output.txt 2>&1";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until both sites run (the catalog is measured first: over a minute
  // on a loaded machine).
  bool running = false;
  int status = 0;
  for (int i = 0; i < 1200 && !running; ++i) {
    running = SiteProcesses(dir) >= 2;
    ASSERT_EQ(waitpid(pid, &status, WNOHANG), 0)
        << "coinfer emulate ended: " << std::ifstream(dir + "/output.txt").rdbuf();
    if (!running) usleep(200'000);
  }
  ASSERT_TRUE(running) << "the sites never started";
  ASSERT_EQ(kill(pid, SIGINT), 0);
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) || WEXITSTATUS(status) != 0);
  usleep(500'000);  // the kernel's SIGKILL of the orphaned sites
  EXPECT_EQ(SiteProcesses(dir), 0) << "a site outlived the interrupted command";
}

// The cells of the fidelity table's row for `policy` (empty: no such row).
std::vector<std::string> FidelityRow(const std::string& output, const std::string& policy) {
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| " + policy + " | ", 0) != 0) continue;
    std::vector<std::string> cells;
    std::istringstream in(line.substr(2));
    for (std::string cell; std::getline(in, cell, '|');)
      cells.push_back(cell.substr(cell.find_first_not_of(' '),
                                  cell.find_last_not_of(' ') - cell.find_first_not_of(' ') + 1));
    return cells;
  }
  return {};
}

// A short fidelity run: both runs stored, every request compared, the same
// bytes and answers; device-only, which crosses no link, has no gap.
TEST(EmulateAppTest, FidelityComparesASimulationWithItsEmulation) {
  const std::string dir = ScratchDir() + "fidelity";
  fs::remove_all(dir);
  fs::create_directories(dir);
  TagChildren(dir);
  const Outcome fidelity = Coinfer("fidelity " + EmulationScenario(dir, "fidelity"));
  ASSERT_EQ(fidelity.exit_code, 0) << fidelity.output;
  const std::string db = dir + "/fidelity.sqlite";
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM runs WHERE mode = 'simulation'"), 1);
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM runs WHERE mode = 'emulation'"), 1);
  for (const std::string policy : {"device-only", "cloud-only"}) {
    // policy, requests, compared, same plan, means, median, p95, bytes, answers
    const std::vector<std::string> row = FidelityRow(fidelity.output, policy);
    ASSERT_EQ(row.size(), 10u) << policy << "\n" << fidelity.output;
    const std::string count =
        "SELECT COUNT(*) FROM requests WHERE run_id = 1 AND policy = '" + policy + "'";
    const std::string requests = std::to_string(QueryInt(db, count.c_str()));
    EXPECT_EQ(row[1], requests);
    EXPECT_EQ(row[2], requests) << "a request not completed in one of the runs";
    EXPECT_EQ(row[3], requests) << "the emulation planned otherwise";
    EXPECT_EQ(row[8], "0") << "bytes differ";
    EXPECT_EQ(row[9], requests + " of " + requests) << "answers differ from the catalog's";
  }
  const std::vector<std::string> local = FidelityRow(fidelity.output, "device-only");
  ASSERT_EQ(local.size(), 10u);
  EXPECT_EQ(local[6], "0.0 %");
  EXPECT_EQ(SiteProcesses(dir), 0) << "a site outlived the command";
}

TEST(EmulateAppTest, WhatCannotBeEmulatedIsRefusedNamingTheKey) {
  const std::string dir = ScratchDir() + "emulate_refused";
  const Outcome three_tier =
      Coinfer("emulate " + EmulationScenario(dir) + " --set topology=three-tier");
  EXPECT_EQ(three_tier.exit_code, 2);
  EXPECT_NE(three_tier.output.find("topology"), std::string::npos) << three_tier.output;
  const Outcome delivery =
      Coinfer("emulate " + EmulationScenario(dir) + " --set estimator.kind=delivery");
  EXPECT_EQ(delivery.exit_code, 2);
  EXPECT_NE(delivery.output.find("estimator.kind"), std::string::npos) << delivery.output;
}

}  // namespace
}  // namespace coinfer
