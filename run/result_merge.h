// Merging results databases: the runs of one database copied into another
// with all their rows, each run once (sharded sweeps join this way).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace coinfer {

struct MergeCounts {
  int64_t copied = 0;   // runs added to the output
  int64_t present = 0;  // runs the output already held
};

// Copies every run of `in` that `out` does not hold into `out` (created if
// missing), in one transaction: all of `in`'s new runs or none. A run is held
// when a run with its key is (runs stored before keys existed: when one with
// the same scenario, settings, seed and start and finish times is). Runs get
// new ids in `out`; every table with a run_id column follows. Both files are
// opened as results databases (an older version is upgraded first).
Status MergeResults(const std::string& out, const std::string& in, MergeCounts* counts);

}  // namespace coinfer
