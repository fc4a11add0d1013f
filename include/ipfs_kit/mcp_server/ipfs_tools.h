// The MCP tools and resources over content, pins, backends, routing and the
// daemon: ipfs_add, ipfs_cat, ipfs_get, ipfs_ls, ipfs_stat, pin_add, pin_rm,
// pin_ls, pin_status, backend_list, backend_health, route_lookup,
// route_suggest, route_stats, daemon_status, car_export, car_import, and the
// resource template ipfs://{cid}. Schemas and results: docs/mcp-server.md.
//
// Reads work without the daemon; management tools then fail with an isError
// result "daemon unavailable: ...".
#pragma once

#include "ipfs_kit/mcp/registry.h"
#include "ipfs_kit/mcp_server/context.h"

namespace ipfs_kit::mcp_server {

// `ctx` must outlive the registry's use.
void RegisterIpfsTools(mcp::Registry& registry, ServerContext& ctx);

}  // namespace ipfs_kit::mcp_server
