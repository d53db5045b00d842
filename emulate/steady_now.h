// The emulation's time base: the steady clock, in nanoseconds.
#pragma once

#include <chrono>
#include <cstdint>

namespace coinfer {

inline int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace coinfer
