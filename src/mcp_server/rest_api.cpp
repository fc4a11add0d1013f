#include "ipfs_kit/mcp_server/rest_api.h"

#include <charconv>
#include <chrono>
#include <thread>

#include "ipfs_kit/base/worker_pool.h"
#include "ipfs_kit/ops/routing_view.h"
#include "ipfs_kit/routing/index.h"

namespace ipfs_kit::mcp_server {

using nlohmann::json;

http::Response JsonAnswer(int status, const json& body) {
  // Replace, not throw, on bytes that are not UTF-8 (a request path echoed in an error).
  return http::Response::Json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

http::Response ErrorFor(const Status& s) {
  int code = 500;
  std::string reason = "INTERNAL_ERROR";
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      code = 400;
      reason = "BAD_REQUEST";
      break;
    case StatusCode::kNotFound:
      code = 404;
      reason = "NOT_FOUND";
      break;
    case StatusCode::kAlreadyExists:
      code = 409;
      reason = "CONFLICT";
      break;
    case StatusCode::kPermissionDenied:
      code = 403;
      reason = "FORBIDDEN";
      break;
    case StatusCode::kCorruption:
      code = 502;
      reason = "BAD_CONTENT";
      break;
    case StatusCode::kUnavailable:
      code = 503;
      reason =
          s.message().rfind("daemon unavailable", 0) == 0 ? "DAEMON_UNAVAILABLE" : "UNAVAILABLE";
      break;
    case StatusCode::kUnsupported:
      code = 501;
      reason = "NOT_IMPLEMENTED";
      break;
    default:
      break;
  }
  return JsonAnswer(code, json{{"error", {{"reason", reason}, {"details", s.message()}}}});
}

namespace {

Result<int64_t> QueryInt(const http::Request& r, std::string_view name, int64_t fallback,
                         int64_t min, int64_t max) {
  auto v = r.Query(name);
  if (!v) return fallback;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n < min || n > max) {
    return Status::InvalidArgument("query parameter '" + std::string(name) +
                                   "' must be an integer in [" + std::to_string(min) + ", " +
                                   std::to_string(max) + "]");
  }
  return n;
}

http::Response Answer(Result<json> r, int ok_status = 200) {
  if (!r.ok()) return ErrorFor(r.status());
  return JsonAnswer(ok_status, *r);
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

struct RestApi::Impl {
  ServerContext& ctx;
  WorkerPool pool;
  Impl(ServerContext& c, int threads) : ctx(c), pool(threads, kMaxQueued) {}
  static constexpr size_t kMaxQueued = 1024;

  http::Response Health() {
    json out{{"status", "ok"}, {"server", "ipfs-kit mcp"}, {"repo", ctx.repo_path}};
    auto d = ctx.management->DaemonStatus();
    if (d.ok()) {
      out["daemon"] = {{"available", true}, {"api", (*d)["api"]}};
    } else {
      out["daemon"] = {{"available", false}, {"error", d.status().message()}};
    }
    auto reader = routing::RouteReader::Open(ctx.index_dir);
    if (reader.ok()) {
      out["index"] = {{"available", true}, {"generation", (*reader)->generation()}};
    } else {
      out["index"] = {{"available", false}, {"error", reader.status().message()}};
    }
    return JsonAnswer(200, out);
  }

  // The daemon's health view; with the daemon down, what the routing index
  // last published about each backend.
  http::Response BackendsHealth() {
    auto h = ctx.management->BackendsHealth();
    if (h.ok()) {
      json out = *h;
      out["source"] = "daemon";
      return JsonAnswer(200, out);
    }
    if (h.status().code() != StatusCode::kUnavailable) return ErrorFor(h.status());
    json out{{"error", {{"reason", "DAEMON_UNAVAILABLE"}, {"details", h.status().message()}}},
             {"source", "index"},
             {"backends", json::array()}};
    auto stats = ops::RouteStatsJson(ctx.index_dir);
    if (stats.ok()) {
      out["backends"] = (*stats)["backends"];
      out["generation"] = (*stats)["generation"];
    }
    return JsonAnswer(503, out);
  }

  // Streams a file's bytes from a worker thread.
  void Cat(const http::Request& r, http::Responder respond) {
    std::string path = r.path.substr(std::string("/api/ipfs/cat/").size());
    auto offset = QueryInt(r, "offset", 0, 0, INT64_MAX);
    auto length = QueryInt(r, "length", -1, 0, INT64_MAX);
    if (!offset.ok()) return respond(ErrorFor(offset.status()));
    if (!length.ok()) return respond(ErrorFor(length.status()));
    // One resolve (one routed store) serves the type check and the bytes.
    auto resolved = ctx.content->Resolve(path);
    if (!resolved.ok()) return respond(ErrorFor(resolved.status()));
    auto stat = ctx.content->Stat(*resolved);
    if (!stat.ok()) return respond(ErrorFor(stat.status()));
    std::string type = stat->value("type", "");
    if (type != "file" && type != "raw") {
      return respond(ErrorFor(Status::InvalidArgument(path + " is a " + type + ", not a file")));
    }
    auto stream = std::make_shared<http::BodyStream>();
    http::Response resp;
    resp.Set("Content-Type", "application/octet-stream");
    resp.Set("X-Ipfs-Path", "/ipfs/" + path);
    resp.stream = stream;
    respond(std::move(resp));
    std::optional<uint64_t> len;
    if (*length >= 0) len = static_cast<uint64_t>(*length);
    Status s = ctx.content->Cat(*resolved, static_cast<uint64_t>(*offset), len, [&](ByteView b) {
      if (!stream->Write(std::string(AsString(b)))) return Status::IOError("client gone");
      return Status::Ok();
    });
    if (s.ok()) {
      stream->Close();
    } else {
      stream->Abort();
    }
  }

  http::Response Add(const http::Request& r) {
    ops::AddOptions o;
    auto pin = r.Query("pin");
    o.pin = !pin || (*pin != "false" && *pin != "0");
    if (auto n = r.Query("name")) o.pin_name = std::string(*n);
    if (auto c = r.Query("chunker")) o.chunker = std::string(*c);
    auto v = QueryInt(r, "cid_version", 1, 0, 1);
    if (!v.ok()) return ErrorFor(v.status());
    o.cid_version = static_cast<int>(*v);
    auto added = ctx.content->AddBytes(AsBytes(r.body), o);
    if (!added.ok()) return ErrorFor(added.status());
    return JsonAnswer(200, added->ToJson());
  }

  http::Response PinAdd(const http::Request& r) {
    json body = json::parse(r.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("cid") ||
        !body["cid"].is_string()) {
      return ErrorFor(Status::InvalidArgument("body must be a JSON object with a string \"cid\""));
    }
    ops::PinRequest p;
    p.cid = body["cid"].get<std::string>();
    if (body.contains("name") && body["name"].is_string()) p.name = body["name"];
    if (body.contains("replication_min") && body["replication_min"].is_number_integer())
      p.replication_min = body["replication_min"];
    if (body.contains("replication_max") && body["replication_max"].is_number_integer())
      p.replication_max = body["replication_max"];
    return Answer(ctx.management->PinAdd(p), 202);
  }

  // Everything the dashboard shows, in one answer that is always 200: each
  // part says where it came from or why it is missing.
  http::Response Overview() {
    json out{{"time_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count()}};
    auto d = ctx.management->DaemonStatus();
    const bool up = d.ok();
    if (up) {
      out["daemon"] = *d;
    } else {
      out["daemon"] = {{"available", false}, {"error", d.status().message()}};
    }
    auto stats = ops::RouteStatsJson(ctx.index_dir);
    if (stats.ok()) {
      out["routing"] = *stats;
    } else {
      out["routing"] = {{"error", stats.status().message()}, {"backends", json::array()}};
    }
    json backends{{"source", up ? "daemon" : "index"}, {"list", json::array()}};
    if (up) {
      auto h = ctx.management->BackendsHealth();
      if (h.ok()) backends["list"] = (*h)["backends"];
    } else {
      backends["list"] = out["routing"]["backends"];
    }
    out["backends"] = std::move(backends);
    if (up) {
      auto pins = ctx.management->PinLs("limit=20");
      if (pins.ok()) out["pins"] = *pins;
      auto logs = ctx.management->Logs(40, "");
      if (logs.ok()) out["logs"] = (*logs)["lines"];
    }
    if (vfs_status) {
      auto v = vfs_status();
      out["vfs"] = v.ok() ? *v : json{{"error", v.status().message()}};
    }
    return JsonAnswer(200, out);
  }

  std::function<Result<json>()> vfs_status;

  // Runs on a worker: answers everything but cat (which streams).
  http::Response Dispatch(const http::Request& r) {
    const std::string& p = r.path;
    const bool get = r.method == "GET" || r.method == "HEAD";
    if (p == "/api/health" && get) return Health();
    if (p == "/api/overview" && get) return Overview();
    if (p == "/api/daemon/status" && get) {
      auto d = ctx.management->DaemonStatus();
      if (!d.ok() && d.status().code() == StatusCode::kUnavailable) {
        return JsonAnswer(
            503,
            json{{"available", false},
                 {"error", {{"reason", "DAEMON_UNAVAILABLE"}, {"details", d.status().message()}}}});
      }
      return Answer(std::move(d));
    }
    if (p == "/api/backends" && get) return Answer(ctx.management->Backends());
    if (p == "/api/backends/health" && get) return BackendsHealth();
    if (p == "/api/replication" && get) return Answer(ctx.management->Replication());
    if (p == "/api/logs" && get) {
      auto lines = QueryInt(r, "lines", 100, 1, 10000);
      if (!lines.ok()) return ErrorFor(lines.status());
      std::string level(r.Query("level").value_or(""));
      return Answer(ctx.management->Logs(static_cast<int>(*lines), level));
    }
    if (p == "/api/pins" && get) {
      std::string q;
      for (const auto& [k, v] : r.query) {
        if (k != "status" && k != "cid" && k != "name" && k != "limit" && k != "match") continue;
        q += (q.empty() ? "" : "&") + k + "=" + http::PercentEncode(v);
      }
      return Answer(ctx.management->PinLs(q));
    }
    if (p == "/api/pins" && r.method == "POST") return PinAdd(r);
    if (StartsWith(p, "/api/routing/backends/") && get) {
      return Answer(ops::RouteLookupJson(ctx.index_dir,
                                         p.substr(std::string("/api/routing/backends/").size())));
    }
    if (p == "/api/routing/suggest" && get) {
      auto size = QueryInt(r, "size", 0, 0, INT64_MAX);
      auto n = QueryInt(r, "n", 3, 1, 1000);
      if (!size.ok()) return ErrorFor(size.status());
      if (!n.ok()) return ErrorFor(n.status());
      auto arr = ops::RouteSuggestJson(ctx.index_dir, *size, static_cast<size_t>(*n));
      if (!arr.ok()) return ErrorFor(arr.status());
      return JsonAnswer(200, json{{"backends", *arr}});
    }
    if (p == "/api/routing/stats" && get) return Answer(ops::RouteStatsJson(ctx.index_dir));
    if (p == "/api/ipfs/add" && r.method == "POST") return Add(r);
    static const char* kKnown[] = {
        "/api/health",          "/api/overview",      "/api/daemon/status", "/api/backends",
        "/api/backends/health", "/api/replication",   "/api/logs",          "/api/pins",
        "/api/routing/suggest", "/api/routing/stats", "/api/ipfs/add"};
    for (const char* k : kKnown) {
      if (p == k) {
        return JsonAnswer(405,
                          json{{"error",
                                {{"reason", "METHOD_NOT_ALLOWED"},
                                 {"details", "method " + r.method + " is not allowed on " + p}}}})
            .Set("Allow", p == std::string("/api/ipfs/add") ? "POST"
                          : p == std::string("/api/pins")   ? "GET, POST"
                                                            : "GET");
      }
    }
    return ErrorFor(Status::NotFound("no such endpoint: " + p.substr(0, 200)));
  }
};

RestApi::RestApi(ServerContext& ctx, int worker_threads)
    : impl_(std::make_unique<Impl>(ctx, worker_threads)) {}
RestApi::~RestApi() { impl_->pool.Stop(WorkerPool::Queued::kCancel); }

void RestApi::SetVfsStatus(std::function<Result<nlohmann::json>()> status) {
  impl_->vfs_status = std::move(status);
}

void RestApi::Handle(http::Request request, http::Responder respond) {
  Impl* impl = impl_.get();
  auto req = std::make_shared<http::Request>(std::move(request));
  auto shared = std::make_shared<http::Responder>(std::move(respond));
  bool taken = impl->pool.Submit([impl, req, shared](bool run) {
    if (!run) {
      (*shared)(ErrorFor(Status::Unavailable("the server is stopping")));
      return;
    }
    if (req->path.rfind("/api/ipfs/cat/", 0) == 0 &&
        (req->method == "GET" || req->method == "HEAD")) {
      impl->Cat(*req, std::move(*shared));
      return;
    }
    (*shared)(impl->Dispatch(*req));
  });
  if (!taken) (*shared)(ErrorFor(Status::Unavailable("busy: too many requests queued")));
}

}  // namespace ipfs_kit::mcp_server
