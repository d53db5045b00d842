// coinfer run: the scenario loaded and run (run/run_scenario.h), then the
// summary table read back from SQLite.
#include <boost/program_options.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>

#include "analysis/summary.h"
#include "app/command_line.h"
#include "app/commands.h"
#include "base/usable_cpus.h"
#include "policies/registry.h"
#include "run/run_scenario.h"

namespace coinfer {

namespace po = boost::program_options;

int RunCommand(const std::vector<std::string>& args) {
  po::options_description opts("coinfer run <scenario.ini> [options]");
  opts.add_options()("help,h", "show the options and every scenario key")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a scenario key: --set key=value")(
      "csv", po::value<std::string>(), "also write the summary table as CSV to this file")(
      "once",
      "skip the simulation if the database already holds a run of this scenario (same run "
      "key: version, settings, input files) and show that run")(
      "jobs,j", po::value<int>()->default_value(UsableCpus()),
      "policies simulated at once, each in its own process (the results do not depend on it)")(
      "scenario", po::value<std::string>()->required(), "scenario INI file");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  po::variables_map vm;
  if (int exit = ParseCommandLine("run", args, opts, pos, &vm,
                                  "\n" + ScenarioHelp() + "\n" + PolicyHelp());
      exit >= 0)
    return exit;
  const std::vector<std::string> overrides =
      vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};

  Scenario scenario;
  Status st = LoadScenario(vm["scenario"].as<std::string>(), overrides, &scenario);
  if (!st.ok()) return ReportError(st);
  RunResult run;
  RunOptions options;
  options.progress = &std::cerr;
  options.once = vm.count("once") > 0;
  options.jobs = vm["jobs"].as<int>();
  if (options.jobs < 1) return ReportError(Status::InvalidInput("--jobs", "", "must be >= 1"));
  st = RunScenario(scenario, &run, options);
  if (!st.ok()) return ReportError(st);

  std::vector<PolicySummary> summaries;
  st = SummarizeRun(scenario.output_db, run.run_id, &summaries);
  if (!st.ok()) return ReportError(st);
  std::cout << "scenario " << scenario.path << ": model " << scenario.model << ", "
            << scenario.engine.duration_s << " s of arrivals, seed " << scenario.engine.seed
            << "\n\n";
  PrintSummaryTable(summaries, std::cout);
  std::cout << "\nresults: " << scenario.output_db << " (run_id " << run.run_id << ", key "
            << scenario.run_key << ")\n";
  if (run.skipped)
    std::cout << "already stored: nothing simulated\n";
  else
    std::cout << "simulated " << run.events << " events in " << run.elapsed_s << " s ("
              << run.wall_s << " s of simulation summed over the policies, "
              << static_cast<uint64_t>(run.events / std::max(run.wall_s, 1e-9)) << " events/s)\n";
  if (vm.count("csv")) {
    std::ofstream csv(vm["csv"].as<std::string>());
    if (!csv) return ReportError(Status::IoError(vm["csv"].as<std::string>() + ": cannot write"));
    WriteSummaryCsv(summaries, csv);
  }
  return 0;
}

}  // namespace coinfer
