// The IPFS Pinning Service API v1.0.0 under /pins (spec:
// https://ipfs.github.io/pinning-services-api-spec/). Every /pins call needs
// the bearer token. Extensions, documented in docs/daemon-api.md:
// `replication_min`, `replication_max` and `backends` in a POST body.
#include <nlohmann/json.hpp>
#include <set>

#include "api.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::daemon {
namespace {

using json = nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json PinStatusJson(const Context& ctx, const state::PinRecord& p) {
  json origins = json::parse(p.origins_json, nullptr, false);
  json meta = json::parse(p.meta_json, nullptr, false);
  json pin = {{"cid", p.cid}};
  if (!p.name.empty()) pin["name"] = p.name;
  if (origins.is_array() && !origins.empty()) pin["origins"] = origins;
  if (meta.is_object() && !meta.empty()) pin["meta"] = meta;
  json info = {{"replication_min", std::to_string(p.replication_min)},
               {"replication_max", std::to_string(p.replication_max)}};
  json backends = json::parse(p.backends_json, nullptr, false);
  if (backends.is_array() && !backends.empty()) info["backends"] = Dump(backends);
  // delegates: where the content can be fetched from: this daemon's HTTP
  // endpoint as a multiaddr (it serves blocks at /ipfs/{cid}?format=raw).
  std::string host = "127.0.0.1", port = "8887";
  std::string o = ctx.origin;
  if (auto p1 = o.find("://"); p1 != std::string::npos) o = o.substr(p1 + 3);
  if (auto c = o.rfind(':'); c != std::string::npos) {
    host = o.substr(0, c);
    port = o.substr(c + 1);
  }
  return {{"requestid", p.request_id},
          {"status", p.status},
          {"created", FormatTime(p.created_ms)},
          {"pin", pin},
          {"delegates", json::array({"/ip4/" + host + "/tcp/" + port + "/http"})},
          {"info", info}};
}

}  // namespace

Result<state::PinRecord> ParsePinRequest(
    std::string_view body, const PinDefaults& defaults,
    const std::function<bool(const std::string&)>& backend_exists) {
  json j = json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded()) return Status::InvalidArgument("the body is not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("the body must be a JSON object (a Pin)");
  static const std::set<std::string> known = {
      "cid", "name", "origins", "meta", "replication_min", "replication_max", "backends"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!known.count(it.key()))
      return Status::InvalidArgument("unknown field \"" + it.key() + "\"");
  }
  state::PinRecord p;
  p.replication_min = defaults.replication_min;
  p.replication_max = defaults.replication_max;
  if (!j.contains("cid") || !j["cid"].is_string())
    return Status::InvalidArgument("cid: required, a string");
  std::string cid_text = j["cid"].get<std::string>();
  auto cid = multiformats::Cid::Parse(cid_text);
  if (!cid.ok())
    return Status::InvalidArgument("cid: invalid CID \"" + cid_text +
                                   "\": " + cid.status().message());
  // One text per content: CIDs are kept as CIDv1 base32 (the routing
  // index and every location use that key), whatever form was sent.
  p.cid = cid->ToV1().ToString();
  if (j.contains("name")) {
    if (!j["name"].is_string()) return Status::InvalidArgument("name: must be a string");
    p.name = j["name"].get<std::string>();
    if (p.name.size() > 255) return Status::InvalidArgument("name: longer than 255 characters");
  }
  if (j.contains("origins")) {
    const json& o = j["origins"];
    if (!o.is_array()) return Status::InvalidArgument("origins: must be an array of strings");
    if (o.size() > 20) return Status::InvalidArgument("origins: at most 20");
    for (const auto& x : o) {
      if (!x.is_string() || x.get<std::string>().empty()) {
        return Status::InvalidArgument("origins: must be an array of non-empty strings");
      }
    }
    p.origins_json = Dump(o);
  }
  if (j.contains("meta")) {
    const json& m = j["meta"];
    if (!m.is_object()) return Status::InvalidArgument("meta: must be an object of strings");
    if (m.size() > 1000) return Status::InvalidArgument("meta: at most 1000 keys");
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (!it->is_string())
        return Status::InvalidArgument("meta." + it.key() + ": must be a string");
    }
    p.meta_json = Dump(m);
  }
  auto int_field = [&](const char* k, int* out) -> Status {
    if (!j.contains(k)) return Status::Ok();
    if (!j[k].is_number_integer() || j[k].get<int64_t>() < 0 || j[k].get<int64_t>() > 1000) {
      return Status::InvalidArgument(std::string(k) + ": must be an integer from 0 to 1000");
    }
    *out = j[k].get<int>();
    return Status::Ok();
  };
  RETURN_IF_ERROR(int_field("replication_min", &p.replication_min));
  RETURN_IF_ERROR(int_field("replication_max", &p.replication_max));
  if (j.contains("replication_min") && !j.contains("replication_max") &&
      p.replication_max < p.replication_min) {
    p.replication_max = p.replication_min;
  }
  if (p.replication_max < p.replication_min) {
    return Status::InvalidArgument("replication_max: must be >= replication_min");
  }
  if (p.replication_min < 1) return Status::InvalidArgument("replication_min: must be at least 1");
  if (j.contains("backends")) {
    const json& b = j["backends"];
    if (!b.is_array())
      return Status::InvalidArgument("backends: must be an array of backend names");
    for (const auto& x : b) {
      if (!x.is_string())
        return Status::InvalidArgument("backends: must be an array of backend names");
      std::string n = x.get<std::string>();
      if (n.rfind("tag:", 0) != 0 && !backend_exists(n)) {
        return Status::InvalidArgument("backends: no backend named \"" + n + "\"");
      }
    }
    p.backends_json = Dump(b);
  }
  p.source = "api";
  return p;
}

