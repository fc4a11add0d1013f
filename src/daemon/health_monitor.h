// Probes every backend each `health_ms` (in parallel, so one slow backend
// does not delay the others), records the outcome in the registry and the
// store's history, logs state transitions, and on a transition marks the
// backend's CIDs for reconcile (re-replicate away, or trim after recovery).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "backend_registry.h"
#include "ipfs_kit/state/store.h"
#include "log.h"

namespace ipfs_kit::daemon {

class HealthMonitor {
 public:
  HealthMonitor(BackendRegistry& registry, state::Store& store, Log& log);
  ~HealthMonitor();
  void SetInterval(int64_t ms, int history);
  void OnTransition(std::function<void()> fn) { on_transition_ = std::move(fn); }
  void Start();
  void Stop();
  // Probes every backend once now.
  void ProbeAll();

 private:
  void Loop();
  void ProbeOne(const std::string& name);
  BackendRegistry& registry_;
  state::Store& store_;
  Log& log_;
  std::function<void()> on_transition_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  int64_t interval_ms_ = 10000;
  int history_ = 500;
  std::thread thread_;
};

}  // namespace ipfs_kit::daemon
