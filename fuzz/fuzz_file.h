// What every file-reading fuzzer needs: the input written to a file of this
// process's own (the readers take paths), and a check that traps, so a broken
// invariant is a crash libFuzzer keeps.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace coinfer {

// `name` may hold a folder ("idx/train-images-idx3-ubyte"): it is made.
inline std::string WriteFuzzFile(const std::string& name, const uint8_t* data, size_t size) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("coinfer_fuzz_" + std::to_string(getpid())) / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), size);
  return path.string();
}

inline void FuzzCheck(bool holds) {
  if (!holds) std::abort();
}

}  // namespace coinfer