namespace {

// Validates a Pin object (POST body) with this daemon's defaults and backends.
Result<state::PinRecord> ParsePinBody(Context& ctx, const std::string& body) {
  PinDefaults d;
  {
    std::lock_guard<std::mutex> lock(ctx.config_mu);
    d.replication_min = ctx.config.replication.min;
    d.replication_max = ctx.config.replication.max;
  }
  return ParsePinRequest(
      body, d, [&ctx](const std::string& n) { return ctx.registry->View(n).has_value(); });
}

http::Response ListPins(Context& ctx, const http::Request& req) {
  state::PinQuery q;
  q.statuses = {"pinned"};  // the spec's default
  std::set<std::string> allowed = {"cid",    "name",  "match", "status",
                                   "before", "after", "limit", "meta"};
  for (const auto& [k, v] : req.query) {
    if (!allowed.count(k))
      return ApiError(400, "BAD_REQUEST", "unknown query parameter \"" + k + "\"");
  }
  auto split = [](std::string_view s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i <= s.size()) {
      size_t j = s.find(',', i);
      if (j == std::string_view::npos) j = s.size();
      if (j > i) out.emplace_back(s.substr(i, j - i));
      i = j + 1;
    }
    return out;
  };
  if (auto v = req.Query("cid")) {
    q.cids = split(*v);
    if (q.cids.empty() || q.cids.size() > 10)
      return ApiError(400, "BAD_REQUEST", "cid: 1 to 10 CIDs, comma-separated");
    for (auto& c : q.cids) {
      auto p = multiformats::Cid::Parse(c);
      if (!p.ok())
        return ApiError(400, "BAD_REQUEST",
                        "cid: invalid CID \"" + c + "\": " + p.status().message());
      c = p->ToV1().ToString();  // stored as CIDv1 base32
    }
  }
  if (auto v = req.Query("name")) {
    q.name = std::string(*v);
    if (q.name.size() > 255)
      return ApiError(400, "BAD_REQUEST", "name: longer than 255 characters");
  }
  if (auto v = req.Query("match")) {
    q.match = std::string(*v);
    if (q.match != "exact" && q.match != "iexact" && q.match != "partial" &&
        q.match != "ipartial") {
      return ApiError(400, "BAD_REQUEST", "match: must be exact, iexact, partial or ipartial");
    }
  }
  if (auto v = req.Query("status")) {
    q.statuses = split(*v);
    for (const auto& s : q.statuses) {
      if (s != "queued" && s != "pinning" && s != "pinned" && s != "failed") {
        return ApiError(400, "BAD_REQUEST",
                        "status: \"" + s + "\" is not queued, pinning, pinned or failed");
      }
    }
    if (q.statuses.empty()) return ApiError(400, "BAD_REQUEST", "status: empty");
  }
  for (const char* k : {"before", "after"}) {
    if (auto v = req.Query(k)) {
      auto t = ParseTime(std::string(*v));
      if (!t)
        return ApiError(
            400, "BAD_REQUEST",
            std::string(k) + ": not an RFC 3339 timestamp: \"" + std::string(*v) + "\"");
      (std::string(k) == "before" ? q.before_ms : q.after_ms) = *t;
    }
  }
  if (auto v = req.Query("limit")) {
    std::string s(*v);
    char* end = nullptr;
    long n = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end || n < 1 || n > 1000) {
      return ApiError(400, "BAD_REQUEST", "limit: must be an integer from 1 to 1000");
    }
    q.limit = static_cast<int>(n);
  }
  if (auto v = req.Query("meta")) {
    json m = json::parse(std::string(*v), nullptr, false);
    if (!m.is_object())
      return ApiError(400, "BAD_REQUEST", "meta: must be a JSON object of strings");
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (!it->is_string())
        return ApiError(400, "BAD_REQUEST", "meta." + it.key() + ": must be a string");
      q.meta.emplace_back(it.key(), it->get<std::string>());
    }
  }
  auto page = ctx.store->ListPins(q);
  if (!page.ok()) return ApiError(500, "INTERNAL_SERVER_ERROR", page.status().ToString());
  json results = json::array();
  for (const auto& p : page->results) results.push_back(PinStatusJson(ctx, p));
  return http::Response::Json(200, Dump({{"count", page->count}, {"results", results}}) + "\n");
}

}  // namespace

