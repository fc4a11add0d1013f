#include "api.h"

#include <nlohmann/json.hpp>

#include "ipfs_kit/backends/backend_config.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::daemon {
namespace {

using json = nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

http::Response JsonOk(const json& j, int status = 200) {
  return http::Response::Json(status, Dump(j) + "\n");
}

json HealthJson(const BackendView& v) {
  const auto& h = v.health;
  json j = {{"name", v.config.name},
            {"type", v.config.type},
            {"state", h.state},
            {"latency_ms_p50", h.latency_p50_ms},
            {"latency_ms_p99", h.latency_p99_ms},
            {"error_rate", h.error_rate},
            {"since", FormatTime(h.since_ms)},
            {"checked_at", h.checked_ms ? json(FormatTime(h.checked_ms)) : json(nullptr)}};
  j["reason"] = h.reason.empty() ? json(nullptr) : json(h.reason);
  j["bytes_used"] = h.bytes_used >= 0 ? json(h.bytes_used) : json(nullptr);
  j["bytes_free"] = h.bytes_free >= 0 ? json(h.bytes_free) : json(nullptr);
  j["pin_count"] = h.pin_count >= 0 ? json(h.pin_count) : json(nullptr);
  if (!h.detail.empty()) j["detail"] = h.detail;
  return j;
}

json BackendJson(const BackendView& v) {
  json j = json::parse(backends::BackendConfigToJson(v.config, true));
  j["source"] = v.from_api ? "api" : "config";
  j["capabilities"] = {{"read_only", v.caps.read_only},
                       {"stores_blocks", v.caps.stores_blocks},
                       {"fetches_itself", v.caps.fetches_itself},
                       {"async_pins", v.caps.async_pins}};
  j["health"] = HealthJson(v);
  return j;
}

// lines / level / since of GET /logs and GET /backends/{name}/logs.
http::Response Logs(Context& ctx, const http::Request& req, const std::string& backend) {
  size_t lines = 100;
  LogLevel level = LogLevel::kDebug;
  int64_t since = 0;
  if (auto v = req.Query("lines")) {
    char* end = nullptr;
    std::string s(*v);
    long n = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end || n < 1 || n > 10000) {
      return ApiError(400, "BAD_REQUEST",
                      "lines must be an integer from 1 to 10000, got \"" + s + "\"");
    }
    lines = static_cast<size_t>(n);
  }
  if (auto v = req.Query("level")) {
    if (!ParseLogLevel(std::string(*v), &level)) {
      return ApiError(400, "BAD_REQUEST", "level must be debug, info, warn or error");
    }
  }
  if (auto v = req.Query("since")) {
    auto t = ParseTime(std::string(*v));
    if (!t)
      return ApiError(400, "BAD_REQUEST",
                      "since must be an RFC 3339 timestamp, got \"" + std::string(*v) + "\"");
    since = *t;
  }
  json out = json::array();
  for (const auto& e : ctx.log->Tail(lines, level, since, backend)) {
    json j = json::parse(e.ToJson());
    j["time"] = FormatTime(e.ts_ms);
    out.push_back(j);
  }
  return JsonOk({{"lines", out}});
}

