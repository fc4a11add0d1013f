// What the management API's handlers work with: the daemon's parts, wired
// by daemon.cpp. Handlers are pure functions of a request and this context.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>

#include "backend_registry.h"
#include "health_monitor.h"
#include "index_publisher.h"
#include "ipfs_kit/daemon/config.h"
#include "ipfs_kit/state/store.h"
#include "log.h"
#include "pin_queue.h"
#include "ipfs_kit/routing/index.h"
#include "replicator.h"

namespace ipfs_kit::daemon {

struct Context {
  std::string repo_path;
  std::string token;   // bearer token for mutations, /pins and /config
  std::string origin;  // this daemon's base URL, e.g. http://127.0.0.1:8887
  int64_t started_ms = 0;
  state::Store* store = nullptr;
  BackendRegistry* registry = nullptr;
  Log* log = nullptr;
  Replicator* replicator = nullptr;
  IndexPublisher* index = nullptr;
  HealthMonitor* health = nullptr;
  PinQueue* pins = nullptr;

  std::mutex config_mu;
  DaemonConfig config;  // guarded by config_mu
  // Validates, writes config.json atomically and applies it; on any error the
  // old config stays in force and the error names the key.
  std::function<Status(const DaemonConfig&)> apply_config;

  // GET /routing/{cid}: a long-lived reader of the index this daemon publishes.
  std::mutex routes_mu;
  std::unique_ptr<routing::RouteReader> routes;

  std::atomic<int64_t> http_requests{0};
  std::atomic<int64_t> http_errors{0};
};

// RFC 3339 / ISO 8601 UTC with milliseconds: 2026-11-27T23:01:02.345Z
std::string FormatTime(int64_t unix_ms);
// Accepts RFC 3339 timestamps (Z or +hh:mm offsets, optional fraction);
// nullopt when malformed.
std::optional<int64_t> ParseTime(const std::string& s);

}  // namespace ipfs_kit::daemon
