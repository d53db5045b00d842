// The run as a library call: a loaded, validated scenario in, one stored run
// out. `coinfer run` is a thin shell over it; sweeps and emulation call the
// same function.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>

#include "base/status.h"
#include "run/policy_processes.h"
#include "run/scenario.h"

namespace coinfer {

struct RunOptions {
  std::ostream* progress = nullptr;  // measurement and build lines, when given
  // Skip the run when output_db already holds one with the scenario's key
  // (checked before simulating and again in the write transaction).
  bool once = false;
  // Policies simulated at once, each in its own process
  // (run/policy_processes.h); the results do not depend on it.
  int jobs = 1;
  // Runs the engine for one policy in place of ns-3's (RunEngine): how
  // emulation runs the same inputs. Policies then run one after another in
  // this process, and the run is stored with `mode`.
  std::function<PolicyRun(const EngineConfig& engine, Policy& policy)> engine;
  std::string mode = "simulation";
};

struct RunResult {
  int64_t run_id = 0;    // in scenario.output_db
  bool skipped = false;  // options.once: run_id is the stored run
  uint64_t events = 0;   // simulated events, all policies
  double wall_s = 0;     // host time of the simulations, summed over policies
  double elapsed_s = 0;  // wall time from the first simulation's start to the last's end
};

// Does the inputs (the model's graph recorded with LibTorch, the sites'
// device models, catalog entries to measure and variants to build), creates
// each policy once, runs the engine for each on the same arrivals and stores
// everything in one SQLite transaction: a run that fails anywhere leaves no
// rows.
Status RunScenario(const Scenario& scenario, RunResult* result, const RunOptions& options = {});

}  // namespace coinfer
