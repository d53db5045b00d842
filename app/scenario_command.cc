#include "app/scenario_command.h"

#include <boost/program_options.hpp>

#include "app/command_line.h"
#include "app/commands.h"

namespace coinfer {

int LoadScenarioCommand(const std::string& command, const std::vector<std::string>& args,
                        Scenario* scenario) {
  namespace po = boost::program_options;
  po::options_description opts("coinfer " + command + " <scenario.ini> [options]");
  opts.add_options()("help,h", "show the options")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a scenario key: --set key=value")("scenario", po::value<std::string>()->required(),
                                                  "scenario INI file");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  po::variables_map vm;
  if (int exit = ParseCommandLine(command, args, opts, pos, &vm); exit >= 0) return exit;
  const std::vector<std::string> overrides =
      vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  const Status st = LoadScenario(vm["scenario"].as<std::string>(), overrides, scenario);
  return st.ok() ? -1 : ReportError(st);
}

}  // namespace coinfer
