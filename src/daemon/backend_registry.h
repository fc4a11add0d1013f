// The daemon's live backends and what the health monitor knows of each.
// Backends come from the config file and from the API (persisted in the
// state store); both are here. Thread-safe; readers get copies.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ipfs_kit/backends/backend.h"

namespace ipfs_kit::daemon {

struct BackendHealth {
  std::string state = "unknown";  // healthy | degraded | unhealthy | unknown
  std::string reason;
  double latency_p50_ms = 0, latency_p99_ms = 0;
  double error_rate = 0;  // failed probes and operations, over the recent window
  int64_t bytes_used = -1, bytes_free = -1, pin_count = -1;
  int64_t since_ms = 0;    // in this state since
  int64_t checked_ms = 0;  // last probe
  std::string detail;
};

struct BackendView {
  backends::BackendConfig config;
  backends::Capabilities caps;
  bool from_api = false;
  BackendHealth health;
};

class BackendRegistry {
 public:
  // Replaces the config-file backends (API ones stay); kept instances are
  // reused when their config did not change.
  Status SetConfigBackends(const std::vector<backends::BackendConfig>& configs,
                           const std::string& repo);
  Status AddApiBackend(const backends::BackendConfig& config, const std::string& repo);
  // kNotFound when absent.
  Status Remove(const std::string& name);
  std::shared_ptr<backends::Backend> Get(const std::string& name) const;
  std::vector<BackendView> List() const;
  std::optional<BackendView> View(const std::string& name) const;

  // Records a probe; returns the previous state when the state changed.
  std::optional<std::string> RecordProbe(const std::string& name, bool ok, double latency_ms,
                                         const backends::Probe& probe, const std::string& reason);
  // Records the outcome of an operation (copy, verify) for the error rate.
  void RecordOp(const std::string& name, bool ok);
  // Usable as a copy source or destination now: not unhealthy (unknown is
  // allowed until the first probe, so a fresh daemon can work at once).
  bool Usable(const std::string& name) const;
  // Unhealthy for longer than grace_ms (its locations stop counting).
  bool UnhealthyLongerThan(const std::string& name, int64_t grace_ms, int64_t now_ms) const;

 private:
  struct Entry {
    std::shared_ptr<backends::Backend> backend;
    backends::BackendConfig config;
    bool from_api = false;
    BackendHealth health;
    std::deque<double> latencies;
    std::deque<bool> outcomes;
  };
  void Recompute(Entry& e);
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace ipfs_kit::daemon
