#include "app/child_process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "base/parse.h"

extern char** environ;

namespace coinfer {

Status OpenSelfExecutable(int* fd) {
  *fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (*fd < 0) return Status::IoError(std::string("/proc/self/exe: ") + strerror(errno));
  return Status::Ok();
}

Status StartChild(int program, const std::vector<std::string>& argv, ChildProcess* out) {
  std::FILE* err = std::tmpfile();
  if (!err)
    return Status::IoError(std::string("cannot create a temporary file: ") + strerror(errno));
  const int err_fd = fileno(err);
  fcntl(err_fd, F_SETFD, FD_CLOEXEC);  // later children need not hold it
  const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls until exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    fexecve(program, args.data(), environ);
    const char message[] = "coinfer sweep: cannot start a worker\n";
    [[maybe_unused]] const ssize_t n = write(STDERR_FILENO, message, sizeof message - 1);
    _exit(127);
  }
  const int fork_errno = errno;
  close(null);
  if (pid < 0) {
    std::fclose(err);
    return Status::IoError(std::string("fork: ") + strerror(fork_errno));
  }
  out->pid = pid;
  out->stderr_file = err;
  return Status::Ok();
}

std::string TakeChildStderr(ChildProcess* child, int max_lines) {
  std::string text;
  if (!child->stderr_file) return text;
  std::rewind(child->stderr_file);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, child->stderr_file)) > 0) text.append(buf, n);
  std::fclose(child->stderr_file);
  child->stderr_file = nullptr;
  std::vector<std::string> lines = SplitFields(Trim(text), '\n');
  if (static_cast<int>(lines.size()) > max_lines)
    lines.erase(lines.begin(), lines.end() - max_lines);
  return Join(lines, "\n");
}

}  // namespace coinfer
