// Per-request energy of an overloaded run: requests arrive faster than the
// device serves them, so thousands are in flight at once and share its idle
// draw and its radio (sim/energy.h).
#include <benchmark/benchmark.h>

#include <vector>

#include "sim/energy.h"

namespace coinfer {
namespace {

void BM_AssignEndDeviceEnergy(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::vector<RequestRecord> requests(n);
  Stage compute, send;
  send.kind = Stage::Kind::kTransfer;
  send.bytes = 100'000;
  for (int i = 0; i < n; ++i) {
    // One arrival every 10 ms, one served every 20 ms: the backlog grows to n/2.
    RequestRecord& r = requests[i];
    r.completed = true;
    r.arrival_s = i * 0.01;
    const double start = i * 0.02;
    r.stages = {{compute, r.arrival_s, start, start + 0.01}, {send, 0, start + 0.01, start + 0.05}};
    r.actual_ms = (start + 0.06 - r.arrival_s) * 1e3;
  }
  const DevicePower power{2.0, 5.0, 3.0, 0.4};
  for (auto _ : state) {
    AssignEndDeviceEnergy(power, 0, {}, &requests);
    benchmark::DoNotOptimize(requests.back().end_energy_j);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_AssignEndDeviceEnergy)->Arg(1'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coinfer
