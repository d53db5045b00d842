#include "dnn/torchscript_probe.h"

#include <ATen/Parallel.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <torch/script.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define COINFER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COINFER_ASAN 1
#endif
#endif
#ifdef COINFER_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace coinfer {
namespace {

constexpr int kLoaded = 0;  // or failed for a reason the real load reports
constexpr int kOutOfMemory = 3;

// This process's address space now, in bytes (0 if unknown).
uint64_t AddressSpaceBytes() {
  uint64_t pages = 0;
  std::ifstream("/proc/self/statm") >> pages;
  return pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

[[noreturn]] void LoadInChild(const std::string& file, uint64_t budget) {
  at::set_num_threads(1);  // the parent's thread pool did not survive the fork
  // A death here is this child's: under a sanitizer or a fuzzer, the parent's
  // crash handling (artifacts, reports) must not take it for the parent's.
#ifdef COINFER_ASAN
  __sanitizer_set_death_callback(nullptr);
#endif
  for (const int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, SIG_DFL);
  const uint64_t now = AddressSpaceBytes();
  if (now > 0) {
    const rlimit limit = {now + budget, now + budget};
    setrlimit(RLIMIT_AS, &limit);
  }
  try {
    torch::jit::load(file);
  } catch (const std::bad_alloc&) {
    _exit(kOutOfMemory);
  } catch (const c10::Error& e) {  // LibTorch's allocator reports with its own errors
    _exit(std::strstr(e.what(), "not enough memory") ? kOutOfMemory : kLoaded);
  } catch (...) {
    _exit(kLoaded);
  }
  _exit(kLoaded);
}

}  // namespace

Status ProbeTorchScriptLoad(const std::string& file) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec) return Status::Ok();  // not there: the real load names the file
  const uint64_t budget = (uint64_t{1} << 30) + 4 * static_cast<uint64_t>(size);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return Status::IoError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(kLoaded);
    LoadInChild(file, budget);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == kLoaded) return Status::Ok();
  if (WIFEXITED(status) && WEXITSTATUS(status) == kOutOfMemory)
    return Status::InvalidInput(file, "torchscript",
                                "LibTorch needs more than " + std::to_string(budget >> 20) +
                                    " MiB to load it: a corrupt or hostile file");
  return Status::InvalidInput(
      file, "torchscript",
      "LibTorch crashed loading it (" +
          (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                               : "exit " + std::to_string(WEXITSTATUS(status))) +
          "): a corrupt file");
}

}  // namespace coinfer
