// A folder of this test process's own under the test temp dir (ctest runs
// test binaries in parallel), made on first use; with a trailing '/'.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace coinfer {

inline std::string ScratchDirFor(const std::string& suite) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                    ("coinfer_" + suite + "_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir.string() + "/";
}

}  // namespace coinfer
