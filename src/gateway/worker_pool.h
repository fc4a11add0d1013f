// Internal: fixed threads taking tasks from a bounded FIFO queue.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ipfs_kit::gateway {

class WorkerPool {
 public:
  // A task is called with `true` normally, or with `false` when the pool is
  // being destroyed before it ran (it should then answer quickly, e.g. 503).
  using Task = std::function<void(bool run)>;

  WorkerPool(int threads, size_t max_queued);
  // Runs every queued task with `false`, then joins the threads.
  ~WorkerPool();

  // False when the queue is full (the task is not taken).
  bool Submit(Task task);

 private:
  void Loop();
  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ipfs_kit::gateway
