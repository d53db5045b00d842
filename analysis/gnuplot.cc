#include "analysis/gnuplot.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace coinfer {

Status DrawWithGnuplot(const std::string& script, const std::string& what) {
  // The script goes to a file gnuplot reads (a pipe would raise SIGPIPE here
  // if gnuplot stopped early); its messages (warnings such as an empty range
  // are routine) are kept, and shown only when it fails.
  char script_path[] = "/tmp/coinfer-gnuplot-XXXXXX";
  char messages_path[] = "/tmp/coinfer-gnuplot-XXXXXX";
  const int script_fd = mkstemp(script_path);
  const int messages_fd = mkstemp(messages_path);
  if (script_fd < 0 || messages_fd < 0) {
    if (script_fd >= 0) close(script_fd), std::remove(script_path);
    if (messages_fd >= 0) close(messages_fd), std::remove(messages_path);
    return Status::IoError("cannot create temporary files for gnuplot");
  }
  close(messages_fd);
  const bool written =
      write(script_fd, script.data(), script.size()) == static_cast<ssize_t>(script.size());
  close(script_fd);
  const int status = written ? std::system(("gnuplot " + std::string(script_path) + " 2> " +
                                            std::string(messages_path))
                                               .c_str())
                             : -1;
  std::stringstream text;
  text << std::ifstream(messages_path).rdbuf();
  std::remove(script_path);
  std::remove(messages_path);
  if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
    return Status::IoError("cannot run gnuplot (scripts/setup installs it)");
  if (status != 0) return Status::IoError("gnuplot failed to draw " + what + ":\n" + text.str());
  return Status::Ok();
}

std::string GnuplotQuoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

std::string GnuplotDataString(const std::string& text) {
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? '\'' : c;
  return quoted + "\"";
}

}  // namespace coinfer
