#include "fs/io_executor.h"

#include <algorithm>

namespace objfs::fs {

IoExecutor::IoExecutor(int threads, Backend backend) : threads_(std::max(1, threads)), backend_(backend) {
  if (backend_ == Backend::kThreads) {
    workers_.reserve(threads_);
    for (int i = 0; i < threads_; ++i) workers_.emplace_back([this] { WorkerLoop(); });
    return;
  }
  // One slot more than workers: TBB keeps a slot for an external thread.
  parallelism_ = std::make_unique<oneapi::tbb::global_control>(
      oneapi::tbb::global_control::max_allowed_parallelism,
      std::max<size_t>(oneapi::tbb::global_control::active_value(
                           oneapi::tbb::global_control::max_allowed_parallelism),
                       static_cast<size_t>(threads_) + 1));
  arena_ = std::make_unique<oneapi::tbb::task_arena>(threads_ + 1, 1);
  arena_->initialize();
}

IoExecutor::~IoExecutor() {
  Drain();
  if (backend_ == Backend::kThreads) {
    for (size_t i = 0; i < workers_.size(); ++i) queue_.push(std::function<void()>());
    for (std::thread& worker : workers_) worker.join();
  } else {
    arena_.reset();
    parallelism_.reset();
  }
}

void IoExecutor::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    ++pending_;
  }
  if (backend_ == Backend::kThreads) {
    queue_.push(std::move(task));
    return;
  }
  // enqueue wants a const-callable functor; the task itself is reset after it ran.
  auto shared = std::make_shared<std::function<void()>>(std::move(task));
  arena_->enqueue([this, shared] {
    (*shared)();
    *shared = nullptr;
    TaskDone();
  });
}

void IoExecutor::Drain() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [this] { return pending_ == 0; });
}

void IoExecutor::WorkerLoop() {
  while (true) {
    std::function<void()> task;
    queue_.pop(task);
    if (!task) return;
    task();
    task = nullptr;  // drop captures before reporting completion
    TaskDone();
  }
}

void IoExecutor::TaskDone() {
  std::lock_guard lock(mu_);
  if (--pending_ == 0) idle_cv_.notify_all();
}

}  // namespace objfs::fs
