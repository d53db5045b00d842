#include "run/policy_processes.h"

#include <ATen/Parallel.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <type_traits>

namespace coinfer {
namespace {

class Encoder {
 public:
  template <class T>
  void Put(T value) {
    static_assert(std::is_arithmetic_v<T> || std::is_enum_v<T>);
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  void Put(bool value) { Put(static_cast<uint8_t>(value)); }
  void Put(const std::string& s) {
    Put(static_cast<uint64_t>(s.size()));
    bytes_ += s;
  }
  void Put(const std::vector<int>& v) {
    Put(static_cast<uint64_t>(v.size()));
    for (const int x : v) Put(x);
  }
  std::string Take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class Decoder {
 public:
  explicit Decoder(const std::string& bytes) : bytes_(bytes) {}
  bool ok() const { return ok_; }
  bool AtEnd() const { return at_ == bytes_.size(); }
  template <class T>
  void Get(T* value) {
    static_assert(std::is_arithmetic_v<T> || std::is_enum_v<T>);
    if (!Take(sizeof *value)) return;
    std::memcpy(value, bytes_.data() + at_ - sizeof *value, sizeof *value);
  }
  void Get(bool* value) {  // any byte but 0 or 1 would be an invalid bool
    uint8_t byte = 0;
    Get(&byte);
    if (byte > 1) ok_ = false;
    *value = byte == 1;
  }
  void Get(std::string* s) {
    const uint64_t n = Count(1);
    if (Take(n)) s->assign(bytes_, at_ - n, n);
  }
  void Get(std::vector<int>* v) {
    v->resize(Count(sizeof(int)));
    for (int& x : *v) Get(&x);
  }
  // A count of elements of at least `min_bytes` each that the remaining bytes
  // can hold: a corrupt count fails here instead of allocating.
  uint64_t Count(size_t min_bytes) {
    uint64_t n = 0;
    Get(&n);
    if (n > (bytes_.size() - at_) / min_bytes) ok_ = false;
    return ok_ ? n : 0;
  }

 private:
  bool Take(size_t n) {
    if (!ok_ || n > bytes_.size() - at_) return ok_ = false;
    at_ += n;
    return true;
  }
  const std::string& bytes_;
  size_t at_ = 0;
  bool ok_ = true;
};

// The fields of a request record and of a stage record, listed once for both
// directions: `f` puts (Record const) or gets.
template <class Visit, class Record>
void RecordFields(Visit&& f, Record& r) {
  f(r.id), f(r.arrival_s), f(r.decision_wall_us), f(r.decision_device_us), f(r.split),
      f(r.bytes_sent), f(r.uplink_estimate_mbps), f(r.uplink_capacity_mbps), f(r.predicted_ms),
      f(r.actual_ms), f(r.completed), f(r.transfer_ms), f(r.end_energy_j), f(r.sample),
      f(r.correct), f(r.codec), f(r.variant), f(r.requirement_met);
  for (auto& t : r.totals) f(t.wait_ms), f(t.compute_ms);
}

template <class Visit, class StageRec>
void StageRecordFields(Visit&& f, StageRec& s) {
  auto& st = s.stage;
  f(st.kind), f(st.work), f(st.work_ms), f(st.site), f(st.to), f(st.layers), f(st.rows.begin), f(st.rows.end), f(st.cores),
      f(st.bytes), f(st.result), f(st.split), f(st.codec), f(st.deps), f(st.predicted_ms);
  f(s.ready_s), f(s.start_s), f(s.end_s), f(s.measured), f(s.codec);
}

// The fewest bytes a record (with its stage count) and a stage take: those
// of a default one, whose strings and lists are empty.
size_t MinRecordBytes() {
  Encoder out;
  const RequestRecord empty;
  RecordFields([&out](const auto& x) { out.Put(x); }, empty);
  out.Put(uint64_t{0});
  return out.Take().size();
}

size_t MinStageBytes() {
  Encoder out;
  const StageRecord empty;
  StageRecordFields([&out](const auto& x) { out.Put(x); }, empty);
  return out.Take().size();
}

}  // namespace

std::string EncodePolicyRun(const PolicyRun& run) {
  Encoder out;
  auto put = [&out](const auto& x) { out.Put(x); };
  out.Put(run.stats.events), out.Put(run.stats.simulated_s), out.Put(run.stats.wall_s);
  out.Put(run.stats.probes), out.Put(run.stats.probe_bytes), out.Put(run.stats.probe_energy_j);
  out.Put(static_cast<uint64_t>(run.records.size()));
  for (const RequestRecord& r : run.records) {
    RecordFields(put, r);
    out.Put(static_cast<uint64_t>(r.stages.size()));
    for (const StageRecord& s : r.stages) StageRecordFields(put, s);
  }
  return out.Take();
}

Status DecodePolicyRun(const std::string& bytes, PolicyRun* run) {
  Decoder in(bytes);
  auto get = [&in](auto& x) { in.Get(&x); };
  in.Get(&run->stats.events), in.Get(&run->stats.simulated_s), in.Get(&run->stats.wall_s);
  in.Get(&run->stats.probes), in.Get(&run->stats.probe_bytes), in.Get(&run->stats.probe_energy_j);
  static const size_t min_record = MinRecordBytes(), min_stage = MinStageBytes();
  run->records.resize(in.Count(min_record));
  for (RequestRecord& r : run->records) {
    RecordFields(get, r);
    r.stages.resize(in.Count(min_stage));
    for (StageRecord& s : r.stages) StageRecordFields(get, s);
  }
  if (!in.ok() || !in.AtEnd()) return Status::IoError("a policy's records came back truncated");
  return Status::Ok();
}

namespace {

struct Child {
  pid_t pid = -1;
  int fd = -1;  // the read end of its pipe
  size_t policy = 0;
  std::string name;  // the policy's
  std::string bytes;
};

bool WriteAll(int fd, const std::string& bytes) {
  for (size_t at = 0; at < bytes.size();) {
    const ssize_t n = write(fd, bytes.data() + at, bytes.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    at += static_cast<size_t>(n);
  }
  return true;
}

// In the child: simulates, writes 'O' and the records or 'E' and the error,
// and leaves without running this process's destructors or flushing its
// buffers (they belong to the parent).
[[noreturn]] void RunChild(int fd, size_t policy, const SimulatePolicy& simulate) {
  // LibTorch's OpenMP pool did not survive the fork: a probe that runs the
  // model here must not wait for its threads.
  at::set_num_threads(1);
  std::string out;
  try {
    out = "O" + EncodePolicyRun(simulate(policy));
  } catch (const std::exception& e) {
    out = std::string("E") + e.what();
  }
  _exit(WriteAll(fd, out) ? 0 : 1);
}

Status StartChild(size_t policy, const std::string& name, const SimulatePolicy& simulate,
                  Child* child) {
  int fds[2];
  if (pipe(fds) != 0) return Status::IoError(std::string("pipe: ") + strerror(errno));
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // no orphan simulations if the run is killed
    if (getppid() != parent) _exit(1);
    close(fds[0]);
    RunChild(fds[1], policy, simulate);
  }
  const int fork_errno = errno;
  close(fds[1]);  // so that the pipe ends when the child does
  if (pid < 0) {
    close(fds[0]);
    return Status::IoError(std::string("fork: ") + strerror(fork_errno));
  }
  child->pid = pid;
  child->fd = fds[0];
  child->policy = policy;
  child->name = name;
  return Status::Ok();
}

// Reaps a child whose pipe has ended and decodes what it sent.
Status FinishChild(Child* child, PolicyRun* run) {
  close(child->fd);
  child->fd = -1;
  int status = 0;
  while (waitpid(child->pid, &status, 0) < 0 && errno == EINTR) {
  }
  child->pid = -1;  // reaped: KillAll must not signal a pid the system may reuse
  const std::string& which = child->name;
  if (WIFSIGNALED(status))
    return Status::IoError("the simulation of " + which + " was killed by signal " +
                           std::to_string(WTERMSIG(status)));
  if (!child->bytes.empty() && child->bytes[0] == 'E')
    return Status::IoError("simulation failed: " + which + ": " + child->bytes.substr(1));
  if (WEXITSTATUS(status) != 0 || child->bytes.empty() || child->bytes[0] != 'O')
    return Status::IoError("the simulation of " + which + " ended without its records");
  child->bytes.erase(0, 1);
  const Status st = DecodePolicyRun(child->bytes, run);
  if (!st.ok()) return Status::IoError(which + ": " + st.message());
  return st;
}

void KillAll(std::vector<Child>* children) {
  for (Child& c : *children) {
    if (c.fd >= 0) close(c.fd);
    if (c.pid <= 0) continue;  // kill(-1) would signal every process of the user
    kill(c.pid, SIGKILL);
    while (waitpid(c.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  children->clear();
}

// Kills the children still running when the call returns, however it does
// (an allocation failing while decoding throws).
class ChildrenGuard {
 public:
  explicit ChildrenGuard(std::vector<Child>* children) : children_(children) {}
  ~ChildrenGuard() { KillAll(children_); }

 private:
  std::vector<Child>* children_;
};

}  // namespace

Status SimulatePolicies(const std::vector<std::string>& policies, int jobs,
                        const SimulatePolicy& simulate, std::vector<PolicyRun>* runs) {
  const size_t count = policies.size();
  runs->assign(count, PolicyRun());
  if (jobs <= 1 || count <= 1) {
    for (size_t i = 0; i < count; ++i) (*runs)[i] = simulate(i);
    return Status::Ok();
  }
  std::vector<Child> running;
  ChildrenGuard guard(&running);  // only after a failure are any left
  size_t next = 0;
  Status failed = Status::Ok();
  while (failed.ok() && (next < count || !running.empty())) {
    while (failed.ok() && next < count && running.size() < static_cast<size_t>(jobs)) {
      running.emplace_back();
      failed = StartChild(next, policies[next], simulate, &running.back());
      ++next;
      if (!failed.ok()) running.pop_back();
    }
    std::vector<pollfd> fds;
    for (const Child& c : running) fds.push_back({c.fd, POLLIN, 0});
    if (failed.ok() && poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR)
      failed = Status::IoError(std::string("poll: ") + strerror(errno));
    for (size_t i = running.size(); failed.ok() && i-- > 0;) {
      if (!fds[i].revents) continue;
      char buf[1 << 16];
      const ssize_t n = read(running[i].fd, buf, sizeof buf);
      if (n > 0) {
        running[i].bytes.append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        failed = FinishChild(&running[i], &(*runs)[running[i].policy]);
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
  }
  return failed;
}

}  // namespace coinfer
