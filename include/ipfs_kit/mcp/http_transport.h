// MCP Streamable HTTP transport (2025-11-25 "Transports"; also what 2025-06-18
// and 2025-03-26 clients speak): one endpoint, normally /mcp, served through
// our http::Server.
//
//   POST   one JSON-RPC message (or, for 2025-03-26 sessions, a batch).
//          Requests get 200 with application/json, or with text/event-stream
//          when the request runs a handler (tools/call, resources/read, ...)
//          and the client accepts SSE: the stream carries the request's
//          progress, log messages and server-to-client requests, then the
//          response, then ends. Notifications and responses alone get 202.
//   GET    a standalone SSE stream for messages related to no request
//          (notifications/resources/updated). One per session: a new GET
//          replaces the previous stream.
//   DELETE ends the session.
//
// Sessions: initialize creates one and answers its id in Mcp-Session-Id (128
// random bits from the OS, hex). Later requests must carry it: missing → 400,
// unknown or ended → 404 (the client starts over with initialize).
// MCP-Protocol-Version, when present, must be a supported version (400).
//
// Security, checked before anything else:
//   Host must name a loopback address (localhost, 127.0.0.1, [::1]; any port)
//   or be in allowed_hosts; Origin, when sent, must be the server's own
//   loopback origin (http://localhost:PORT, ...) or be in allowed_origins.
//   Either failing → 403 (DNS rebinding). With a bearer token set, requests
//   without "Authorization: Bearer <token>" → 401.
// Refusals have a JSON-RPC error body with id null, like the reference SDK.
//
// Threading: Handle may be called from any number of server threads. Blocking
// requests run on a worker pool (max_concurrent_calls threads); when its queue
// is full the request gets 503. Responders and SSE streams are completed from
// those workers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ipfs_kit/http/message.h"
#include "ipfs_kit/http/server.h"
#include "ipfs_kit/mcp/registry.h"
#include "ipfs_kit/mcp/session.h"

namespace ipfs_kit {
class WorkerPool;
}

namespace ipfs_kit::mcp {

struct HttpTransportOptions {
  // The port the server listens on; the default allowed origins are the
  // loopback names with this port. 0: set it later with set_port().
  uint16_t port = 0;
  // Extra Host values accepted besides the loopback names: "name" (any port)
  // or "name:port". Needed when binding a non-loopback address.
  std::vector<std::string> allowed_hosts;
  // Extra Origin values accepted besides http(s)://{localhost,127.0.0.1,[::1]}:port,
  // e.g. "http://localhost:5173" for a dashboard served elsewhere. "*" accepts any.
  std::vector<std::string> allowed_origins;
  // Non-empty: every request needs Authorization: Bearer <token>.
  std::string bearer_token;
  size_t max_sessions = 256;  // the least recently used session is ended beyond this
  int session_idle_timeout_ms = 30 * 60 * 1000;
  int max_concurrent_calls = 16;
  size_t max_queued_calls = 256;
  // Comment lines sent on idle SSE streams, so that dead clients are noticed.
  int keepalive_interval_ms = 15000;
  SessionOptions session;
  // Diagnostics (one line each, no newline); default: none.
  std::function<void(const std::string&)> log;
};

// The DNS-rebinding check of this transport, for the other routes of the same
// server (gateway, /api, dashboard): true when Host and Origin are acceptable
// under `options`; otherwise false with the reason in *why.
bool HostAndOriginAllowed(const http::Request& request, const HttpTransportOptions& options,
                          std::string* why);

class HttpTransport {
 public:
  HttpTransport(const Registry& registry, HttpTransportOptions options);
  ~HttpTransport();  // Shutdown()
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Sets the port used for the default allowed origins (when the server was
  // started on port 0). Safe while serving.
  void set_port(uint16_t port);

  // Answers one request to the MCP endpoint (the caller routes by path).
  void Handle(http::Request request, http::Responder respond);

  // Sends notifications/resources/updated to every session subscribed to uri.
  void NotifyResourceUpdated(const std::string& uri);

  // Ends every session: cancels calls in flight (CallContext::cancelled turns
  // true, pending client requests fail), closes SSE streams, waits for the
  // workers. Handle answers 503 afterwards. Call before http::Server::Stop so
  // that open streams do not hold the server's drain.
  void Shutdown();

  size_t session_count() const;

 private:
  struct SessionEntry;

  void HandlePost(http::Request request, http::Responder respond);
  void HandleGet(const http::Request& request, http::Responder respond);
  void HandleDelete(const http::Request& request, http::Responder respond);
  // The session a request names, or an answer refusing it (400/404).
  std::shared_ptr<SessionEntry> FindSession(const http::Request& request, http::Response* refusal);
  std::shared_ptr<SessionEntry> NewSession();
  void EndSession(const std::shared_ptr<SessionEntry>& entry);
  void Housekeeping();
  void Log(const std::string& line) const;

  const Registry& registry_;
  HttpTransportOptions options_;
  std::atomic<uint16_t> port_;
  std::unique_ptr<WorkerPool> workers_;

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<SessionEntry>> sessions_;
  bool shut_down_ = false;
  std::condition_variable housekeeping_cv_;
  std::thread housekeeping_;
};

}  // namespace ipfs_kit::mcp
