// The CPUs this process may run on: its affinity (a container's or a Slurm
// task's share), not the machine's.
#pragma once

#include <sched.h>

#include <algorithm>
#include <thread>

namespace coinfer {

inline int UsableCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace coinfer
