// `mcp serve`: the MCP server over stdio or Streamable HTTP. Wiring only: the
// protocol is src/mcp (session, transports), the features (src/mcp_server,
// src/vfs) register their tools in RegisterFeatures, and the HTTP routes
// (/mcp, /ipfs/, /api/, /) are put together by mcp_server::MakeSiteHandler.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli_common.h"
#include "ipfs_kit/base/worker_pool.h"
#include "ipfs_kit/client/routed_blockstore.h"
#include "ipfs_kit/gateway/gateway.h"
#include "ipfs_kit/http/server.h"
#include "ipfs_kit/mcp/conformance_fixtures.h"
#include "ipfs_kit/mcp/http_transport.h"
#include "ipfs_kit/mcp/registry.h"
#include "ipfs_kit/mcp/stdio_transport.h"
#include "ipfs_kit/mcp_server/context.h"
#include "ipfs_kit/mcp_server/ipfs_tools.h"
#include "ipfs_kit/mcp_server/rest_api.h"
#include "ipfs_kit/mcp_server/site.h"
#include "ipfs_kit/vfs/vfs.h"
#include "ipfs_kit/vfs/vfs_api.h"
#include "ipfs_kit/vfs/vfs_tools.h"

namespace ipfs_kit::cli {
namespace {

constexpr size_t kMaxRequestBytes = 32 << 20;  // ipfs_add may carry base64 content

struct ServeOptions {
  bool stdio = false;
  std::string http;  // ADDR:PORT
  std::string token_file;
  std::vector<std::string> allow_origins;
  std::vector<std::string> allow_hosts;
  bool conformance_fixtures = false;
  bool hash_on_read = false;
  int threads = 2;
};

// Everything the server offers. Feature tools (ipfs_*, pin_*, vfs_*, ...)
// register here.
Status RegisterFeatures(mcp::Registry& registry, mcp_server::ServerContext& ctx,
                        const std::shared_ptr<vfs::Vfs>& buckets, const ServeOptions& o) {
  registry.instructions =
      "ipfs-kit: content-addressed storage over many backends. Tools add and read "
      "content by CID (reads work without the daemon, every block verified), manage pins "
      "and backends through the daemon, answer routing questions from the routing index, "
      "and edit VFS buckets (mutable UnixFS trees whose commits yield CIDs).";
  mcp_server::RegisterIpfsTools(registry, ctx);
  vfs::RegisterVfsTools(registry, buckets);
  if (o.conformance_fixtures) mcp::RegisterConformanceFixtures(registry);
  return Status::Ok();
}

void Log(const std::string& line) { std::cerr << line << std::endl; }

// "127.0.0.1:8888", "[::1]:8888", "localhost:8888".
Status ParseListenAddress(const std::string& text, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::InvalidArgument("--http wants ADDR:PORT (e.g. 127.0.0.1:8888), got '" + text +
                                   "'");
  }
  std::string h = text.substr(0, colon), p = text.substr(colon + 1);
  if (h.front() == '[') {
    if (h.back() != ']' || h.size() < 3) {
      return Status::InvalidArgument("--http: bad IPv6 address '" + h + "'");
    }
    h = h.substr(1, h.size() - 2);
  }
  if (p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("--http: bad port '" + p + "'");
  }
  unsigned long n = std::stoul(p);
  if (n > 65535) return Status::InvalidArgument("--http: port " + p + " is out of range");
  *host = h;
  *port = static_cast<uint16_t>(n);
  return Status::Ok();
}

Result<std::string> ReadToken(const std::string& path) {
  auto text = repo::ReadSmallFile(path, 4096);
  if (!text.ok()) return text.status().WithContext("--token-file");
  std::string token = *text;
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.front()))) {
    token.erase(0, 1);
  }
  if (token.empty()) return Status::InvalidArgument("--token-file " + path + " is empty");
  return token;
}

sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

