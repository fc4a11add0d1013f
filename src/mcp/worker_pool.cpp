#include "worker_pool.h"

#include <algorithm>

namespace ipfs_kit::mcp::internal {

WorkerPool::WorkerPool(int max_threads, size_t max_queued)
    : max_threads_(std::max(max_threads, 1)), max_queued_(max_queued) {}

WorkerPool::~WorkerPool() { Stop(); }

bool WorkerPool::Submit(std::function<void()> job) {
  std::lock_guard lock(mu_);
  if (stopping_) return false;
  // Jobs already queued will take the idle threads; start one more if none is
  // left for this job.
  if (queue_.size() >= static_cast<size_t>(idle_) &&
      static_cast<int>(threads_.size()) < max_threads_) {
    threads_.emplace_back([this] { Run(); });
  } else if (queue_.size() >= max_queued_ + static_cast<size_t>(idle_)) {
    return false;
  }
  queue_.push_back(std::move(job));
  cv_.notify_one();
  return true;
}

void WorkerPool::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
}

void WorkerPool::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    ++idle_;
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (queue_.empty()) return;  // stopping and nothing left to do
    auto job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    job();
    job = nullptr;  // release captures outside the lock
    lock.lock();
  }
}

}  // namespace ipfs_kit::mcp::internal
