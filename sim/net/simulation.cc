#include "sim/net/simulation.h"

#include <cassert>

#include "ns3/core-module.h"

namespace coinfer {

using namespace ns3;

namespace {
bool g_active = false;
}

Simulation::Simulation(uint64_t seed) {
  assert(!g_active && "one Simulation at a time");
  g_active = true;
  Simulator::SetScheduler(ObjectFactory("ns3::HeapScheduler"));
  RngSeedManager::SetSeed(static_cast<uint32_t>(seed % 4294967295u) + 1);
  RngSeedManager::SetRun(1);
}

Simulation::~Simulation() {
  Simulator::Destroy();
  g_active = false;
}

double Simulation::Now() { return Simulator::Now().GetSeconds(); }

void Simulation::Schedule(double delay_s, std::function<void()> fn) {
  Simulator::Schedule(Seconds(delay_s), [fn = std::move(fn)]() { fn(); });
}

void Simulation::Run(double stop_s) {
  Simulator::Stop(Seconds(stop_s));
  Simulator::Run();
}

void Simulation::Stop() { Simulator::Stop(); }

uint64_t Simulation::EventCount() { return Simulator::GetEventCount(); }

}  // namespace coinfer
