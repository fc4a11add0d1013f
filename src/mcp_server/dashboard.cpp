#include "ipfs_kit/mcp_server/dashboard.h"

#include <string>

#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::mcp_server {
namespace internal {
extern const std::string_view kDashboardHtml;
}

std::string_view DashboardHtml() { return internal::kDashboardHtml; }

http::Response DashboardResponse(const http::Request& request) {
  // The page's own CID as its ETag: it changes exactly when the page does.
  static const std::string etag = [] {
    std::string e(1, '"');
    e.append(
        multiformats::Cid::Sha256(1, multiformats::kCodecRaw, AsBytes(DashboardHtml())).ToString());
    e.push_back('"');
    return e;
  }();
  http::Response r;
  r.Set("ETag", etag);
  r.Set("Cache-Control", "no-cache");
  if (auto inm = request.Header("if-none-match"); inm && *inm == etag) {
    r.status = 304;
    return r;
  }
  r.Set("Content-Type", "text/html; charset=utf-8");
  r.Set("Content-Security-Policy",
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "img-src 'self' data:; frame-ancestors 'none'");
  r.Set("X-Content-Type-Options", "nosniff");
  r.Set("X-Frame-Options", "DENY");
  r.body = std::string(DashboardHtml());
  return r;
}

}  // namespace ipfs_kit::mcp_server
