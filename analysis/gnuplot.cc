#include "analysis/gnuplot.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace coinfer {

Status DrawWithGnuplot(const std::string& script, const std::string& what) {
  // gnuplot's messages (warnings such as an empty range are routine) are
  // kept, and shown only when it fails.
  char messages[] = "/tmp/coinfer-gnuplot-XXXXXX";
  const int fd = mkstemp(messages);
  if (fd < 0) return Status::IoError("cannot create a temporary file for gnuplot");
  close(fd);
  FILE* gp = popen(("gnuplot 2> " + std::string(messages)).c_str(), "w");
  if (!gp) {
    std::remove(messages);
    return Status::IoError("cannot run gnuplot (scripts/setup installs it)");
  }
  const bool written = std::fwrite(script.data(), 1, script.size(), gp) == script.size();
  const int status = pclose(gp);
  std::stringstream text;
  text << std::ifstream(messages).rdbuf();
  std::remove(messages);
  if (!written || status != 0)
    return Status::IoError("gnuplot failed to draw " + what + ":\n" + text.str());
  return Status::Ok();
}

std::string GnuplotQuoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace coinfer
