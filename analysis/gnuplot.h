// Drawing with gnuplot (Debian's gnuplot-nox, installed by scripts/setup):
// a script, with its data inline, piped to the gnuplot program.
#pragma once

#include <string>

#include "base/status.h"

namespace coinfer {

// Runs `script` (which sets its own terminal and output); an error if
// gnuplot cannot be started or fails. `what` names the plot in messages.
Status DrawWithGnuplot(const std::string& script, const std::string& what);

// `text` as a gnuplot single-quoted string ('' for each quote), for commands.
std::string GnuplotQuoted(const std::string& text);

// `text` as a string column of an inline data block: double-quoted (data
// blocks know no other quoting), its double quotes made single.
std::string GnuplotDataString(const std::string& text);

}  // namespace coinfer
