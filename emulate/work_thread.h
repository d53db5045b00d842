// One thread that runs jobs in the order they are posted, off the thread
// that serves sockets: a site keeps reading, reporting arrivals and sending
// while LibTorch computes (a computation of 10 ms would otherwise delay every
// byte and report behind it). Each job returns its completion, which runs
// back on the serving thread, in RunCompletions, once fd() is readable.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "emulate/unique_fd.h"

namespace coinfer {

class WorkThread {
 public:
  using Completion = std::function<void()>;
  using Job = std::function<Completion()>;

  // `nice`: added to the thread's nice value (Linux's is per thread), so
  // that the threads serving sockets preempt its work at once; the threads
  // its work starts (LibTorch's pool) inherit it.
  explicit WorkThread(int nice = 0);
  // Finishes the job running, drops those waiting and their completions.
  ~WorkThread();
  WorkThread(const WorkThread&) = delete;
  WorkThread& operator=(const WorkThread&) = delete;

  // False if the kernel gave no eventfd: nothing posted would be heard of.
  bool valid() const { return event_.valid(); }
  void Post(Job job);
  // Readable (poll POLLIN) while completions wait for RunCompletions.
  int fd() const { return event_.get(); }
  // Runs the completions of the jobs done so far, in their jobs' order.
  void RunCompletions();

 private:
  void Serve(int nice);

  UniqueFd event_;  // an eventfd counting completions not yet run
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  std::deque<Completion> completions_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace coinfer
