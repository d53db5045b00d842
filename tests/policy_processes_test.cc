// Policies simulated in child processes: every record comes back whole, in
// the policy's place, and a child that fails fails the run, naming it.
#include "run/policy_processes.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "base/stopwatch.h"

namespace coinfer {
namespace {

// Policy names "p1", "p2", ... for `count` policies.
std::vector<std::string> Names(size_t count) {
  std::vector<std::string> names;
  for (size_t i = 1; i <= count; ++i) names.push_back("p" + std::to_string(i));
  return names;
}

// A record with every field set, from the policy's number (so that records
// of different policies differ in every field).
RequestRecord FullRecord(size_t policy, int id) {
  RequestRecord r;
  const double x = 1000.0 * policy + id + 0.125;
  r.id = id;
  r.arrival_s = x + 0.1;
  r.decision_wall_us = x + 0.2;
  r.decision_device_us = x + 0.3;
  r.split = static_cast<int>(policy) + 7;
  r.bytes_sent = (int64_t{1} << 40) + id;
  r.uplink_estimate_mbps = x + 0.4;
  r.uplink_capacity_mbps = x + 0.5;
  r.predicted_ms = x + 0.6;
  r.actual_ms = x + 0.7;
  r.completed = id % 2 == 0;
  r.transfer_ms = x + 0.8;
  for (int k = 0; k < kSiteRoles; ++k) r.totals[k] = {x + 10 + k, x + 20 + k};
  r.end_energy_j = x + 0.9;
  r.sample = id + 3;
  r.correct = id % 2;
  r.codec = "quant:" + std::to_string(policy) + ";prune:0.5";
  r.variant = policy % 2 ? "" : "pruned-" + std::to_string(id);
  r.requirement_met = 1;
  for (int s = 0; s < 2; ++s) {
    StageRecord st;
    st.stage.kind = s ? Stage::Kind::kTransfer : Stage::Kind::kCompute;
    st.stage.site = s;
    st.stage.to = s + 1;
    st.stage.layers = {0, 1, id};
    st.stage.rows = {2, 9 + id};
    st.stage.cores = 4;
    st.stage.bytes = 12345 + id;
    st.stage.result = s == 1;
    st.stage.split = 3;
    st.stage.codec = 2;
    st.stage.deps = {s};
    st.stage.predicted_ms = x + 1.5;
    st.ready_s = x + 2.5;
    st.start_s = x + 3.5;
    st.end_s = x + 4.5;
    st.measured = s == 0;
    st.codec = s ? "quant:8" : "";
    r.stages.push_back(st);
  }
  return r;
}

PolicyRun FullRun(size_t policy) {
  PolicyRun run;
  for (int id = 0; id < 50; ++id) run.records.push_back(FullRecord(policy, id));
  run.stats.events = 123456789012ull + policy;
  run.stats.simulated_s = 60.5 + policy;
  run.stats.wall_s = 0.25;
  run.stats.probes = 17 + static_cast<int>(policy);
  run.stats.probe_bytes = (uint64_t{1} << 35) + policy;
  run.stats.probe_energy_j = 3.75 + policy;
  return run;
}

// Field by field, written out here rather than through the code under test.
void ExpectSameRun(const PolicyRun& a, const PolicyRun& b) {
  EXPECT_EQ(a.stats.events, b.stats.events);
  EXPECT_EQ(a.stats.simulated_s, b.stats.simulated_s);
  EXPECT_EQ(a.stats.wall_s, b.stats.wall_s);
  EXPECT_EQ(a.stats.probes, b.stats.probes);
  EXPECT_EQ(a.stats.probe_bytes, b.stats.probe_bytes);
  EXPECT_EQ(a.stats.probe_energy_j, b.stats.probe_energy_j);
  ASSERT_EQ(a.records.size(), b.records.size());
  for (size_t i = 0; i < a.records.size(); ++i) {
    const RequestRecord &x = a.records[i], &y = b.records[i];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.arrival_s, y.arrival_s);
    EXPECT_EQ(x.decision_wall_us, y.decision_wall_us);
    EXPECT_EQ(x.decision_device_us, y.decision_device_us);
    EXPECT_EQ(x.split, y.split);
    EXPECT_EQ(x.bytes_sent, y.bytes_sent);
    EXPECT_EQ(x.uplink_estimate_mbps, y.uplink_estimate_mbps);
    EXPECT_EQ(x.uplink_capacity_mbps, y.uplink_capacity_mbps);
    EXPECT_EQ(x.predicted_ms, y.predicted_ms);
    EXPECT_EQ(x.actual_ms, y.actual_ms);
    EXPECT_EQ(x.completed, y.completed);
    EXPECT_EQ(x.transfer_ms, y.transfer_ms);
    for (int k = 0; k < kSiteRoles; ++k) {
      EXPECT_EQ(x.totals[k].wait_ms, y.totals[k].wait_ms);
      EXPECT_EQ(x.totals[k].compute_ms, y.totals[k].compute_ms);
    }
    EXPECT_EQ(x.end_energy_j, y.end_energy_j);
    EXPECT_EQ(x.sample, y.sample);
    EXPECT_EQ(x.correct, y.correct);
    EXPECT_EQ(x.codec, y.codec);
    EXPECT_EQ(x.variant, y.variant);
    EXPECT_EQ(x.requirement_met, y.requirement_met);
    ASSERT_EQ(x.stages.size(), y.stages.size());
    for (size_t s = 0; s < x.stages.size(); ++s) {
      const StageRecord &p = x.stages[s], &q = y.stages[s];
      EXPECT_EQ(p.stage.kind, q.stage.kind);
      EXPECT_EQ(p.stage.site, q.stage.site);
      EXPECT_EQ(p.stage.to, q.stage.to);
      EXPECT_EQ(p.stage.layers, q.stage.layers);
      EXPECT_EQ(p.stage.rows, q.stage.rows);
      EXPECT_EQ(p.stage.cores, q.stage.cores);
      EXPECT_EQ(p.stage.bytes, q.stage.bytes);
      EXPECT_EQ(p.stage.result, q.stage.result);
      EXPECT_EQ(p.stage.split, q.stage.split);
      EXPECT_EQ(p.stage.codec, q.stage.codec);
      EXPECT_EQ(p.stage.deps, q.stage.deps);
      EXPECT_EQ(p.stage.predicted_ms, q.stage.predicted_ms);
      EXPECT_EQ(p.ready_s, q.ready_s);
      EXPECT_EQ(p.start_s, q.start_s);
      EXPECT_EQ(p.end_s, q.end_s);
      EXPECT_EQ(p.measured, q.measured);
      EXPECT_EQ(p.codec, q.codec);
    }
  }
}

TEST(PolicyProcessesTest, EveryPolicysRecordsComeBackWholeInItsPlace) {
  const pid_t parent = getpid();
  std::vector<PolicyRun> runs;
  ASSERT_TRUE(SimulatePolicies(
                  Names(7), 3,
                  [parent](size_t i) {
                    PolicyRun run = FullRun(i);
                    // Proof that a child ran it: it cannot reach the parent's memory.
                    run.stats.wall_s = getpid() == parent ? -1 : 0.25;
                    return run;
                  },
                  &runs)
                  .ok());
  ASSERT_EQ(runs.size(), 7u);
  for (size_t i = 0; i < runs.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectSameRun(runs[i], FullRun(i));
  }
}

TEST(PolicyProcessesTest, OneJobRunsInThisProcess) {
  const pid_t parent = getpid();
  std::vector<PolicyRun> runs;
  std::vector<pid_t> pids;
  ASSERT_TRUE(SimulatePolicies(
                  Names(3), 1,
                  [&pids](size_t i) {
                    pids.push_back(getpid());
                    return FullRun(i);
                  },
                  &runs)
                  .ok());
  EXPECT_EQ(pids, std::vector<pid_t>(3, parent));
  ExpectSameRun(runs[2], FullRun(2));
}

TEST(PolicyProcessesTest, PoliciesRunAtOnce) {
  // Four policies of 0.4 s each with 4 jobs: together, well under 1.6 s.
  Stopwatch watch;
  std::vector<PolicyRun> runs;
  ASSERT_TRUE(SimulatePolicies(
                  Names(4), 4,
                  [](size_t i) {
                    usleep(400000);
                    return FullRun(i);
                  },
                  &runs)
                  .ok());
  EXPECT_LT(watch.Seconds(), 1.2);
}

TEST(PolicyProcessesTest, AFailingPolicyFailsTheRunNamingWhy) {
  std::vector<PolicyRun> runs;
  const Status st = SimulatePolicies(
      Names(5), 2,
      [](size_t i) {
        if (i == 3) throw std::runtime_error("no route to site 2");
        return FullRun(i);
      },
      &runs);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("simulation failed: p4: no route to site 2"), std::string::npos)
      << st.message();
}

