// A scenario run for real (docs/emulation.md): each policy's plans executed
// by site processes (`coinfer emulate-site`) across a relay shaped by the
// scenario's traces, on the host's clock, and stored as a run of mode
// emulation. `coinfer emulate` and `coinfer fidelity` call it.
#pragma once

#include <ostream>

#include "base/status.h"
#include "run/run_scenario.h"

namespace coinfer {

// What the emulator runs today: a two-tier scenario with trained weights and
// codecs, and a goodput estimator. Checked before anything starts.
Status CheckEmulable(const Scenario& scenario);

// Prepares the inputs as `coinfer run` does (`progress` gets the measurement
// lines), emulates each policy in turn and stores the run.
Status EmulateScenario(const Scenario& scenario, RunResult* result, std::ostream* progress);

}  // namespace coinfer
