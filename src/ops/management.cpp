#include "ipfs_kit/ops/management.h"

#include "ipfs_kit/http/message.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::ops {

using nlohmann::json;

namespace {

bool LooksLikeCid(const std::string& id) { return multiformats::Cid::Parse(id).ok(); }

// Request ids are the daemon's own (UUID-like); anything else is refused
// here rather than pasted into a URL.
Status CheckRequestId(const std::string& id) {
  if (id.empty() || id.size() > 128) return Status::InvalidArgument("bad pin request id");
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return Status::InvalidArgument("bad pin request id '" + id.substr(0, 64) + "'");
  }
  return Status::Ok();
}

}  // namespace

Result<client::DaemonClient> Management::Client() const {
  client::ClientOptions o;
  o.retries = 0;
  o.timeout_ms = 10000;
  o.connect_timeout_ms = 1000;
  return client::DaemonClient::ForRepo(repo_path_, o);
}

Result<json> Management::DaemonStatus() const {
  ASSIGN_OR_RETURN(auto c, Client());
  ASSIGN_OR_RETURN(json health, c.Get("/health"));
  json out{{"available", true}, {"api", c.base_url()}, {"health", std::move(health)}};
  auto repl = c.Get("/replication");
  if (repl.ok()) out["replication"] = std::move(*repl);
  return out;
}

Result<json> Management::Backends() const {
  ASSIGN_OR_RETURN(auto c, Client());
  return c.Get("/backends");
}

Result<json> Management::BackendsHealth() const {
  ASSIGN_OR_RETURN(auto c, Client());
  return c.Get("/backends/health");
}

Result<json> Management::Replication() const {
  ASSIGN_OR_RETURN(auto c, Client());
  return c.Get("/replication");
}

Result<json> Management::Logs(int lines, const std::string& level) const {
  ASSIGN_OR_RETURN(auto c, Client());
  std::string q = "/logs?lines=" + std::to_string(lines);
  if (!level.empty()) q += "&level=" + http::PercentEncode(level);
  return c.Get(q);
}

Result<json> Management::PinAdd(const PinRequest& r) const {
  ASSIGN_OR_RETURN(auto cid, multiformats::Cid::Parse(r.cid));
  ASSIGN_OR_RETURN(auto c, Client());
  return c.AddPin(cid.ToV1().ToString(), r.name, r.replication_min, r.replication_max, r.backends);
}

Result<json> Management::PinRm(const std::string& id) const {
  ASSIGN_OR_RETURN(auto c, Client());
  json removed = json::array();
  if (LooksLikeCid(id)) {
    ASSIGN_OR_RETURN(auto cid, multiformats::Cid::Parse(id));
    ASSIGN_OR_RETURN(json list, c.Get("/pins?limit=1000&cid=" + cid.ToV1().ToString()));
    for (const auto& p : list.value("results", json::array())) {
      std::string rid = p.value("requestid", "");
      if (rid.empty()) continue;
      RETURN_IF_ERROR(c.Send("DELETE", "/pins/" + rid, json()).status());
      removed.push_back(rid);
    }
    if (removed.empty()) return Status::NotFound("no pin request for " + id);
  } else {
    RETURN_IF_ERROR(CheckRequestId(id));
    RETURN_IF_ERROR(c.Send("DELETE", "/pins/" + id, json()).status());
    removed.push_back(id);
  }
  return json{{"removed", std::move(removed)}};
}

Result<json> Management::PinLs(const std::string& query) const {
  ASSIGN_OR_RETURN(auto c, Client());
  return c.Get(query.empty() ? "/pins" : "/pins?" + query);
}

Result<json> Management::PinStatus(const std::string& id) const {
  ASSIGN_OR_RETURN(auto c, Client());
  if (LooksLikeCid(id)) {
    ASSIGN_OR_RETURN(auto cid, multiformats::Cid::Parse(id));
    std::string v1 = cid.ToV1().ToString();
    ASSIGN_OR_RETURN(json list, c.Get("/pins?limit=1000&cid=" + v1));
    json results = list.value("results", json::array());
    if (results.empty()) return Status::NotFound("no pin request for " + id);
    return json{{"cid", v1}, {"results", std::move(results)}};
  }
  RETURN_IF_ERROR(CheckRequestId(id));
  return c.Get("/pins/" + id);
}

}  // namespace ipfs_kit::ops