TEST(PolicyProcessesTest, ACrashedPolicyIsNamedAndTheOthersAreStopped) {
  Stopwatch watch;
  std::vector<PolicyRun> runs;
  const Status st = SimulatePolicies(
      Names(3), 3,
      [](size_t i) {
        if (i == 1) std::abort();
        sleep(30);  // killed long before
        return FullRun(i);
      },
      &runs);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("p2 was killed by signal 6"), std::string::npos) << st.message();
  EXPECT_LT(watch.Seconds(), 10);
}

TEST(PolicyProcessesTest, TruncatedOrPaddedRecordsAreRefused) {
  const std::string bytes = EncodePolicyRun(FullRun(1));
  PolicyRun run;
  ASSERT_TRUE(DecodePolicyRun(bytes, &run).ok());
  for (const size_t cut : {size_t{0}, size_t{7}, bytes.size() / 2, bytes.size() - 1})
    EXPECT_FALSE(DecodePolicyRun(bytes.substr(0, cut), &run).ok()) << cut;
  EXPECT_FALSE(DecodePolicyRun(bytes + "x", &run).ok());
  // A length field claiming more than the bytes hold: the record count,
  // after the run's stats (events, simulated_s, wall_s, probes, probe_bytes,
  // probe_energy_j).
  std::string huge = bytes;
  huge.replace(8 + 8 + 8 + 4 + 8 + 8, 8, std::string(8, '\xff'));
  EXPECT_FALSE(DecodePolicyRun(huge, &run).ok());
}

// A flag is a byte 0 or 1: any other byte (not a bool) is refused. The flag's
// place is where two runs differing only in it differ.
TEST(PolicyProcessesTest, AFlagOtherThanZeroOrOneIsRefused) {
  PolicyRun done = FullRun(1), not_done = FullRun(1);
  done.records[0].completed = true;
  not_done.records[0].completed = false;
  const std::string a = EncodePolicyRun(done), b = EncodePolicyRun(not_done);
  ASSERT_EQ(a.size(), b.size());
  std::vector<size_t> differ;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) differ.push_back(i);
  ASSERT_EQ(differ.size(), 1u);
  std::string two = a;
  two[differ[0]] = 2;
  PolicyRun run;
  EXPECT_FALSE(DecodePolicyRun(two, &run).ok());
}

}  // namespace
}  // namespace coinfer
