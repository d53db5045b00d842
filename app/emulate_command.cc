// coinfer emulate: the scenario's plans executed for real (docs/emulation.md).
// The same inputs, policies and engine as `coinfer run`; the clock is the
// host's, each site a process computing with LibTorch, and the access link a
// relay shaped by the scenario's traces. Stored as a run of mode emulation.
#include <iostream>

#include "analysis/summary.h"
#include "app/commands.h"
#include "app/scenario_command.h"
#include "app/scenario_emulation.h"

namespace coinfer {

int EmulateCommand(const std::vector<std::string>& args) {
  Scenario scenario;
  if (int exit = LoadScenarioCommand("emulate", args, &scenario); exit >= 0) return exit;
  Status st;
  RunResult run;
  if (st = EmulateScenario(scenario, &run, &std::cerr); !st.ok()) return ReportError(st);
  std::vector<PolicySummary> summaries;
  if (st = SummarizeRun(scenario.output_db, run.run_id, &summaries); !st.ok())
    return ReportError(st);
  std::cout << "scenario " << scenario.path << " emulated: model " << scenario.model << ", "
            << scenario.engine.duration_s << " s of arrivals, seed " << scenario.engine.seed
            << "\n\n";
  PrintSummaryTable(summaries, std::cout);
  std::cout << "\nresults: " << scenario.output_db << " (run_id " << run.run_id
            << ", mode emulation)\n";
  return 0;
}

}  // namespace coinfer
