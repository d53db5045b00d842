// A run's key: what makes two runs the same, so that a sweep recognises a
// point it has already stored (in this database or in a merged one).
#pragma once

#include <string>

namespace coinfer {

struct Scenario;

// SHA-256 (64 hex digits) of coinfer's version, the resolved settings but
// output.db (where a run is stored does not change it) and the contents of
// every input file (a trace or device file edited in place makes a new run;
// a file that cannot be read hashes as missing).
std::string RunKey(const Scenario& scenario);

}  // namespace coinfer
