#include "ipfs_kit/mcp_server/context.h"

namespace ipfs_kit::mcp_server {

Result<std::unique_ptr<ServerContext>> ServerContext::Open(const std::string& repo_path) {
  auto ctx = std::make_unique<ServerContext>();
  ASSIGN_OR_RETURN(ctx->content, ops::Content::Open(repo_path));
  ctx->repo_path = ctx->content->repo_path();
  ctx->index_dir = ctx->repo_path + "/index";
  ctx->management = std::make_unique<ops::Management>(ctx->repo_path);
  return ctx;
}

}  // namespace ipfs_kit::mcp_server
