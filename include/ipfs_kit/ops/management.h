// Management calls through the daemon (pins, backends, replication, logs,
// status), shared by the MCP tools and the REST API. Each call finds the
// daemon anew through $IPFS_KIT_PATH/api, so a daemon restarted on another
// port is found. A daemon that is not running or does not answer is
// kUnavailable "daemon unavailable: ..." (never retried for long: these
// calls back interactive tools and a dashboard).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/client/daemon_client.h"

namespace ipfs_kit::ops {

struct PinRequest {
  std::string cid;
  std::string name;
  int replication_min = 0;  // 0: the daemon's default
  int replication_max = 0;
  std::vector<std::string> backends;
};

class Management {
 public:
  explicit Management(std::string repo_path) : repo_path_(std::move(repo_path)) {}

  // {available:true, api, health, replication} or kUnavailable.
  Result<nlohmann::json> DaemonStatus() const;
  Result<nlohmann::json> Backends() const;        // GET /backends
  Result<nlohmann::json> BackendsHealth() const;  // GET /backends/health
  Result<nlohmann::json> Replication() const;     // GET /replication
  Result<nlohmann::json> Logs(int lines, const std::string& level) const;

  // Pinning Service API: a PinStatus.
  Result<nlohmann::json> PinAdd(const PinRequest& request) const;
  // `id` is a request id or a CID (every request for that CID is removed).
  // {removed:[requestid...]}.
  Result<nlohmann::json> PinRm(const std::string& id) const;
  // `query` is a Pinning Service API query string ("status=pinned&limit=10").
  Result<nlohmann::json> PinLs(const std::string& query) const;
  // One PinStatus (request id) or {cid, results:[PinStatus...]} (CID).
  Result<nlohmann::json> PinStatus(const std::string& id) const;

 private:
  Result<client::DaemonClient> Client() const;
  std::string repo_path_;
};

}  // namespace ipfs_kit::ops
