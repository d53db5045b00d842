// coinfer sweep: every point of a sweep file (run/sweep.h) run as
// `coinfer run --once` in parallel worker processes, into SQLite. Resumable:
// a point whose run key is stored is skipped, and a run is stored in one
// transaction, so a killed sweep loses only the runs in flight.
#include <boost/program_options.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <iomanip>
#include <iostream>
#include <map>
#include <thread>

#include "app/child_process.h"
#include "app/command_line.h"
#include "app/commands.h"
#include "base/parse.h"
#include "base/usable_cpus.h"
#include "run/result_store.h"
#include "run/scenario.h"
#include "run/sweep.h"

namespace coinfer {
namespace {

namespace po = boost::program_options;

volatile std::sig_atomic_t g_interrupted = 0;
void OnInterrupt(int) { g_interrupted = 1; }

// A point with what its run needs and where it stands.
struct Job {
  SweepPoint point;
  std::string output_db;
  std::string run_key;
  enum class State { kToRun, kStored, kDuplicate } state = State::kToRun;
  int64_t same_as = -1;  // kDuplicate: the earlier point with this key
};

std::string Label(const SweepPoint& p) { return p.swept.empty() ? "(base)" : Join(p.swept, " "); }

std::string Duration(double s) {
  std::ostringstream out;
  if (s >= 3600) {
    out << static_cast<int>(s / 3600) << " h " << static_cast<int>(s / 60) % 60 << " min";
  } else if (s >= 60) {
    out << static_cast<int>(s / 60) << " min " << static_cast<int>(s) % 60 << " s";
  } else {
    out << static_cast<int>(s + 0.5) << " s";
  }
  return out.str();
}

// Loads every point's scenario (so a bad value stops the sweep before any
// run) and marks the points already stored or repeated.
Status PrepareJobs(const Sweep& sweep, const std::vector<SweepPoint>& points,
                   std::vector<Job>* jobs) {
  std::map<std::string, int64_t> first_with_key;
  std::map<std::string, std::unique_ptr<ResultStore>> stores;
  for (const SweepPoint& p : points) {
    Scenario sc;
    if (const Status st = LoadScenario(sweep.scenario, p.overrides, &sc); !st.ok())
      return Status::InvalidInput(
          sweep.path, "point " + std::to_string(p.index) + " (" + Label(p) + ")", st.message());
    Job job{p, sc.output_db, sc.run_key};
    const auto [it, first] = first_with_key.emplace(sc.output_db + "\n" + sc.run_key, p.index);
    if (!first) {
      job.state = Job::State::kDuplicate;
      job.same_as = it->second;
    } else if (std::filesystem::exists(sc.output_db)) {
      std::unique_ptr<ResultStore>& store = stores[sc.output_db];
      if (!store) COINFER_RETURN_IF_ERROR(ResultStore::Open(sc.output_db, &store));
      int64_t run_id = 0;
      COINFER_RETURN_IF_ERROR(store->FindRun(sc.run_key, &run_id));
      if (run_id != 0) job.state = Job::State::kStored;
    }
    jobs->push_back(std::move(job));
  }
  return Status::Ok();
}

void PrintPoints(const std::vector<Job>& jobs, std::ostream& out) {
  out << std::left << std::setw(7) << "point" << std::setw(11) << "state" << std::setw(18)
      << "run key"
      << "settings\n";
  for (const Job& j : jobs) {
    const std::string state = j.state == Job::State::kStored      ? "stored"
                              : j.state == Job::State::kDuplicate ? "= " + std::to_string(j.same_as)
                                                                  : "to run";
    out << std::setw(7) << j.point.index << std::setw(11) << state << std::setw(18)
        << j.run_key.substr(0, 16) << Label(j.point) << "\n";
  }
}

struct Tally {
  size_t total = 0;  // points of this shard
  size_t stored_before = 0;
  size_t duplicates = 0;
  size_t to_run = 0;
  size_t done = 0;
  size_t failed = 0;
};

// Runs the jobs to run, `parallel` at a time; progress on stderr. On SIGINT
// or SIGTERM it starts nothing more, passes SIGTERM to the workers (their
// runs are lost, never half-written), SIGKILL after a grace period.
Status RunJobs(const std::string& scenario, const std::vector<const Job*>& queue, int parallel,
               Tally* tally) {
  int program = -1;
  COINFER_RETURN_IF_ERROR(OpenSelfExecutable(&program));
  struct Running {
    const Job* job;
    ChildProcess child;
  };
  std::map<pid_t, Running> running;
  size_t next = 0;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  bool terminated = false, killed = false, finished_one = false;
  Clock::time_point kill_at;
  auto progress = [&] {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const size_t finished = tally->done + tally->failed;
    std::cerr << "sweep: " << tally->done << "/" << tally->to_run << " runs stored, "
              << tally->failed << " failed, " << running.size() << " running";
    if (finished > 0 && finished < tally->to_run && !g_interrupted)
      std::cerr << ", ETA " << Duration(elapsed / finished * (tally->to_run - finished));
    std::cerr << std::endl;
  };
  for (;;) {
    if (g_interrupted && !terminated) {
      for (const auto& [pid, r] : running) kill(pid, SIGTERM);
      terminated = true;
      kill_at = Clock::now() + std::chrono::seconds(5);
    }
    if (terminated && !killed && Clock::now() > kill_at) {
      for (const auto& [pid, r] : running) kill(pid, SIGKILL);
      killed = true;
    }
    while (!g_interrupted && running.size() < static_cast<size_t>(parallel) &&
           next < queue.size()) {
      const Job* job = queue[next++];
      // One process per run: the sweep's parallelism is across points.
      std::vector<std::string> argv = {"coinfer", "run", scenario, "--once", "--jobs", "1"};
      for (const std::string& o : job->point.overrides) argv.insert(argv.end(), {"--set", o});
      Running r{job, {}};
      if (const Status st = StartChild(program, argv, &r.child); !st.ok()) {
        std::cerr << "coinfer sweep: point " << job->point.index << ": " << st.message() << "\n";
        ++tally->failed;
        continue;
      }
      running.emplace(r.child.pid, r);
    }
    if (finished_one) progress();  // after the next runs started: what is running now
    finished_one = false;
    if (running.empty()) break;
    // Polled, so that a signal arriving anywhere in this loop is seen within
    // a tick (a blocking wait could miss it and sleep through a whole run).
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid == 0 || (pid < 0 && errno == EINTR)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    if (pid < 0) break;  // ECHILD: cannot happen while `running` holds children
    auto it = running.find(pid);
    if (it == running.end()) continue;
    Running r = it->second;
    running.erase(it);
    const std::string err = TakeChildStderr(&r.child, 3);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      ++tally->done;
    } else if (!g_interrupted) {
      ++tally->failed;
      std::cerr << "coinfer sweep: point " << r.job->point.index << " (" << Label(r.job->point)
                << ") failed: " << (err.empty() ? "no message" : err) << "\n";
    }
    finished_one = true;
  }
  for (auto& [pid, r] : running) TakeChildStderr(&r.child, 0);
  close(program);
  return Status::Ok();
}

}  // namespace

