// The dashboard: one self-contained HTML page (src/mcp_server/dashboard/
// index.html, compiled into the binary) that polls GET /api/overview and
// browses VFS buckets through /api/vfs/. No external resources.
#pragma once

#include <string_view>

#include "ipfs_kit/http/message.h"

namespace ipfs_kit::mcp_server {

std::string_view DashboardHtml();
// The page with its headers (ETag, a Content-Security-Policy allowing only
// this page's inline script and style, no framing); 304 on If-None-Match.
http::Response DashboardResponse(const http::Request& request);

}  // namespace ipfs_kit::mcp_server
