// Stopwatch: wall time since construction, on the monotonic clock.
#pragma once

#include <chrono>

namespace coinfer {

class Stopwatch {
 public:
  double Seconds() const { return Elapsed<std::ratio<1>>(); }
  double Ms() const { return Elapsed<std::milli>(); }
  double Us() const { return Elapsed<std::micro>(); }

 private:
  template <class Unit>
  double Elapsed() const {
    return std::chrono::duration<double, Unit>(std::chrono::steady_clock::now() - start_).count();
  }
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace coinfer
