// WorkThread: jobs run in order off the caller's thread; their completions
// run on the caller's thread, only when it asks, once fd() says so.
#include "emulate/work_thread.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <thread>
#include <vector>

namespace coinfer {
namespace {

// Waits for fd() and runs completions until `count` have run (or 5 s pass).
void RunUntil(WorkThread& work, const std::vector<int>& done, size_t count) {
  for (int i = 0; i < 500 && done.size() < count; ++i) {
    pollfd ready{work.fd(), POLLIN, 0};
    if (poll(&ready, 1, 10) == 1) work.RunCompletions();
  }
}

TEST(WorkThreadTest, JobsRunInOrderOffThisThreadAndCompleteOnIt) {
  WorkThread work;
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<int> ran, done;  // ran: written by the work thread only
  std::vector<bool> job_on_caller, completion_on_caller;
  for (int i = 0; i < 50; ++i)
    work.Post([&, i] {
      ran.push_back(i);
      job_on_caller.push_back(std::this_thread::get_id() == caller);
      return [&, i] {
        done.push_back(i);
        completion_on_caller.push_back(std::this_thread::get_id() == caller);
      };
    });
  RunUntil(work, done, 50);
  ASSERT_EQ(done.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(done[i], i);
    EXPECT_FALSE(job_on_caller[i]);
    EXPECT_TRUE(completion_on_caller[i]);
  }
  EXPECT_EQ(ran, done);
}

TEST(WorkThreadTest, ACompletionWaitsForTheCallerAndFdSaysWhen) {
  WorkThread work;
  pollfd ready{work.fd(), POLLIN, 0};
  EXPECT_EQ(poll(&ready, 1, 50), 0) << "readable with nothing done";
  bool completed = false;
  work.Post([&] { return [&] { completed = true; }; });
  EXPECT_EQ(poll(&ready, 1, 5000), 1);
  EXPECT_FALSE(completed) << "a completion ran before RunCompletions";
  work.RunCompletions();
  EXPECT_TRUE(completed);
  EXPECT_EQ(poll(&ready, 1, 50), 0) << "still readable once every completion ran";
  // A job without a completion is fine.
  work.Post([] { return WorkThread::Completion(); });
  EXPECT_EQ(poll(&ready, 1, 5000), 1);
  work.RunCompletions();
}

TEST(WorkThreadTest, ItsJobsRunAtTheNiceValueAsked) {
  const int here = getpriority(PRIO_PROCESS, gettid());
  ASSERT_LE(here, 14) << "this test needs room above the caller's nice value";
  WorkThread work(5);
  int theirs = -100, their_pool = -100;
  work.Post([&] {
    theirs = getpriority(PRIO_PROCESS, gettid());
    std::thread started([&] { their_pool = getpriority(PRIO_PROCESS, gettid()); });
    started.join();
    return WorkThread::Completion();
  });
  pollfd ready{work.fd(), POLLIN, 0};
  ASSERT_EQ(poll(&ready, 1, 5000), 1);
  EXPECT_EQ(theirs, here + 5);
  EXPECT_EQ(their_pool, here + 5) << "threads a job starts inherit it";
  EXPECT_EQ(getpriority(PRIO_PROCESS, gettid()), here) << "the caller's own is unchanged";
}

}  // namespace
}  // namespace coinfer
