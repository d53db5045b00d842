// Generated rate schedules for controlled experiments, written as a short
// spec where a trace file would go (units optional: "10Mbps" = "10", "30s" = "30"):
//   constant:10Mbps                  one rate
//   step:10Mbps@0s,2Mbps@30s,...     a schedule; the last rate holds to the horizon
//   walk:1Mbps,5Mbps,10Mbps@2s       a seeded random walk between rate levels: every
//                                    2 s the rate moves one level up or down (a
//                                    birth-death Markov chain, reflecting at the ends)
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "traces/rate_schedule.h"

namespace coinfer {

// True when `spec` starts with a generator's name and a colon.
bool IsGeneratorSpec(const std::string& spec);

// Builds the schedule over [0, horizon_s). `where` prefixes error messages
// (e.g. the scenario's file:line). The walk is a function of `seed` only.
Status GenerateSchedule(const std::string& spec, double horizon_s, uint64_t seed,
                        const std::string& where, RateSchedule* out);

}  // namespace coinfer
