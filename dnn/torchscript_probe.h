// LibTorch's deserializer allocates whatever a file's records claim: in
// fuzzing, a corrupt string length in a TorchScript archive asked for 1.7 GB,
// and a corrupt file may crash it outright. Before coinfer loads a TorchScript
// file, a child process loads it with its address space bounded, so that such
// a file is an input error naming it, never memory exhausted or a crash.
// No LibTorch in this header.
#pragma once

#include <string>

#include "base/status.h"

namespace coinfer {

// Ok when LibTorch loads `file` within 1 GiB plus four times the file's size
// of new address space, or fails to load it for an ordinary reason (which the
// real load then reports). InvalidInput when loading it ran out of that
// memory or crashed.
Status ProbeTorchScriptLoad(const std::string& file);

}  // namespace coinfer
