#include "ipfs_kit/base/worker_pool.h"

#include <algorithm>

namespace ipfs_kit {

WorkerPool::WorkerPool(int max_threads, size_t max_queued)
    : max_threads_(std::max(max_threads, 1)), max_queued_(max_queued) {}

WorkerPool::~WorkerPool() { Stop(); }

bool WorkerPool::Submit(Task task) {
  std::lock_guard lock(mu_);
  if (stopping_) return false;
  // Tasks already queued will take the idle threads; start one more if none is
  // left for this task.
  if (queue_.size() >= static_cast<size_t>(idle_) &&
      static_cast<int>(threads_.size()) < max_threads_) {
    threads_.emplace_back([this] { Run(); });
  } else if (queue_.size() >= max_queued_ + static_cast<size_t>(idle_)) {
    return false;
  }
  queue_.push_back(std::move(task));
  cv_.notify_one();
  return true;
}

void WorkerPool::Stop(Queued queued) {
  std::vector<std::thread> threads;
  std::deque<Task> cancelled;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
    if (queued == Queued::kCancel) cancelled.swap(queue_);
  }
  cv_.notify_all();
  for (auto& t : cancelled) t(false);
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
    auto task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task(true);
    task = nullptr;  // release captures outside the lock
    lock.lock();
  }
}

}  // namespace ipfs_kit
