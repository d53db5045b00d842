#include "emulate/work_thread.h"

#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace coinfer {

WorkThread::WorkThread(int nice)
    : event_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), thread_([this, nice] { Serve(nice); }) {}

WorkThread::~WorkThread() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  wake_.notify_one();
  thread_.join();
}

void WorkThread::Post(Job job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void WorkThread::RunCompletions() {
  uint64_t count = 0;
  if (read(event_.get(), &count, sizeof(count)) != sizeof(count)) return;  // none waiting
  std::deque<Completion> ready;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ready.swap(completions_);
  }
  for (Completion& completion : ready)
    if (completion) completion();
}

void WorkThread::Serve(int nice) {
  if (nice != 0) {
    errno = 0;
    const int current = getpriority(PRIO_PROCESS, gettid());
    if (errno == 0) setpriority(PRIO_PROCESS, gettid(), current + nice);  // best effort
  }
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    Completion completion = job();
    lock.lock();
    completions_.push_back(std::move(completion));
    const uint64_t one = 1;
    (void)!write(event_.get(), &one, sizeof(one));
  }
}

}  // namespace coinfer
