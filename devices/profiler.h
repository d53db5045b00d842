// The host profiler: times a zoo model here with LibTorch (dnn/timing.h) and
// turns the samples into profile rows — one per layer and one for the whole
// model — with this machine's CPU and thread count in the header comments.
#pragma once

#include <string>

#include "base/status.h"
#include "devices/profile.h"
#include "dnn/timing.h"

namespace coinfer {

Status ProfileHost(const std::string& model, const TimingOptions& options,
                   const std::string& device_name, Profile* out);

// The CPU model this runs on, from /proc/cpuinfo ("unknown CPU" elsewhere).
std::string HostCpuModel();

}  // namespace coinfer
