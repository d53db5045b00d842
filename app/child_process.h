// Worker processes for `coinfer sweep`: coinfer itself started again with
// other arguments, its stderr kept for the report, tied to this process's
// life (a killed sweep leaves no orphan runs behind).
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/status.h"

namespace coinfer {

struct ChildProcess {
  pid_t pid = -1;
  std::FILE* stderr_file = nullptr;  // a temporary file, removed when closed
};

// The path of the running coinfer binary.
std::string SelfExecutable();

// Starts `argv` (argv[0] the program's path) with stdin and stdout on
// /dev/null and stderr into a temporary file. The child is killed (SIGKILL)
// if this process dies first.
Status StartChild(const std::vector<std::string>& argv, ChildProcess* out);

// The child's stderr (its last `max_lines` lines), closing the file.
std::string TakeChildStderr(ChildProcess* child, int max_lines);

}  // namespace coinfer
