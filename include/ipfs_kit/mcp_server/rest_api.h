// REST endpoints of `ipfs-kit mcp serve` for the dashboard and scripts
// (docs/mcp-server.md has the table):
//   GET  /api/health                  always 200: server, daemon availability, index generation
//   GET  /api/overview                always 200: everything the dashboard shows (daemon,
//                                     backends, pins, replication, routing stats, logs, VFS)
//   GET  /api/daemon/status           the daemon's health + replication summary
//   GET  /api/backends                the daemon's backends
//   GET  /api/backends/health         the daemon's health view; with the daemon down, 503
//                                     with the backends as the routing index last saw them
//   GET  /api/pins?status=&cid=&limit=   Pinning Service API listing (through the daemon)
//   POST /api/pins                    {cid, name?, replication_min?, ...} → PinStatus
//   GET  /api/replication, GET /api/logs?lines=&level=
//   GET  /api/routing/backends/{cid}  routing index lookup (no daemon needed)
//   GET  /api/routing/suggest?size=&n=, GET /api/routing/stats
//   GET  /api/ipfs/cat/{cid}[/path]?offset=&length=   file bytes, streamed, verified
//   POST /api/ipfs/add?pin=&name=&cid_version=&chunker=   body = bytes → {cid, size, ...}
// Errors: {"error":{"reason","details"}} with 400 (bad input), 404, 405, 409,
// 502 (a backend sent corrupt data), 503 DAEMON_UNAVAILABLE, 500.
//
// Handlers that block (daemon calls, reads from backends, adds) run on the
// RestApi's own worker threads, never on an HTTP server thread.
#pragma once

#include <functional>
#include <memory>

#include "ipfs_kit/http/message.h"
#include "ipfs_kit/http/server.h"
#include "ipfs_kit/mcp_server/context.h"

namespace ipfs_kit::mcp_server {

class RestApi {
 public:
  // `ctx` must outlive the RestApi.
  RestApi(ServerContext& ctx, int worker_threads = 8);
  ~RestApi();  // waits for running handlers
  RestApi(const RestApi&) = delete;
  RestApi& operator=(const RestApi&) = delete;

  // The VFS summary /api/overview includes (set before serving).
  void SetVfsStatus(std::function<Result<nlohmann::json>()> status);

  // Answers a request whose path starts with /api/.
  void Handle(http::Request request, http::Responder respond);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// {"error":{"reason","details"}} with the HTTP status for `s`'s code
// (kUnavailable → 503 DAEMON_UNAVAILABLE when the message says so).
http::Response ErrorFor(const Status& s);
http::Response JsonAnswer(int status, const nlohmann::json& body);

}  // namespace ipfs_kit::mcp_server
