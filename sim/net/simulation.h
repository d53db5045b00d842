// Simulation: one ns-3 simulation's lifetime and clock, without ns-3 in the
// header. Constructing one sets the scheduler (a heap: faster than ns-3's
// default map) and the random seed; destroying it tears ns-3 down, so runs
// in one process are independent. Only one may exist at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>

#include "sim/net/engine_world.h"

namespace coinfer {

class Simulation {
 public:
  explicit Simulation(uint64_t seed);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Simulated seconds since the start.
  static double Now();
  // Runs `fn` after `delay_s` simulated seconds.
  static void Schedule(double delay_s, std::function<void()> fn);
  // Processes events until there are none left or simulated time `stop_s`.
  void Run(double stop_s);
  // Ends Run after the current event.
  static void Stop();
  // Events processed so far.
  static uint64_t EventCount();
};

// The engine's clock on ns-3's simulator (a Simulation must exist).
class SimulatedClock : public EngineClock {
 public:
  double Now() const override { return Simulation::Now(); }
  void Schedule(double delay_s, std::function<void()> fn) override {
    Simulation::Schedule(delay_s, std::move(fn));
  }
  void Stop() override { Simulation::Stop(); }
};

}  // namespace coinfer
