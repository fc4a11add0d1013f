// The daemon (DESIGN §1): one per repository. Start() takes the repository
// lock ($IPFS_KIT_PATH/daemon.lock, flock), writes daemon.pid, creates
// api.token (0600) if missing, loads config.json (creating the embedded
// default), opens state.db, makes the backends, takes in the spool, starts
// the health, replication, verify and index loops and the management API,
// and writes $IPFS_KIT_PATH/api (the API's base URL) for clients.
//
// Stop() is graceful: the API stops accepting, running jobs finish (jobs not
// started stay durable and resume next start), the index is published once
// more, the lock and the api file are released. Reload() re-reads
// config.json; a config with an error is refused and the old one stays.
#pragma once

#include <memory>
#include <string>

#include "ipfs_kit/base/status.h"

namespace ipfs_kit::daemon {

struct DaemonOptions {
  std::string repo_path;
  std::string api_address;  // empty: the config's api.address ("127.0.0.1:8887")
};

class Daemon {
 public:
  static Result<std::unique_ptr<Daemon>> Start(const DaemonOptions& options);
  ~Daemon();
  std::string api_url() const;
  Status Reload();
  void Stop();

  struct Impl;

 private:
  explicit Daemon(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads $repo/api.token, creating it (0600, 32 random bytes as hex) if missing.
Result<std::string> ReadOrCreateToken(const std::string& repo_path);

}  // namespace ipfs_kit::daemon
