// The whole comparison of scenarios/hour.ini (7 two-tier policies, ResNet-18
// on a Mi 8 at 10 requests/s over the Verizon LTE traces), shortened to 2
// minutes of arrivals, through the library call `coinfer run` makes: the
// policies side by side in `jobs` processes, every row stored in SQLite, on
// point-to-point or direct links (`direct`).
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "run/run_scenario.h"
#include "run/scenario.h"

namespace coinfer {
namespace {

void BM_HourComparisonShortened(benchmark::State& state) {
  const std::string db = std::filesystem::temp_directory_path().string() + "/coinfer_bench_" +
                         std::to_string(getpid()) + ".sqlite";
  Scenario scenario;
  const Status loaded =
      LoadScenario(std::string(COINFER_SOURCE_DIR) + "/scenarios/hour.ini",
                   {"duration_s=120", "output.db=" + db,
                    state.range(1) ? "link.device=direct" : "link.device=point-to-point"},
                   &scenario);
  if (!loaded.ok()) {
    state.SkipWithError(loaded.message().c_str());
    return;
  }
  RunOptions options;
  options.jobs = static_cast<int>(state.range(0));
  uint64_t events = 0;
  for (auto _ : state) {
    RunResult result;
    const Status st = RunScenario(scenario, &result, options);
    if (!st.ok()) {
      state.SkipWithError(st.message().c_str());
      break;
    }
    events += result.events;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_HourComparisonShortened)
    ->ArgNames({"jobs", "direct"})
    ->ArgsProduct({{1, 2, 3}, {0, 1}})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace
}  // namespace coinfer
