// Threads that run blocking work (tool calls, backend reads, daemon calls) so
// that an HTTP server thread or a stdio reader never waits for it. Threads
// start on demand up to `max_threads` and are then kept; tasks beyond the
// running ones wait in a FIFO of at most `max_queued`.
//
// Thread-safe. Stop (also run by the destructor) refuses new tasks, either
// runs the queued ones (kRun) or hands them `run == false` so that they can
// answer quickly, e.g. 503 (kCancel), waits for the running ones and joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ipfs_kit {

class WorkerPool {
 public:
  // Called with true when it runs normally, false when Stop(kCancel) took it
  // from the queue before it ran.
  using Task = std::function<void(bool run)>;
  enum class Queued { kRun, kCancel };

  WorkerPool(int max_threads, size_t max_queued);
  ~WorkerPool();  // Stop(Queued::kRun)
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full or the pool is stopping (the task is
  // dropped; the caller answers "busy").
  bool Submit(Task task);
  bool Submit(std::function<void()> job) {
    return Submit(Task([job = std::move(job)](bool) { job(); }));
  }
  void Stop(Queued queued = Queued::kRun);

 private:
  void Run();

  const int max_threads_;
  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  std::vector<std::thread> threads_;
  int idle_ = 0;
  bool stopping_ = false;
};

}  // namespace ipfs_kit
