// The host profiler: times zoo models here with LibTorch (dnn/timing.h) and
// turns the samples into profiles, one per model, each with a row per layer
// and one for the whole model, and this machine's CPU and thread count in its
// header comments.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "devices/profile.h"
#include "dnn/timing.h"

namespace coinfer {

// Profiles of `models` (in that order), measured together: passes interleaved.
Status ProfileHost(const std::vector<std::string>& models, const TimingOptions& options,
                   const std::string& device_name, std::vector<Profile>* out);

// The CPU model this runs on, from /proc/cpuinfo ("unknown CPU" elsewhere).
std::string HostCpuModel();

}  // namespace coinfer
