// ipfs-cluster backend: an IPFS Cluster peer's REST API (default port 9094).
// See docs/backends.md#ipfs-cluster; the answers it reads are recorded in
// tests/data/ipfs-cluster/.
//
// The cluster is one location to ipfs-kit: it spreads each pin over its own
// peers (replication-min/max) and their IPFS daemons fetch the DAG from the
// network, so Pin returns once the pin is in the cluster's shared state and
// PinStatus follows the peers. Status per peer is folded into one state:
// pinned as soon as one allocated peer has it, failed when every allocated
// peer reports an error, otherwise pinning / queued.
//
// Two answer formats exist for the pin listing: 1.0 streams one JSON object
// per line (and 204 when there is none), earlier releases send one JSON
// array whose CIDs are {"/": "..."} objects. Both are read.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backend_factories.h"
#include "ipfs_kit/http/client.h"
#include "ipfs_kit/http/message.h"
#include "ipfs_kit/multiformats/multibase.h"

namespace ipfs_kit::backends {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxAnswer = 16 * 1024 * 1024;
// Bounds one line of the streamed listing, or the whole pre-1.0 array.
constexpr size_t kMaxListing = 256 * 1024 * 1024;

std::string Snippet(std::string_view body) {
  std::string s(body.substr(0, 200));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s.empty() ? "(empty body)" : s;
}

std::string JsonStr(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// A CID as the cluster writes it: "bafy..." (1.0) or {"/": "bafy..."}.
Result<Cid> JsonCid(const json& j) {
  if (j.is_string()) return Cid::Parse(j.get<std::string>());
  if (j.is_object() && j.contains("/") && j["/"].is_string()) {
    return Cid::Parse(j["/"].get<std::string>());
  }
  return Status::Corruption("no CID where one was expected");
}

// Basic credentials: base64 with padding, which the multibase codec leaves out.
std::string BasicAuth(const std::string& user, const std::string& password) {
  std::string b64 =
      multiformats::EncodeBase(multiformats::Multibase::kBase64, AsBytes(user + ":" + password));
  while (b64.size() % 4 != 0) b64.push_back('=');
  return "Basic " + b64;
}

// Folds a GlobalPinInfo's peer_map into one state (see the top).
Result<PinInfo> Aggregate(const json& gpi) {
  if (!gpi.is_object()) return Status::Corruption("pin status is not a JSON object");
  auto map = gpi.find("peer_map");
  if (map == gpi.end() || map->is_null()) return PinInfo{};
  if (!map->is_object()) return Status::Corruption("\"peer_map\" is not an object");
  int pinned = 0, pinning = 0, queued = 0, errors = 0, unpinned = 0;
  std::string reasons;
  for (const auto& [peer, info] : map->items()) {
    std::string status = JsonStr(info, "status");
    if (status == "pinned") {
      ++pinned;
    } else if (status == "pinning") {
      ++pinning;
    } else if (status == "pin_queued" || status == "queued") {
      ++queued;
    } else if (status == "pin_error" || status == "cluster_error" || status == "error" ||
               status == "unexpectedly_unpinned") {
      ++errors;
      std::string name = JsonStr(info, "peername");
      std::string error = JsonStr(info, "error");
      if (!reasons.empty()) reasons += "; ";
      reasons +=
          (name.empty() ? peer : name) + ": " + status + (error.empty() ? "" : " (" + error + ")");
    } else if (status == "remote" || status == "sharded") {
      // Not allocated to this peer (or held through a cluster DAG): no say.
    } else {
      ++unpinned;  // unpinned, unpinning, unpin_queued, unpin_error, undefined, ...
    }
  }
  PinInfo out;
  if (pinned > 0) {
    out.state = PinState::kPinned;
  } else if (pinning > 0) {
    out.state = PinState::kPinning;
  } else if (queued > 0) {
    out.state = PinState::kQueued;
  } else if (unpinned > 0) {
    // Some peers report it unpinned or being unpinned: it is leaving (or
    // never was in) the pinset, whatever the others' errors say.
    out.state = PinState::kAbsent;
  } else if (errors > 0) {
    out.state = PinState::kFailed;
    out.reason = reasons;
  }
  return out;
}

struct ClusterOptions {
  std::string base;  // "http://host:9094", no trailing slash
  std::string token;
  std::string authorization;    // "Basic ..." when username/password are set
  std::string replication_min;  // as given; empty: the cluster's default
  std::string replication_max;
  int timeout_ms = 30000;
  int list_timeout_ms = 3600000;  // the full listing asks every peer about every pin
};

class IpfsClusterBackend final : public Backend {
 public:
  IpfsClusterBackend(BackendConfig config, ClusterOptions options)
      : config_(std::move(config)), o_(std::move(options)) {}

  const BackendConfig& config() const override { return config_; }
  Capabilities capabilities() const override {
    Capabilities c;
    c.stores_blocks = false;
    c.fetches_itself = true;
    c.async_pins = true;
    return c;
  }

  Result<bool> Has(const Cid&) override { return NoBlocks(); }
  Result<Bytes> Get(const Cid&) override { return NoBlocks(); }
  Status Put(const Cid&, ByteView) override { return NoBlocks(); }
  Status Delete(const Cid&) override { return NoBlocks(); }

  Status Pin(const Cid& root, const PinRequest& request) override {
    std::string target = "/pins/" + root.ToString();
    std::vector<std::pair<std::string, std::string>> query;
    if (!request.name.empty()) query.emplace_back("name", request.name);
    if (!o_.replication_min.empty()) query.emplace_back("replication-min", o_.replication_min);
    if (!o_.replication_max.empty()) query.emplace_back("replication-max", o_.replication_max);
    for (const auto& [k, v] : request.meta) query.emplace_back("meta-" + k, v);
    // The cluster takes only multiaddrs ending in a peer id as origins and
    // refuses the whole pin otherwise; URLs and the like are left out.
    std::string origins;
    for (const std::string& o : request.origins) {
      if (o.empty() || o[0] != '/') continue;
      if (o.find("/p2p/") == std::string::npos && o.find("/ipfs/") == std::string::npos) continue;
      origins += (origins.empty() ? "" : ",") + o;
    }
    if (!origins.empty()) query.emplace_back("origins", origins);
    char sep = '?';
    for (const auto& [k, v] : query) {
      target += sep + http::PercentEncode(k) + "=" + http::PercentEncode(v);
      sep = '&';
    }
    ASSIGN_OR_RETURN(http::ClientResponse r, Call("POST", target));
    // 1.0 answers the Pin object; older releases 202 with no body.
    json j = json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("cid")) {
      auto c = JsonCid(j["cid"]);
      if (!c.ok() || c->ToV1() != root.ToV1()) {
        return Status::Corruption(Prefix() + ": POST /pins/" + root.ToString() +
                                  " answered a pin of another CID: " + Snippet(r.body));
      }
    }
    return Status::Ok();
  }

  Result<PinInfo> PinStatus(const Cid& root) override {
    auto r = Call("GET", "/pins/" + root.ToString());
    // 1.0 answers 200 with every peer "unpinned" for a CID outside the
    // pinset; some releases answer 404 with a JSON error instead.
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kNotFound) return PinInfo{};
      return r.status();
    }
    json j = json::parse(r->body, nullptr, false);
    auto info = Aggregate(j);
    if (!info.ok()) {
      return Status::Corruption(Prefix() + ": GET /pins/" + root.ToString() + ": " +
                                info.status().message() + ": " + Snippet(r->body));
    }
    return info;
  }

  Status Unpin(const Cid& root) override {
    auto r = Call("DELETE", "/pins/" + root.ToString());
    // "pin is not part of the pinset" (404): nothing to remove.
    if (!r.ok() && r.status().code() != StatusCode::kNotFound) return r.status();
    return Status::Ok();
  }

  Status ListPins(const std::function<bool(const Cid&)>& fn) override {
    // filter=pinned: only pins some peer holds; each item is still folded
    // like PinStatus, so a server ignoring the filter lists the same.
    http::ClientRequest req = Request("GET", "/pins?filter=pinned");
    req.max_response_bytes = SIZE_MAX;
    req.timeout_ms = o_.list_timeout_ms;
    std::string pending;
    bool array_form = false;  // decided by the first non-blank byte
    bool decided = false;
    bool stopped = false;
    Status error;
    auto item = [&](const json& gpi) {
      auto info = Aggregate(gpi);
      auto cid = gpi.is_object() && gpi.contains("cid") ? JsonCid(gpi["cid"])
                                                        : Result<Cid>(Status::Corruption("no cid"));
      if (!info.ok() || !cid.ok()) {
        error =
            Status::Corruption(Prefix() + ": GET /pins: unreadable item: " + Snippet(gpi.dump()));
        return false;
      }
      if (info->state == PinState::kPinned && !fn(*cid)) {
        stopped = true;
        return false;
      }
      return true;
    };
    auto line = [&](std::string_view text) {
      if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return true;
      json j = json::parse(text, nullptr, false);
      if (j.is_discarded()) {
        error = Status::Corruption(Prefix() + ": GET /pins: a line is not JSON: " + Snippet(text));
        return false;
      }
      return item(j);
    };
    req.on_body = [&](std::string_view chunk) {
      pending.append(chunk);
      if (!decided) {
        size_t b = pending.find_first_not_of(" \t\r\n");
        if (b == std::string::npos) return true;
        array_form = pending[b] == '[';
        decided = true;
      }
      if (!array_form) {
        size_t start = 0;
        for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
          if (!line(std::string_view(pending).substr(start, nl - start))) return false;
        }
        pending.erase(0, start);
      }
      if (pending.size() > kMaxListing) {
        error = Status::InvalidArgument(Prefix() + ": GET /pins: answer larger than " +
                                        std::to_string(kMaxListing) + " bytes in one piece");
        return false;
      }
      return true;
    };
    auto r = http::Fetch(req);
    if (!error.ok()) return error;
    if (stopped) return Status::Ok();  // fn asked to stop: Fetch reports the abort
    if (!r.ok()) return r.status().WithContext(Prefix() + ": GET /pins");
    if (r->status == 204) return Status::Ok();  // no pins at all
    if (r->status < 200 || r->status >= 300) return ClusterError("GET /pins", *r);
    if (array_form) {
      json j = json::parse(pending, nullptr, false);
      if (!j.is_array()) {
        return Status::Corruption(Prefix() +
                                  ": GET /pins: answer is not a JSON array: " + Snippet(pending));
      }
      for (const json& gpi : j) {
        if (!item(gpi)) return stopped ? Status::Ok() : error;
      }
    } else if (!line(pending)) {
      return stopped ? Status::Ok() : error;
    }
    // An error met after the stream started comes in this trailer.
    if (auto e = r->Header("x-stream-error"); e && !e->empty()) {
      return Status::Internal(Prefix() + ": GET /pins: the listing broke off: " + std::string(*e));
    }
    return Status::Ok();
  }

  Result<Probe> Check() override {
    auto r = Call("GET", "/id");
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kNotFound ||
          r.status().code() == StatusCode::kUnsupported) {
        return Status::Unavailable(r.status().message());
      }
      return r.status();
    }
    json j = json::parse(r->body, nullptr, false);
    std::string id = JsonStr(j, "id");
    if (id.empty()) {
      return Status::Unavailable(Prefix() + ": GET /id: answer has no peer \"id\" (is " + o_.base +
                                 " an IPFS Cluster REST API?): " + Snippet(r->body));
    }
    std::string peer =
        id + (JsonStr(j, "peername").empty() ? "" : " (" + JsonStr(j, "peername") + ")");
    if (std::string e = JsonStr(j, "error"); !e.empty()) {
      return Status::Unavailable(Prefix() + ": cluster peer " + peer + " reports: " + e);
    }
    const json ipfs = j.contains("ipfs") ? j["ipfs"] : json();
    if (std::string e = JsonStr(ipfs, "error"); !e.empty()) {
      return Status::Unavailable(Prefix() + ": cluster peer " + peer +
                                 " cannot reach its IPFS daemon: " + e);
    }
    Probe p;
    p.detail = "cluster peer " + peer;
    if (std::string v = JsonStr(j, "version"); !v.empty()) p.detail += ", version " + v;
    if (auto peers = j.find("cluster_peers"); peers != j.end() && peers->is_array()) {
      p.detail += ", " + std::to_string(peers->size()) + " peers";
    }
    if (std::string v = JsonStr(ipfs, "id"); !v.empty()) p.detail += ", ipfs " + v;
    p.bytes_free = FreeSpace();
    return p;
  }

 private:
  std::string Prefix() const { return "ipfs-cluster backend " + config_.name; }

  Status NoBlocks() const {
    return Status::Unsupported(Prefix() +
                               ": an IPFS Cluster takes pins, not single blocks (its peers fetch "
                               "them from the network)");
  }

  // The free space of the fullest peer, from the freespace metrics the
  // peers publish: a pin of that size fits wherever the cluster puts it.
  // Unknown (no metrics: informer disabled, older release) is not an error.
  std::optional<int64_t> FreeSpace() const {
    auto r = Call("GET", "/monitor/metrics/freespace");
    if (!r.ok()) return std::nullopt;
    json j = json::parse(r->body, nullptr, false);
    if (!j.is_array()) return std::nullopt;
    std::optional<int64_t> least;
    for (const json& m : j) {
      if (!m.is_object() || !m.contains("valid") || !m["valid"].is_boolean() ||
          !m["valid"].get<bool>()) {
        continue;
      }
      std::string v = JsonStr(m, "value");
      if (v.empty() || v.size() > 18 ||
          !std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
        continue;
      }
      int64_t bytes = std::stoll(v);
      if (!least || bytes < *least) least = bytes;
    }
    return least;
  }

  http::ClientRequest Request(const std::string& method, const std::string& target) const {
    http::ClientRequest req;
    req.method = method;
    req.url = o_.base + target;
    req.bearer_token = o_.token;
    if (!o_.authorization.empty()) req.headers.emplace_back("Authorization", o_.authorization);
    req.timeout_ms = o_.timeout_ms;
    req.max_response_bytes = kMaxAnswer;
    return req;
  }

  Result<http::ClientResponse> Call(const std::string& method, const std::string& target) const {
    auto r = http::Fetch(Request(method, target));
    const std::string what = method + " " + target.substr(0, target.find('?'));
    if (!r.ok()) return r.status().WithContext(Prefix() + ": " + what);
    if (r->status >= 200 && r->status < 300) return r;
    return ClusterError(what, *r);
  }

  // Maps an error answer ({"code": ..., "message": ...}) to a Status.
  Status ClusterError(const std::string& what, const http::ClientResponse& r) const {
    json j = json::parse(r.body, nullptr, false);
    std::string message = JsonStr(j, "message");
    bool cluster_error = !message.empty();
    std::string msg = Prefix() + ": " + what + " (HTTP " + std::to_string(r.status) +
                      "): " + (cluster_error ? message : Snippet(r.body));
    if (r.status == 401 || r.status == 403) {
      return Status::PermissionDenied(msg +
                                      " (credentials rejected: check token or username/password)");
    }
    if (r.status == 404) {
      // Only the API's own JSON error means "no such pin"; a bare 404 is
      // the router's "404 page not found": a wrong URL.
      if (cluster_error) return Status::NotFound(msg);
      return Status::Unsupported(msg + " (is " + o_.base + " the cluster's REST API, port 9094?)");
    }
    // 5xx: the peer answers but cannot serve (no consensus leader, its
    // IPFS daemon down, ...): unhealthy for now, retry later.
    if (r.status == 408 || r.status == 429 || r.status >= 500) return Status::Unavailable(msg);
    // Other 4xx: this request was refused (a bad origin, replication
    // factors the cluster cannot meet, ...).
    if (r.status >= 400) return Status::InvalidArgument(msg);
    return Status::Internal(msg);
  }

  BackendConfig config_;
  ClusterOptions o_;
};

