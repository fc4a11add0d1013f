// HTTP/1.1 server: a thin I/O layer (Boost.Beast over Asio coroutines) around
// a handler that maps a Request to a Response.
//
// Contract:
//  - The server parses and limits requests itself: a malformed request gets 400,
//    headers over `max_header_bytes` 431, a body over `max_body_bytes` 413, all
//    with a JSON body {"error":{"reason":...,"details":...}}, and the connection is
//    closed. `Expect: 100-continue` is answered. Keep-alive is supported;
//    idle connections are closed after `idle_timeout_ms`.
//  - The handler is called on a server thread, once per request. It answers
//    through the Responder, exactly once, from any thread, now or later (a
//    handler that must wait, e.g. for a group commit, keeps the Responder and
//    returns at once, so a server thread is never blocked by it).
//  - Stop(): stops accepting, lets requests in flight finish (up to
//    `drain_timeout_ms`), closes connections, joins the threads. The handler is
//    not called after Stop() returns. The destructor calls Stop().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/http/message.h"

namespace ipfs_kit::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port (see Server::port())
  int threads = 1;    // one io_context + SO_REUSEPORT acceptor per thread
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  int idle_timeout_ms = 60000;
  int drain_timeout_ms = 5000;
  std::string server_name = "ipfs-kit";  // the Server header
};

// Answers a request; call exactly once, from any thread.
using Responder = std::function<void(Response)>;
using Handler = std::function<void(Request, Responder)>;

class Server {
 public:
  // Binds and starts serving; kIOError naming the address when the bind fails
  // (port in use, bad address).
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, Handler handler);
  virtual ~Server() = default;
  virtual uint16_t port() const = 0;
  virtual void Stop() = 0;
};

}  // namespace ipfs_kit::http
