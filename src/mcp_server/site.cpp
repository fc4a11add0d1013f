#include "ipfs_kit/mcp_server/site.h"

#include <memory>

#include "ipfs_kit/mcp_server/dashboard.h"
#include "ipfs_kit/mcp_server/rest_api.h"

namespace ipfs_kit::mcp_server {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

http::Response NotFound(const std::string& path) {
  return ErrorFor(Status::NotFound("no such page: " + path.substr(0, 200)));
}

}  // namespace

http::Handler MakeSiteHandler(Routes routes) {
  auto r = std::make_shared<Routes>(std::move(routes));
  return [r](http::Request req, http::Responder respond) {
    std::string why;
    if (r->allowed && !r->allowed(req, &why)) {
      respond(JsonAnswer(403, {{"error", {{"reason", "FORBIDDEN"}, {"details", why}}}}));
      return;
    }
    const std::string& p = req.path;
    auto route = [&](const http::Handler& h) {
      if (h) {
        h(std::move(req), std::move(respond));
      } else {
        respond(NotFound(p));
      }
    };
    if (p == "/mcp" || StartsWith(p, "/mcp/")) return route(r->mcp);
    if (p == "/ipfs" || StartsWith(p, "/ipfs/")) return route(r->gateway);
    if (p == "/api/vfs" || StartsWith(p, "/api/vfs/")) return route(r->vfs_api);
    if (StartsWith(p, "/api/")) return route(r->api);
    if (p == "/" || p == "/index.html" || p == "/dashboard") {
      if (req.method != "GET" && req.method != "HEAD") {
        respond(JsonAnswer(405, {{"error",
                                  {{"reason", "METHOD_NOT_ALLOWED"},
                                   {"details", "the dashboard answers GET only"}}}})
                    .Set("Allow", "GET, HEAD"));
        return;
      }
      respond(DashboardResponse(req));
      return;
    }
    respond(NotFound(p));
  };
}

}  // namespace ipfs_kit::mcp_server
