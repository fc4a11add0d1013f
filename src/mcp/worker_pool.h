// Internal: the threads MCP transports run blocking requests on (tool calls,
// resource reads), so that an HTTP server thread or the stdio reader never
// waits for a handler. Threads are started on demand up to `max_threads` and
// then kept; jobs beyond that wait in a queue of at most `max_queued`.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ipfs_kit::mcp::internal {

class WorkerPool {
 public:
  WorkerPool(int max_threads, size_t max_queued);
  ~WorkerPool();  // Stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full or the pool is stopping (the job is dropped;
  // the caller answers "busy").
  bool Submit(std::function<void()> job);
  // Refuses new jobs, lets the queued and running ones finish, joins.
  void Stop();

 private:
  void Run();

  const int max_threads_;
  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  int idle_ = 0;
  bool stopping_ = false;
};

}  // namespace ipfs_kit::mcp::internal
