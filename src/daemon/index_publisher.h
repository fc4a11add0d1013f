// Publishes the routing index (docs/formats/routing-index.md) from the state
// store and the backends' health: after changes (debounced) and on an
// interval. One publisher per repository (the daemon holds the lock).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "backend_registry.h"
#include "ipfs_kit/base/status.h"
#include "ipfs_kit/state/store.h"
#include "log.h"

namespace ipfs_kit::daemon {

class IndexPublisher {
 public:
  IndexPublisher(std::string index_dir, state::Store& store, BackendRegistry& registry, Log& log);
  ~IndexPublisher();
  void SetIntervals(int64_t debounce_ms, int64_t every_ms);
  void Start();
  void Stop();  // publishes once more if anything changed
  void MarkDirty();
  Status PublishNow();
  uint64_t generation() const;

 private:
  void Loop();
  std::string dir_;
  state::Store& store_;
  BackendRegistry& registry_;
  Log& log_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool dirty_ = true, stop_ = false;
  int64_t debounce_ms_ = 500, every_ms_ = 60000;
  uint64_t generation_ = 0;
  std::string backends_written_;  // backends.json as last written (guarded by publish_mu_)
  std::mutex publish_mu_;
  std::thread thread_;
};

}  // namespace ipfs_kit::daemon