int SweepCommand(const std::vector<std::string>& args) {
  po::options_description opts("coinfer sweep <sweep.ini> [options]");
  opts.add_options()("help,h", "show the options and the sweep file format")(
      "jobs,j", po::value<int>()->default_value(UsableCpus()), "runs at a time (worker processes)")(
      "dry-run", "list the points, their run keys and whether they are stored; run nothing")(
      "shard", po::value<std::string>(),
      "K/N: run only every N-th point, starting at the K-th (for a cluster's job array)")(
      "output", po::value<std::string>(), "store every point's run in this database (output.db)")(
      "sweep", po::value<std::string>()->required(), "sweep file");
  po::positional_options_description pos;
  pos.add("sweep", 1);
  po::variables_map vm;
  const char* more_help =
      "\nA sweep file: 'scenario = FILE' (the base scenario), 'sweep.KEY = V1|V2|...' (or\n"
      "V1,V2,... when no value holds a comma; A..B for integers) for each swept key, and\n"
      "'KEY = VALUE' for keys every point shares; 'sweep.K1+K2 = A1+A2 | B1+B2' moves keys\n"
      "together. Points: the Cartesian product, the first axis varying slowest. Values are\n"
      "as if given with --set.\n";
  if (int exit = ParseCommandLine("sweep", args, opts, pos, &vm, more_help); exit >= 0) return exit;
  const int parallel = vm["jobs"].as<int>();
  if (parallel < 1) return ReportError(Status::InvalidInput("--jobs", "", "must be >= 1"));
  int64_t shard = 1, shards = 1;
  if (vm.count("shard"))
    if (const Status st = ParseShard(vm["shard"].as<std::string>(), &shard, &shards); !st.ok())
      return ReportError(st);

  Sweep sweep;
  if (const Status st = LoadSweep(vm["sweep"].as<std::string>(), &sweep); !st.ok())
    return ReportError(st);
  if (vm.count("output")) {
    for (const SweepAxis& axis : sweep.axes)
      if (std::count(axis.keys.begin(), axis.keys.end(), "output.db"))
        return ReportError(Status::InvalidInput("--output", "", "the sweep varies output.db"));
    auto fixed = std::find_if(sweep.fixed.begin(), sweep.fixed.end(),
                              [](const std::string& o) { return o.rfind("output.db=", 0) == 0; });
    if (fixed != sweep.fixed.end()) sweep.fixed.erase(fixed);
    sweep.fixed.push_back("output.db=" + vm["output"].as<std::string>());
  }
  const std::vector<SweepPoint> points = ShardPoints(ExpandSweep(sweep), shard, shards);

  std::vector<Job> jobs;
  if (const Status st = PrepareJobs(sweep, points, &jobs); !st.ok()) return ReportError(st);
  Tally tally;
  tally.total = jobs.size();
  std::vector<const Job*> queue;
  for (const Job& j : jobs) {
    if (j.state == Job::State::kToRun) queue.push_back(&j);
    tally.stored_before += j.state == Job::State::kStored;
    tally.duplicates += j.state == Job::State::kDuplicate;
  }
  tally.to_run = queue.size();
  if (vm.count("dry-run")) {
    PrintPoints(jobs, std::cout);
    std::cout << "\n"
              << tally.total << " points: " << tally.stored_before << " stored, "
              << tally.duplicates << " repeated, " << tally.to_run << " to run\n";
    return 0;
  }

  struct sigaction action = {};
  action.sa_handler = OnInterrupt;  // no SA_RESTART: waitpid returns to check
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  if (const Status st = RunJobs(sweep.scenario, queue, parallel, &tally); !st.ok())
    return ReportError(st);

  std::cout << "sweep " << sweep.path << ": " << tally.total << " points, " << tally.stored_before
            << " stored before, " << tally.done << " run now, " << tally.failed << " failed";
  if (tally.duplicates) std::cout << ", " << tally.duplicates << " repeated (run once)";
  std::cout << "\n";
  if (g_interrupted) {
    std::cout << "interrupted: " << tally.to_run - tally.done - tally.failed
              << " runs not stored; run the sweep again to finish it\n";
    return 130;
  }
  return tally.failed ? 1 : 0;
}

}  // namespace coinfer