void HandlePins(Context& ctx, http::Request req, http::Responder respond) {
  if (!Authorized(ctx, req)) {
    respond(ApiError(401, "UNAUTHORIZED",
                     "a valid bearer token is required (Authorization: Bearer ...)"));
    return;
  }
  const std::string& m = req.method;
  std::string id = req.path.size() > 6 ? req.path.substr(6) : "";
  if (id.find('/') != std::string::npos) {
    respond(ApiError(404, "NOT_FOUND", "no such endpoint: " + req.path));
    return;
  }
  if (id.empty()) {
    if (m == "GET" || m == "HEAD") {
      respond(ListPins(ctx, req));
      return;
    }
    if (m == "POST") {
      auto pin = ParsePinBody(ctx, req.body);
      if (!pin.ok()) {
        respond(ApiError(400, "BAD_REQUEST", pin.status().message()));
        return;
      }
      // Durable before the 202: answered after the group commit.
      Context* c = &ctx;
      ctx.pins->Submit({*pin}, [c, respond](Result<std::vector<state::PinRecord>> r) {
        if (!r.ok()) {
          respond(ApiError(500, "INTERNAL_SERVER_ERROR",
                           "the pin could not be stored: " + r.status().ToString()));
          return;
        }
        respond(http::Response::Json(202, Dump(PinStatusJson(*c, (*r)[0])) + "\n"));
      });
      return;
    }
    respond(ApiError(405, "METHOD_NOT_ALLOWED", m + " is not allowed on /pins"));
    return;
  }
  if (m == "GET" || m == "HEAD") {
    auto p = ctx.store->GetPin(id);
    if (!p.ok()) {
      respond(ApiError(500, "INTERNAL_SERVER_ERROR", p.status().ToString()));
    } else if (!*p) {
      respond(ApiError(404, "NOT_FOUND", "no pin request " + id));
    } else {
      respond(http::Response::Json(200, Dump(PinStatusJson(ctx, **p)) + "\n"));
    }
    return;
  }
  if (m == "POST") {  // replace
    auto pin = ParsePinBody(ctx, req.body);
    if (!pin.ok()) {
      respond(ApiError(400, "BAD_REQUEST", pin.status().message()));
      return;
    }
    auto r = ctx.store->ReplacePin(id, *pin);
    if (r.status().code() == StatusCode::kNotFound) {
      respond(ApiError(404, "NOT_FOUND", "no pin request " + id));
    } else if (!r.ok()) {
      respond(ApiError(500, "INTERNAL_SERVER_ERROR", r.status().ToString()));
    } else {
      ctx.replicator->Wake();
      ctx.index->MarkDirty();
      respond(http::Response::Json(202, Dump(PinStatusJson(ctx, *r)) + "\n"));
    }
    return;
  }
  if (m == "DELETE") {
    Status s = ctx.store->DeletePin(id);
    if (s.code() == StatusCode::kNotFound) {
      respond(ApiError(404, "NOT_FOUND", "no pin request " + id));
    } else if (!s.ok()) {
      respond(ApiError(500, "INTERNAL_SERVER_ERROR", s.ToString()));
    } else {
      ctx.replicator->Wake();
      ctx.index->MarkDirty();
      http::Response r;
      r.status = 202;
      respond(std::move(r));
    }
    return;
  }
  respond(ApiError(405, "METHOD_NOT_ALLOWED", m + " is not allowed on /pins/{requestid}"));
}

}  // namespace ipfs_kit::daemon