Status ServeHttp(const mcp::Registry& registry, mcp_server::ServerContext& ctx,
                 const std::shared_ptr<vfs::Vfs>& buckets, const ServeOptions& o) {
  std::string host;
  uint16_t port = 0;
  RETURN_IF_ERROR(ParseListenAddress(o.http, &host, &port));
  mcp::HttpTransportOptions t;
  t.port = port;
  t.allowed_hosts = o.allow_hosts;
  t.allowed_origins = o.allow_origins;
  t.log = Log;
  if (!o.token_file.empty()) {
    ASSIGN_OR_RETURN(t.bearer_token, ReadToken(o.token_file));
  }
  // Signals are taken by this thread (sigwait); every thread started below
  // inherits the mask.
  sigset_t stop = BlockStopSignals();
  mcp::HttpTransport transport(registry, t);
  http::ServerOptions so;
  so.address = host;
  so.port = port;
  so.threads = o.threads;
  so.max_body_bytes = kMaxRequestBytes;
  mcp_server::RestApi api(ctx);
  api.SetVfsStatus([buckets] { return vfs::VfsStatusJson(*buckets); });
  // VFS operations block (imports, fetches): they run on workers of their own.
  WorkerPool vfs_workers(8, 1024);
  gateway::GatewayOptions go;
  go.local = &ctx.content->repo().blocks();
  go.hash_on_read = o.hash_on_read;
  gateway::Gateway gw(
      [&ctx](const multiformats::Cid& root) {
        return client::OpenRoutedBlockstore(ctx.repo_path, ctx.content->repo().blocks(), root);
      },
      go);
  mcp_server::Routes routes;
  routes.mcp = [&transport](http::Request r, http::Responder respond) {
    transport.Handle(std::move(r), std::move(respond));
  };
  routes.gateway = gw.AsHandler();
  routes.vfs_api = [&vfs_workers, buckets](http::Request r, http::Responder respond) {
    auto req = std::make_shared<http::Request>(std::move(r));
    auto answer = std::make_shared<http::Responder>(std::move(respond));
    bool taken = vfs_workers.Submit([req, answer, buckets](bool run) {
      if (!run)
        return (*answer)(mcp_server::ErrorFor(Status::Unavailable("the server is stopping")));
      http::Response out;
      vfs::HandleVfsApi(buckets, *req, &out);
      (*answer)(std::move(out));
    });
    if (!taken) (*answer)(mcp_server::ErrorFor(Status::Unavailable("busy: too many VFS requests")));
  };
  routes.api = [&api](http::Request r, http::Responder respond) {
    api.Handle(std::move(r), std::move(respond));
  };
  // /mcp checks Host/Origin itself and refuses in JSON-RPC form.
  routes.allowed = [&t](const http::Request& r, std::string* why) {
    return r.path == "/mcp" || mcp::HostAndOriginAllowed(r, t, why);
  };
  http::Handler handler = mcp_server::MakeSiteHandler(std::move(routes));
  ASSIGN_OR_RETURN(auto server, http::Server::Start(so, handler));
  t.port = server->port();
  transport.set_port(server->port());
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  Log("mcp: http://" + shown + ":" + std::to_string(server->port()) + "/mcp");
  if (host != "127.0.0.1" && host != "localhost" && host != "::1" && o.allow_hosts.empty()) {
    Log("mcp: note: only loopback Host names are accepted; add --allow-host NAME for others");
  }
  int sig = 0;
  while (sigwait(&stop, &sig) != 0) {
  }
  Log(std::string("mcp: stopping (") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ")");
  transport.Shutdown();  // ends SSE streams, so the server's drain is short
  server->Stop();
  return Status::Ok();
}

Status ServeStdio(const mcp::Registry& registry) {
  // stdout belongs to the protocol: keep a private descriptor for it and point
  // fd 1 at stderr, so that a stray print anywhere cannot corrupt the stream.
  int out = ::dup(STDOUT_FILENO);
  if (out < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    return Status::IOError("cannot set up stdout for the MCP stdio transport");
  }
  sigset_t stop = BlockStopSignals();
  mcp::StdioTransportOptions so;
  so.in_fd = STDIN_FILENO;
  so.out_fd = out;
  so.log = Log;
  mcp::StdioTransport transport(registry, so);
  std::atomic<bool> done{false};
  std::thread signals([&] {
    int sig = 0;
    while (sigwait(&stop, &sig) != 0) {
    }
    if (!done) {
      Log(std::string("mcp: stopping (") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ")");
      transport.Stop();
    }
  });
  Status s = transport.Run();
  done = true;
  ::kill(::getpid(), SIGTERM);  // wakes the signal thread (the signal is blocked and taken there)
  signals.join();
  ::close(out);
  return s;
}

Status RunServe(const ServeOptions& o) {
  if (o.stdio && !o.http.empty()) {
    return Status::InvalidArgument("mcp serve: give either --stdio or --http ADDR:PORT, not both");
  }
  mcp::Registry registry;
  ASSIGN_OR_RETURN(auto ctx, mcp_server::ServerContext::Open(RepoPath()));
  ASSIGN_OR_RETURN(std::unique_ptr<vfs::Vfs> opened, vfs::Vfs::Open(ctx->repo_path));
  std::shared_ptr<vfs::Vfs> buckets = std::move(opened);
  RETURN_IF_ERROR(RegisterFeatures(registry, *ctx, buckets, o));
  if (o.stdio) return ServeStdio(registry);
  ServeOptions h = o;
  if (h.http.empty()) h.http = "127.0.0.1:8888";
  return ServeHttp(registry, *ctx, buckets, h);
}

}  // namespace

void RegisterMcp(CLI::App& app) {
  auto* mcp = app.add_subcommand("mcp", "Model Context Protocol server for AI agents");
  mcp->require_subcommand(1);
  auto* serve = mcp->add_subcommand(
      "serve", "Serve MCP over stdio (--stdio) or Streamable HTTP (--http ADDR:PORT, path /mcp)");
  auto o = std::make_shared<ServeOptions>();
  serve->add_flag("--stdio", o->stdio, "Newline-delimited JSON-RPC on stdin/stdout");
  serve->add_option("--http", o->http,
                    "Streamable HTTP listen address ADDR:PORT (the default, on 127.0.0.1:8888)");
  serve->add_option("--token-file", o->token_file,
                    "Require 'Authorization: Bearer <token>' with the token in this file");
  serve->add_option("--allow-origin", o->allow_origins,
                    "Also accept this Origin (e.g. http://localhost:5173); repeatable");
  serve->add_option("--allow-host", o->allow_hosts,
                    "Also accept this Host name (NAME or NAME:PORT); repeatable");
  serve->add_flag("--conformance-fixtures", o->conformance_fixtures,
                  "Register the MCP conformance suite's test tools/resources/prompts (tests only)");
  serve->add_option("--threads", o->threads, "HTTP server threads (default 2)")
      ->check(CLI::Range(1, 64));
  serve->add_flag(
      "--hash-on-read", o->hash_on_read,
      "Gateway: re-hash raw blocks read from the local store too (default: served as "
      "stored, like Kubo's HashOnRead=false; blocks from backends are always verified)");
  SetAction(serve, [o] { return RunServe(*o); });
}

}  // namespace ipfs_kit::cli
