#include "fs/io_executor.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace objfs::fs {

namespace {

// Submits `tasks` tasks that each block until all of them have started (or a
// generous deadline passes) and returns how many were running at once.
int MaxConcurrent(IoExecutor& executor, int tasks) {
  std::mutex mu;
  std::condition_variable cv;
  int started = 0;
  int max_running = 0;
  int running = 0;
  for (int i = 0; i < tasks; ++i) {
    executor.Submit([&] {
      std::unique_lock lock(mu);
      ++started;
      ++running;
      max_running = std::max(max_running, running);
      cv.notify_all();
      // Blocks like a network call would; the deadline only keeps a broken
      // executor from hanging the test.
      cv.wait_for(lock, std::chrono::seconds(20), [&] { return started >= tasks; });
      --running;
    });
  }
  executor.Drain();
  return max_running;
}

}  // namespace

TEST_CASE("IoExecutor: dedicated threads run that many blocking tasks at once") {
  IoExecutor executor(16, IoExecutor::Backend::kThreads);
  CHECK(MaxConcurrent(executor, 16) == 16);
}

TEST_CASE("IoExecutor: the TBB arena backend also gets all its threads on a small machine") {
  IoExecutor executor(16, IoExecutor::Backend::kTbbArena);
  CHECK(MaxConcurrent(executor, 16) == 16);
}

TEST_CASE("IoExecutor: tasks may submit tasks; Drain waits for all of them") {
  for (auto backend : {IoExecutor::Backend::kThreads, IoExecutor::Backend::kTbbArena}) {
    IoExecutor executor(4, backend);
    std::atomic<int> done{0};
    for (int i = 0; i < 50; ++i) {
      executor.Submit([&] {
        executor.Submit([&] { ++done; });
        ++done;
      });
    }
    executor.Drain();
    CHECK(done == 100);
  }
}

TEST_CASE("IoExecutor: the destructor runs queued tasks") {
  std::atomic<int> done{0};
  {
    IoExecutor executor(2);
    for (int i = 0; i < 100; ++i) executor.Submit([&] { ++done; });
  }
  CHECK(done == 100);
}

}  // namespace objfs::fs
