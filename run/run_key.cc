#include "run/run_key.h"

#include <cstdint>
#include <filesystem>
#include <fstream>

#include "base/sha256.h"
#include "run/scenario.h"

namespace coinfer {

std::string RunKey(const Scenario& scenario) {
  Sha256 sha;
  // Each item is preceded by its length, so that no two lists of items
  // (text or binary) hash the same bytes.
  auto prefix = [&sha](uintmax_t size) { sha.Update(std::to_string(size) + ":"); };
  auto add = [&](const std::string& item) {
    prefix(item.size());
    sha.Update(item);
  };
  add("coinfer " COINFER_VERSION);
  for (const std::string& setting : scenario.settings)
    if (setting.rfind("output.db =", 0) != 0) add(setting);
  for (const std::string& file : scenario.input_files) {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(file, ec);
    std::ifstream in(file, std::ios::binary);
    if (ec || !in) {
      add("missing");
      continue;
    }
    add("file");
    prefix(size);
    char chunk[1 << 16];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0)
      sha.Update(chunk, static_cast<size_t>(in.gcount()));
  }
  return sha.Hex();
}

}  // namespace coinfer
