// Scenario text: an input error naming where, or a scenario within the
// bounds a run can carry whose resolved settings, written back as a
// scenario, load to the same run (the same run key). The file sits two
// folders down, with the shipped traces/ and models/ linked beside both, so
// the shipped scenarios' relative paths (../ and ../../) resolve.
#include <cmath>
#include <filesystem>
#include <fstream>

#include "fuzz/fuzz_file.h"
#include "run/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coinfer;
  const std::string path = WriteFuzzFile("scenarios/sub/fuzz.ini", data, size);
  const std::filesystem::path sub = std::filesystem::path(path).parent_path();
  for (const std::filesystem::path& dir : {sub.parent_path(), sub.parent_path().parent_path()})
    for (const char* shipped : {"traces", "models"}) {
      std::error_code ec;  // already linked after the first input
      std::filesystem::create_directory_symlink(std::string(COINFER_SOURCE_DIR) + "/" + shipped,
                                                dir / shipped, ec);
    }
  Scenario sc;
  const Status st = LoadScenario(path, {}, &sc);
  if (!st.ok()) {
    FuzzCheck(st.IsInvalidInput() && !st.message().empty());
    return 0;
  }
  const EngineConfig& e = sc.engine;
  FuzzCheck(std::isfinite(e.duration_s) && e.duration_s > 0 && std::isfinite(e.drain_s));
  FuzzCheck(e.arrivals.rate_per_s > 0 && e.duration_s * e.arrivals.rate_per_s <= 1e7);
  FuzzCheck(!sc.policies.empty() && !sc.output_db.empty() && !sc.run_key.empty());

  const std::string again = path + ".resolved.ini";
  for (const std::string& input : sc.input_files)  // a scenario naming the copy it is written to
    if (std::filesystem::path(input).filename() == std::filesystem::path(again).filename())
      return 0;
  {
    std::ofstream out(again);
    for (const std::string& line : sc.settings) out << line << "\n";
  }
  Scenario reloaded;
  const Status st2 = LoadScenario(again, {}, &reloaded);
  FuzzCheck(st2.ok());
  FuzzCheck(reloaded.settings == sc.settings);
  FuzzCheck(reloaded.run_key == sc.run_key);
  return 0;
}
