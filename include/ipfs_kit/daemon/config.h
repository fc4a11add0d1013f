// The daemon's configuration: `$IPFS_KIT_PATH/config.json` (format and every
// key: docs/config.md). Parsing is strict: an unknown key, a wrong type or a
// value out of range is kInvalidArgument naming the key ("replication.min:
// must be an integer >= 0, got -1"), so a typo never passes silently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ipfs_kit/backends/backend.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::daemon {

struct DaemonConfig {
  struct Api {
    std::string address = "127.0.0.1:8887";
    int threads = 2;
    int64_t max_body_bytes = 1 << 20;
  } api;
  struct Replication {
    int min = 1;  // defaults for pins that do not say
    int max = 1;
    int concurrency = 4;           // copy/trim jobs running at once
    int64_t retry_base_ms = 1000;  // backoff: base * 2^attempts, capped
    int64_t retry_max_ms = 300000;
    int max_attempts = 8;                // per (cid, backend) before another backend is tried
    int64_t unhealthy_grace_ms = 30000;  // unhealthy this long: re-replicate away
  } replication;
  struct Intervals {
    int64_t health_ms = 10000;
    int64_t reconcile_ms = 2000;
    int64_t verify_ms = 60000;
    int64_t index_publish_ms = 60000;
    int64_t index_debounce_ms = 500;
  } intervals;
  struct Verify {
    int locations_per_round = 8;
    int max_blocks_per_location = 64;
  } verify;
  struct Logs {
    std::string level = "info";  // debug | info | warn | error
    int64_t max_file_bytes = 10 << 20;
    int keep_files = 3;
  } logs;
  int health_history = 500;  // probes kept per backend
  std::vector<backends::BackendConfig> backends;
};

// The embedded default: one `local` backend named "local".
DaemonConfig DefaultConfig();

// Parses and validates; `source` (a file name) prefixes error messages.
Result<DaemonConfig> ParseConfig(std::string_view json_text, const std::string& source = "config");
std::string ConfigToJson(const DaemonConfig& config);

// Backend entries are parsed by backends::ParseBackendConfig
// (include/ipfs_kit/backends/backend_config.h).

}  // namespace ipfs_kit::daemon