std::string Label(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

http::Response Metrics(Context& ctx) {
  std::string m;
  auto gauge = [&](const std::string& name, const std::string& help, const std::string& type) {
    m += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  auto counts = ctx.store->GetCounts();
  if (counts.ok()) {
    gauge("ipfs_kit_pin_requests", "Pin requests stored.", "gauge");
    m += "ipfs_kit_pin_requests " + std::to_string(counts->pins) + "\n";
    gauge("ipfs_kit_cids", "Pinned CIDs by status.", "gauge");
    for (auto [st, n] : {std::pair<const char*, int64_t>{"queued", counts->queued},
                         {"pinning", counts->pinning},
                         {"pinned", counts->pinned},
                         {"failed", counts->failed}}) {
      m += std::string("ipfs_kit_cids{status=\"") + st + "\"} " + std::to_string(n) + "\n";
    }
    gauge("ipfs_kit_locations", "Locations (CID on a backend), any state.", "gauge");
    m += "ipfs_kit_locations " + std::to_string(counts->locations) + "\n";
    gauge("ipfs_kit_under_replicated", "CIDs with fewer pinned locations than replication_min.",
          "gauge");
    m += "ipfs_kit_under_replicated " + std::to_string(counts->under_replicated) + "\n";
  }
  auto views = ctx.registry->List();
  gauge("ipfs_kit_backend_up", "1 when the backend is healthy or degraded.", "gauge");
  for (const auto& v : views) {
    bool up = v.health.state == "healthy" || v.health.state == "degraded";
    m += "ipfs_kit_backend_up{backend=\"" + Label(v.config.name) + "\",state=\"" + v.health.state +
         "\"} " + (up ? "1" : "0") + "\n";
  }
  gauge("ipfs_kit_backend_latency_ms", "Probe latency.", "gauge");
  for (const auto& v : views) {
    m += "ipfs_kit_backend_latency_ms{backend=\"" + Label(v.config.name) + "\",quantile=\"0.5\"} " +
         std::to_string(v.health.latency_p50_ms) + "\n";
    m += "ipfs_kit_backend_latency_ms{backend=\"" + Label(v.config.name) +
         "\",quantile=\"0.99\"} " + std::to_string(v.health.latency_p99_ms) + "\n";
  }
  gauge("ipfs_kit_backend_error_rate", "Failed probes and operations over the recent window.",
        "gauge");
  for (const auto& v : views) {
    m += "ipfs_kit_backend_error_rate{backend=\"" + Label(v.config.name) + "\"} " +
         std::to_string(v.health.error_rate) + "\n";
  }
  auto r = ctx.replicator->GetStatus();
  gauge("ipfs_kit_replication_queue_depth", "Replication jobs waiting for a worker.", "gauge");
  m += "ipfs_kit_replication_queue_depth " + std::to_string(r.queue_depth) + "\n";
  gauge("ipfs_kit_replication_jobs_total", "Replication jobs finished, by result.", "counter");
  m += "ipfs_kit_replication_jobs_total{result=\"ok\"} " + std::to_string(r.jobs_done) + "\n";
  m += "ipfs_kit_replication_jobs_total{result=\"failed\"} " + std::to_string(r.jobs_failed) + "\n";
  gauge("ipfs_kit_replication_bytes_total", "Bytes copied between backends.", "counter");
  m += "ipfs_kit_replication_bytes_total " + std::to_string(r.bytes_copied) + "\n";
  gauge("ipfs_kit_verify_blocks_total", "Blocks re-hashed by the verify loop, and repaired.",
        "counter");
  m += "ipfs_kit_verify_blocks_total{result=\"checked\"} " + std::to_string(r.blocks_verified) +
       "\n";
  m += "ipfs_kit_verify_blocks_total{result=\"repaired\"} " + std::to_string(r.blocks_repaired) +
       "\n";
  gauge("ipfs_kit_index_generation", "Generation of the published routing index.", "gauge");
  m += "ipfs_kit_index_generation " + std::to_string(ctx.index->generation()) + "\n";
  gauge("ipfs_kit_http_requests_total", "HTTP requests answered.", "counter");
  m += "ipfs_kit_http_requests_total " + std::to_string(ctx.http_requests.load()) + "\n";
  http::Response resp;
  resp.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  resp.body = std::move(m);
  return resp;
}

http::Response Replication(Context& ctx) {
  auto r = ctx.replicator->GetStatus();
  json running = json::array();
  for (const auto& [cid, backend] : r.running)
    running.push_back({{"cid", cid}, {"backend", backend}});
  json failed = json::array();
  if (auto f = ctx.store->LocationsInState("failed", 100); f.ok()) {
    for (const auto& l : *f) {
      failed.push_back({{"cid", l.cid},
                        {"backend", l.backend},
                        {"attempts", l.attempts},
                        {"error", l.error},
                        {"next_attempt", FormatTime(l.next_attempt_ms)}});
    }
  }
  int64_t under_count = 0;
  auto counts = ctx.store->GetCounts();
  if (counts.ok()) under_count = counts->under_replicated;
  return JsonOk({{"queue_depth", r.queue_depth},
                 {"running", running},
                 {"failed", failed},
                 {"under_replicated", under_count},
                 {"cids", counts.ok() ? json{{"queued", counts->queued},
                                             {"pinning", counts->pinning},
                                             {"pinned", counts->pinned},
                                             {"failed", counts->failed}}
                                      : json(nullptr)},
                 {"totals",
                  {{"jobs_done", r.jobs_done},
                   {"jobs_failed", r.jobs_failed},
                   {"blocks_copied", r.blocks_copied},
                   {"bytes_copied", r.bytes_copied},
                   {"blocks_verified", r.blocks_verified},
                   {"blocks_repaired", r.blocks_repaired}}}});
}

http::Response AddBackend(Context& ctx, const http::Request& req, const std::string& name) {
  auto cfg = backends::ParseBackendConfig(req.body, "backend");
  if (!cfg.ok()) return ApiError(400, "BAD_REQUEST", cfg.status().message());
  if (cfg->name != name)
    return ApiError(400, "BAD_REQUEST", "backend.name \"" + cfg->name + "\" differs from the path");
  Status s = ctx.registry->AddApiBackend(*cfg, ctx.repo_path);
  if (s.code() == StatusCode::kAlreadyExists) return ApiError(409, "CONFLICT", s.message());
  if (!s.ok()) return ApiError(400, "BAD_REQUEST", s.message());
  s = ctx.store->PutBackend({cfg->name, backends::BackendConfigToJson(*cfg, false), 0});
  if (!s.ok()) {
    (void)ctx.registry->Remove(cfg->name);
    return ApiError(500, "INTERNAL_SERVER_ERROR", s.ToString());
  }
  ctx.log->Write(LogLevel::kInfo, "api", "backend " + name + " (" + cfg->type + ") added", name);
  ctx.health->ProbeAll();
  ctx.index->MarkDirty();
  ctx.replicator->Wake();
  auto v = ctx.registry->View(name);
  return v ? JsonOk(BackendJson(*v), 201)
           : ApiError(500, "INTERNAL_SERVER_ERROR", "backend vanished");
}

http::Response RemoveBackend(Context& ctx, const std::string& name) {
  auto v = ctx.registry->View(name);
  if (!v) return ApiError(404, "NOT_FOUND", "no backend named " + name);
  if (!v->from_api) {
    return ApiError(409, "CONFLICT",
                    "backend " + name + " comes from config.json: remove it there (PUT /config)");
  }
  Status s = ctx.store->DeleteBackend(name);
  if (!s.ok() && s.code() != StatusCode::kNotFound)
    return ApiError(500, "INTERNAL_SERVER_ERROR", s.ToString());
  (void)ctx.registry->Remove(name);
  // Its locations no longer count: re-replicate what it held.
  auto cids = ctx.store->CidsOnBackend(name);
  if (cids.ok()) {
    for (const auto& c : *cids) (void)ctx.store->DeleteLocation(c, name);
    (void)ctx.store->MarkDirty(*cids);
  }
  ctx.log->Write(LogLevel::kInfo, "api", "backend " + name + " removed", name);
  ctx.index->MarkDirty();
  ctx.replicator->Wake();
  return http::Response::Json(200, "{}\n");
}

// GET /ipfs/{cid}?format=raw: one verified block from any backend that has it
// (what a pinning service that fetches by itself reads from this daemon).
http::Response Block(Context& ctx, const http::Request& req, const std::string& cid_text) {
  auto cid = multiformats::Cid::Parse(cid_text);
  if (!cid.ok())
    return ApiError(400, "BAD_REQUEST",
                    "invalid CID \"" + cid_text + "\": " + cid.status().message());
  auto format = req.Query("format");
  auto accept = req.Header("accept");
  bool raw = (format && *format == "raw") ||
             (accept && accept->find("application/vnd.ipld.raw") != std::string::npos);
  if (!raw)
    return ApiError(406, "NOT_ACCEPTABLE", "this endpoint serves raw blocks only (?format=raw)");
  for (const auto& v : ctx.registry->List()) {
    if (!v.caps.stores_blocks || v.health.state == "unhealthy") continue;
    auto b = ctx.registry->Get(v.config.name);
    if (!b) continue;
    auto bytes = backends::GetVerified(*b, *cid);
    if (!bytes.ok()) continue;
    http::Response r;
    r.headers.emplace_back("Content-Type", "application/vnd.ipld.raw");
    r.headers.emplace_back("Cache-Control", "public, max-age=29030400, immutable");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Etag", "\"" + cid_text + ".raw\"");
    if (req.method != "HEAD")
      r.body.assign(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    return r;
  }
  return ApiError(404, "NOT_FOUND", "no backend holds block " + cid_text);
}

// GET /routing/{cid}: the routing index's answer (what clients read
// directly), through the daemon — for tools that only speak HTTP.
http::Response Routing(Context& ctx, const std::string& cid_text) {
  auto cid = multiformats::Cid::Parse(cid_text);
  if (!cid.ok())
    return ApiError(400, "BAD_REQUEST",
                    "invalid CID \"" + cid_text + "\": " + cid.status().message());
  routing::RouteReader* reader;
  {
    std::lock_guard<std::mutex> lock(ctx.routes_mu);
    if (!ctx.routes) {
      // A bounded cache: lookups spread over a large index must not keep
      // every decoded row group (1M pins: ~760 MiB) in the daemon.
      auto r = routing::RouteReader::Open(ctx.repo_path + "/index",
                                          routing::RouteReader::Options{200, 64});
      if (!r.ok())
        return ApiError(503, "UNAVAILABLE", "no routing index yet: " + r.status().message());
      ctx.routes = std::move(r).value();
    }
    reader = ctx.routes.get();
  }
  std::string key = cid->ToV1().ToString();
  auto routes = reader->Lookup(key);
  if (!routes.ok()) return ApiError(500, "INTERNAL_SERVER_ERROR", routes.status().ToString());
  json locs = json::array();
  for (const auto& r : *routes) {
    json l = {{"backend", r.location.backend},
              {"state", r.location.state},
              {"size_bytes", r.location.size_bytes}};
    if (r.backend) {
      l["backend_state"] = r.backend->state;
      l["latency_ms_p50"] = r.backend->latency_ms_p50;
    }
    locs.push_back(std::move(l));
  }
  return JsonOk({{"cid", key}, {"generation", reader->generation()}, {"locations", locs}});
}

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

http::Response Route(Context& ctx, const http::Request& req) {
  const std::string& m = req.method;
  auto parts = Split(req.path);
  bool get = m == "GET" || m == "HEAD";
  if (parts.size() == 1 && parts[0] == "health" && get) {
    return http::Response::Json(200, "{\"status\":\"ok\"}\n");
  }
  if (parts.empty() && get) {
    return JsonOk({{"service", "ipfs-kit daemon"}, {"docs", "docs/daemon-api.md"}});
  }
  if (parts[0] == "backends") {
    if (parts.size() == 1 && get) {
      json out = json::array();
      for (const auto& v : ctx.registry->List()) out.push_back(BackendJson(v));
      return JsonOk({{"backends", out}});
    }
    if (parts.size() == 2 && parts[1] == "health" && get) {
      json out = json::array();
      for (const auto& v : ctx.registry->List()) out.push_back(HealthJson(v));
      return JsonOk({{"backends", out}});
    }
    if (parts.size() == 2) {
      const std::string& name = parts[1];
      if (get) {
        auto v = ctx.registry->View(name);
        if (!v) return ApiError(404, "NOT_FOUND", "no backend named " + name);
        json j = BackendJson(*v);
        json history = json::array();
        if (auto h = ctx.store->Health(name, 20); h.ok()) {
          for (const auto& r : *h) {
            history.push_back({{"time", FormatTime(r.at_ms)},
                               {"state", r.state},
                               {"ok", r.ok},
                               {"latency_ms", r.latency_ms},
                               {"reason", r.reason}});
          }
        }
        j["history"] = history;
        return JsonOk(j);
      }
      if (!Authorized(ctx, req))
        return ApiError(401, "UNAUTHORIZED", "a valid bearer token is required");
      if (m == "POST" || m == "PUT") return AddBackend(ctx, req, name);
      if (m == "DELETE") return RemoveBackend(ctx, name);
      return ApiError(405, "METHOD_NOT_ALLOWED", m + " is not allowed on /backends/" + name);
    }
    if (parts.size() == 3 && parts[2] == "logs" && get) {
      if (!ctx.registry->View(parts[1]))
        return ApiError(404, "NOT_FOUND", "no backend named " + parts[1]);
      return Logs(ctx, req, parts[1]);
    }
  }
  if (parts.size() == 1 && parts[0] == "replication" && get) return Replication(ctx);
  if (parts.size() == 1 && parts[0] == "logs" && get) return Logs(ctx, req, "");
  if (parts.size() == 1 && parts[0] == "metrics" && get) return Metrics(ctx);
  if (parts.size() == 1 && parts[0] == "config") {
    if (!Authorized(ctx, req))
      return ApiError(401, "UNAUTHORIZED", "a valid bearer token is required");
    if (get) {
      std::lock_guard<std::mutex> lock(ctx.config_mu);
      return http::Response::Json(200, ConfigToJson(ctx.config));
    }
    if (m == "PUT") {
      auto cfg = ParseConfig(req.body, "config");
      if (!cfg.ok()) return ApiError(400, "BAD_REQUEST", cfg.status().message());
      Status s = ctx.apply_config(*cfg);
      if (!s.ok()) return ApiError(400, "BAD_REQUEST", s.message());
      std::lock_guard<std::mutex> lock(ctx.config_mu);
      return http::Response::Json(200, ConfigToJson(ctx.config));
    }
    return ApiError(405, "METHOD_NOT_ALLOWED", m + " is not allowed on /config");
  }
  if (parts.size() == 2 && parts[0] == "ipfs" && get) return Block(ctx, req, parts[1]);
  if (parts.size() == 2 && parts[0] == "routing" && get) return Routing(ctx, parts[1]);
  if (m != "GET" && m != "HEAD" && m != "POST" && m != "PUT" && m != "DELETE") {
    return ApiError(405, "METHOD_NOT_ALLOWED", m + " is not allowed");
  }
  return ApiError(404, "NOT_FOUND", "no such endpoint: " + m + " " + req.path);
}

}  // namespace

http::Response ApiError(int status, const std::string& reason, const std::string& details) {
  json j = {{"error", {{"reason", reason}, {"details", details}}}};
  http::Response r = http::Response::Json(status, Dump(j) + "\n");
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

bool Authorized(const Context& ctx, const http::Request& req) {
  auto h = req.Header("authorization");
  if (!h || h->size() < 7) return false;
  std::string_view v = *h;
  if (v.substr(0, 7) != "Bearer " && v.substr(0, 7) != "bearer ") return false;
  std::string_view given = v.substr(7);
  // Constant-time comparison: the token is a secret.
  if (given.size() != ctx.token.size() || ctx.token.empty()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ ctx.token[i]);
  return diff == 0;
}

void HandleApi(Context& ctx, http::Request req, http::Responder respond) {
  ctx.http_requests.fetch_add(1, std::memory_order_relaxed);
  if (req.path == "/pins" || req.path.rfind("/pins/", 0) == 0) {
    HandlePins(ctx, std::move(req), std::move(respond));
    return;
  }
  respond(Route(ctx, req));
}

}  // namespace ipfs_kit::daemon
