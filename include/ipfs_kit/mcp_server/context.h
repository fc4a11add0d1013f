// What the MCP server's features share: the repository (content operations,
// reads through the routing index and the backends) and the way to the
// daemon (management). One per `ipfs-kit mcp serve` process; thread-safe.
#pragma once

#include <memory>
#include <string>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/ops/content.h"
#include "ipfs_kit/ops/management.h"

namespace ipfs_kit::mcp_server {

struct ServerContext {
  std::string repo_path;
  std::string index_dir;  // repo_path + "/index"
  std::unique_ptr<ops::Content> content;
  std::unique_ptr<ops::Management> management;

  // Opens (creating when missing) the repository at `repo_path`.
  static Result<std::unique_ptr<ServerContext>> Open(const std::string& repo_path);
};

// Largest answer of ipfs_cat / resources/read / GET /api/ipfs/cat without an
// explicit length: bigger content is refused with a message naming
// offset/length (an MCP message is held whole in memory).
inline constexpr uint64_t kMaxInlineBytes = 16 << 20;

}  // namespace ipfs_kit::mcp_server
