// The pin spool ($IPFS_KIT_PATH/spool/): pin requests made while the daemon
// is down, one JSON file each, written atomically; the daemon takes them in
// at start (each file once: its name is the request's idempotency key) and
// removes them. Format: docs/formats/repository.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ipfs_kit/base/status.h"

namespace ipfs_kit::client {

struct SpooledPin {
  std::string cid;
  std::string name;
  int replication_min = 0;  // 0: the daemon's default
  int replication_max = 0;
  std::vector<std::string> backends;
  int64_t created_ms = 0;
  std::string file;  // set by ReadSpool: the file's name (the idempotency key)
};

// Writes one request durably (temp, fsync, rename, fsync dir); returns the
// file name.
Result<std::string> WriteSpool(const std::string& repo_path, const SpooledPin& pin);
// Every spooled request, oldest first. Files that cannot be parsed are
// reported through `bad(file, error)` and skipped.
Result<std::vector<SpooledPin>> ReadSpool(
    const std::string& repo_path,
    const std::function<void(const std::string&, const std::string&)>& bad);
// Removes taken-in files (and fsyncs the directory).
Status RemoveSpooled(const std::string& repo_path, const std::vector<std::string>& files);
// Moves a file that cannot be parsed to spool/rejected/ so it is not retried.
Status RejectSpooled(const std::string& repo_path, const std::string& file);

}  // namespace ipfs_kit::client