Status ReadInt(const BackendConfig& c, const std::string& name, int64_t lo, int64_t hi,
               std::string* out) {
  auto it = c.params.find(name);
  if (it == c.params.end()) return Status::Ok();
  const std::string& s = it->second;
  size_t digits_from = !s.empty() && s[0] == '-' ? 1 : 0;
  bool ok = s.size() > digits_from && s.size() <= 10 &&
            std::all_of(s.begin() + static_cast<std::ptrdiff_t>(digits_from), s.end(),
                        [](char ch) { return ch >= '0' && ch <= '9'; });
  if (ok) {
    int64_t v = std::stoll(s);
    ok = v >= lo && v <= hi;
  }
  if (!ok) {
    return Status::InvalidArgument("backends." + c.name + ".params." + name +
                                   ": must be a whole number from " + std::to_string(lo) + " to " +
                                   std::to_string(hi));
  }
  *out = s;
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Backend>> NewIpfsClusterBackend(const BackendConfig& c) {
  const std::string key = "backends." + c.name + ".params.";
  static const std::set<std::string> kKnown = {
      "url", "token", "username", "password", "replication_min", "replication_max", "timeout_ms"};
  for (const auto& [k, v] : c.params) {
    if (!kKnown.contains(k)) {
      return Status::InvalidArgument(key + k +
                                     ": unknown key (ipfs-cluster takes url, token, username, "
                                     "password, replication_min, replication_max, timeout_ms)");
    }
  }
  ClusterOptions o;
  auto url = c.params.find("url");
  if (url == c.params.end() || url->second.empty()) {
    return Status::InvalidArgument(key + "url: missing (the REST API, e.g. http://127.0.0.1:9094)");
  }
  o.base = url->second;
  if (!o.base.starts_with("http://") && !o.base.starts_with("https://")) {
    return Status::InvalidArgument(key + "url: must start with http:// or https://");
  }
  while (o.base.ends_with("/")) o.base.pop_back();
  if (auto t = c.params.find("token"); t != c.params.end()) o.token = t->second;
  auto user = c.params.find("username");
  auto pass = c.params.find("password");
  if ((user == c.params.end()) != (pass == c.params.end())) {
    return Status::InvalidArgument(key + (user == c.params.end() ? "username" : "password") +
                                   ": missing (basic auth needs both username and password)");
  }
  if (user != c.params.end()) {
    if (!o.token.empty()) {
      return Status::InvalidArgument(key + "token: give either a token or username/password");
    }
    o.authorization = BasicAuth(user->second, pass->second);
  }
  // -1 is the cluster's "on every peer".
  RETURN_IF_ERROR(ReadInt(c, "replication_min", -1, 1000000, &o.replication_min));
  RETURN_IF_ERROR(ReadInt(c, "replication_max", -1, 1000000, &o.replication_max));
  if (!o.replication_min.empty() && !o.replication_max.empty()) {
    int64_t lo = std::stoll(o.replication_min), hi = std::stoll(o.replication_max);
    if ((lo == -1) != (hi == -1) || hi < lo) {
      return Status::InvalidArgument(key +
                                     "replication_max: must be >= replication_min (both -1 for "
                                     "\"every peer\")");
    }
  }
  std::string timeout;
  RETURN_IF_ERROR(ReadInt(c, "timeout_ms", 1, 999999999, &timeout));
  if (!timeout.empty()) o.timeout_ms = static_cast<int>(std::stoll(timeout));
  return std::unique_ptr<Backend>(new IpfsClusterBackend(c, std::move(o)));
}

}  // namespace ipfs_kit::backends
