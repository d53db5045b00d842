// coinfer fidelity: the scenario simulated, then emulated with the same seed,
// arrivals, samples and traces, and the two compared request by request
// (analysis/fidelity.h; docs/emulation.md says what each figure means).
#include <boost/program_options.hpp>

#include <iostream>

#include "analysis/fidelity.h"
#include "app/command_line.h"
#include "app/commands.h"
#include "app/scenario_emulation.h"

namespace coinfer {

namespace po = boost::program_options;

int FidelityCommand(const std::vector<std::string>& args) {
  po::options_description opts("coinfer fidelity <scenario.ini> [options]");
  opts.add_options()("help,h", "show the options")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a scenario key: --set key=value")("scenario", po::value<std::string>()->required(),
                                                  "scenario INI file");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  po::variables_map vm;
  if (int exit = ParseCommandLine("fidelity", args, opts, pos, &vm); exit >= 0) return exit;
  const std::vector<std::string> overrides =
      vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  Scenario scenario;
  Status st = LoadScenario(vm["scenario"].as<std::string>(), overrides, &scenario);
  if (!st.ok()) return ReportError(st);
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
