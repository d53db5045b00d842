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

// The running coinfer binary, opened (close-on-exec): workers started from
// it run this very program even if the file is rebuilt meanwhile.
Status OpenSelfExecutable(int* fd);

// Starts the program open as `program` with `argv` (argv[0] its name), its
// stdin and stdout on /dev/null, its stderr into a temporary file, no signal
// blocked. The child is killed (SIGKILL) if this process dies first.
Status StartChild(int program, const std::vector<std::string>& argv, ChildProcess* out);

// The child's stderr (its last `max_lines` lines), closing the file.
std::string TakeChildStderr(ChildProcess* child, int max_lines);

}  // namespace coinfer
