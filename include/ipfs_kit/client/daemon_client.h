// Client of the daemon's management API (docs/daemon-api.md), used by the CLI
// and the MCP server. Finds the daemon through $IPFS_KIT_PATH/api (written by
// the running daemon) and authenticates with $IPFS_KIT_PATH/api.token.
//
// Outcomes: a daemon that is not running or does not answer is
// kUnavailable ("daemon unavailable: ..."), distinct from the daemon's own
// answers: 400 kInvalidArgument, 401 kPermissionDenied, 404 kNotFound,
// 409 kAlreadyExists, 413 kInvalidArgument, 5xx kInternal, each with the
// daemon's `details` text. Reads (GET) are retried on kUnavailable;
// mutations are not (a POST /pins that timed out may have been stored).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ipfs_kit/base/status.h"

namespace ipfs_kit::client {

struct ClientOptions {
  int timeout_ms = 10000;
  int connect_timeout_ms = 2000;
  int retries = 2;  // extra attempts for reads
  int retry_delay_ms = 200;
};

class DaemonClient {
 public:
  DaemonClient(std::string base_url, std::string token, ClientOptions options = {});
  // kUnavailable when no daemon has written $repo/api.
  static Result<DaemonClient> ForRepo(const std::string& repo_path, ClientOptions options = {});

  const std::string& base_url() const { return url_; }

  Result<nlohmann::json> Get(const std::string& path_and_query) const;
  Result<nlohmann::json> Send(const std::string& method, const std::string& path,
                              const nlohmann::json& body) const;
  Result<std::string> GetText(const std::string& path) const;  // /metrics

  // Pinning Service API helpers.
  Result<nlohmann::json> AddPin(const std::string& cid, const std::string& name,
                                int replication_min, int replication_max,
                                const std::vector<std::string>& backends) const;

 private:
  Result<std::string> Call(const std::string& method, const std::string& path,
                           const std::string& body, bool retry) const;
  std::string url_, token_;
  ClientOptions options_;
};

}  // namespace ipfs_kit::client
