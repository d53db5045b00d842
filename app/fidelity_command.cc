// coinfer fidelity: the scenario simulated, then emulated with the same seed,
// arrivals, samples and traces, and the two compared request by request
// (analysis/fidelity.h; docs/emulation.md says what each figure means).
#include <iostream>

#include "analysis/fidelity.h"
#include "app/commands.h"
#include "app/scenario_command.h"
#include "app/scenario_emulation.h"

namespace coinfer {

int FidelityCommand(const std::vector<std::string>& args) {
  Scenario scenario;
  if (int exit = LoadScenarioCommand("fidelity", args, &scenario); exit >= 0) return exit;
  Status st;
  if (st = CheckEmulable(scenario); !st.ok()) return ReportError(st);
  RunOptions simulation;
  simulation.progress = &std::cerr;
  RunResult simulated, emulated;
  if (st = RunScenario(scenario, &simulated, simulation); !st.ok()) return ReportError(st);
  if (st = EmulateScenario(scenario, &emulated, &std::cerr); !st.ok()) return ReportError(st);
  std::vector<PolicyFidelity> policies;
  if (st = CompareRuns(scenario.output_db, simulated.run_id, emulated.run_id, &policies); !st.ok())
    return ReportError(st);
  std::cout << "scenario " << scenario.path << ": model " << scenario.model << ", "
            << scenario.engine.duration_s << " s of arrivals, seed " << scenario.engine.seed
            << "; simulation run " << simulated.run_id << ", emulation run " << emulated.run_id
            << " in " << scenario.output_db << "\n\n";
  PrintFidelityTables(policies, std::cout);
  return 0;
}

}  // namespace coinfer
