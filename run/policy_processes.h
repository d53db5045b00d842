// The policies of one run simulated side by side. ns-3's simulator is a
// process-wide singleton, so parallel simulations need processes: each policy
// runs in a child forked after the inputs are prepared (so it shares them,
// copy-on-write), and sends its records back through a pipe. A policy's
// simulation starts from the same state in a child as in this process, so the
// records are the same, bit for bit, whatever the number of jobs.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "sim/engine.h"

namespace coinfer {

struct PolicyRun {
  std::vector<RequestRecord> records;
  RunStats stats;
};

// Runs simulate(i) for each policy i of `policies` (their names, for
// errors), at most `jobs` at once (jobs <= 1 or a single policy: one after
// another in this process), into (*runs)[i]. Records crossing a process keep
// every field but Stage::graph (null), which the results store does not read.
// A child that fails, throws, dies or sends malformed records makes the whole
// call fail, naming its policy; the other children are killed.
using SimulatePolicy = std::function<PolicyRun(size_t policy)>;
Status SimulatePolicies(const std::vector<std::string>& policies, int jobs,
                        const SimulatePolicy& simulate, std::vector<PolicyRun>* runs);

// The records of a run as bytes and back (what crosses the pipe).
std::string EncodePolicyRun(const PolicyRun& run);
Status DecodePolicyRun(const std::string& bytes, PolicyRun* run);

}  // namespace coinfer
