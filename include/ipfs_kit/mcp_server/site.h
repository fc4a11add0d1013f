// The HTTP face of `ipfs-kit mcp serve` (127.0.0.1:8888 by default): one
// handler that checks Host/Origin (DNS rebinding) and routes by path:
//   /mcp         MCP Streamable HTTP (mcp/http_transport.h)
//   /ipfs/...    the trustless gateway (gateway/gateway.h)
//   /api/vfs/... VFS buckets (vfs/vfs_api.h)
//   /api/...     REST for the dashboard and scripts (rest_api.h)
//   /            the dashboard page (dashboard.h)
// Everything else is 404 JSON.
#pragma once

#include <functional>
#include <string>

#include "ipfs_kit/http/server.h"

namespace ipfs_kit::mcp_server {

struct Routes {
  http::Handler mcp;
  http::Handler gateway;
  http::Handler vfs_api;
  http::Handler api;
  // True when the request's Host (and Origin, when sent) may be served;
  // otherwise *why says what was refused (answered 403).
  std::function<bool(const http::Request&, std::string* why)> allowed;
};

// Routes a request; a route left empty answers 404.
http::Handler MakeSiteHandler(Routes routes);

}  // namespace ipfs_kit::mcp_server
