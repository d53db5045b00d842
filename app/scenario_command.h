// The command line of the commands that take a scenario and its overrides
// and nothing else: `coinfer emulate` and `coinfer fidelity`.
#pragma once

#include <string>
#include <vector>

#include "run/scenario.h"

namespace coinfer {

// Parses `<scenario.ini> [--set key=value ...]` and loads the scenario.
// Returns -1 when the command goes on, else its exit code (0 after --help).
int LoadScenarioCommand(const std::string& command, const std::vector<std::string>& args,
                        Scenario* scenario);

}  // namespace coinfer
