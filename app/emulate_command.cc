// coinfer emulate: the scenario's plans executed for real (docs/emulation.md).
// The same inputs, policies and engine as `coinfer run`; the clock is the
// host's, each site a process computing with LibTorch, and the access link a
// relay shaped by the scenario's traces. Stored as a run of mode emulation.
#include <boost/program_options.hpp>

#include <iostream>

#include "analysis/summary.h"
#include "app/command_line.h"
#include "app/commands.h"
#include "app/scenario_emulation.h"

namespace coinfer {

namespace po = boost::program_options;

int EmulateCommand(const std::vector<std::string>& args) {
  po::options_description opts("coinfer emulate <scenario.ini> [options]");
  opts.add_options()("help,h", "show the options")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a scenario key: --set key=value")("scenario", po::value<std::string>()->required(),
                                                  "scenario INI file");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  po::variables_map vm;
  if (int exit = ParseCommandLine("emulate", args, opts, pos, &vm); exit >= 0) return exit;
  const std::vector<std::string> overrides =
      vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  Scenario scenario;
  Status st = LoadScenario(vm["scenario"].as<std::string>(), overrides, &scenario);
  if (!st.ok()) return ReportError(st);
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
