// pinning-service backend: any IPFS Pinning Service API v1 endpoint
// (https://ipfs.github.io/pinning-services-api-spec/). See
// docs/backends.md#pinning-service.
//
// The service fetches the DAG itself (from `origins` or the network), so Pin
// returns once the request is accepted and PinStatus follows it through
// queued -> pinning -> pinned | failed.
//
// The service knows pins by request id, ipfs-kit by CID. The mapping is
// never kept here: every call that needs it lists the CID's requests with
// GET /pins?cid=..., so it survives restarts, works from several processes,
// and sees requests made by other clients of the same token.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "backend_factories.h"
#include "ipfs_kit/http/client.h"
#include "ipfs_kit/http/message.h"

namespace ipfs_kit::backends {
namespace {

using json = nlohmann::json;

// The largest page the spec allows; services may answer fewer.
constexpr int kPageLimit = 1000;
// Origins: the spec allows at most 20; they are hints, so extras are dropped.
constexpr size_t kMaxOrigins = 20;
constexpr size_t kMaxAnswer = 16 * 1024 * 1024;
constexpr const char* kAllStatuses = "queued,pinning,pinned,failed";

std::string Snippet(std::string_view body) {
  std::string s(body.substr(0, 200));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s.empty() ? "(empty body)" : s;
}

// One PinStatus object of the service.
struct PinRecord {
  std::string requestid;
  PinState state = PinState::kAbsent;
  std::string created;  // RFC 3339, as the service wrote it (used for `before`)
  Cid cid;
  std::string reason;  // info.status_details, or the whole info object
};

struct Page {
  int64_t count = 0;  // matches for the query, this page included
  std::vector<PinRecord> results;
};

Result<PinState> ParseState(const std::string& s) {
  if (s == "queued") return PinState::kQueued;
  if (s == "pinning") return PinState::kPinning;
  if (s == "pinned") return PinState::kPinned;
  if (s == "failed") return PinState::kFailed;
  return Status::Corruption("unknown pin status \"" + Snippet(s) + "\"");
}

// Parses one PinStatus; the fields the spec marks required must be there.
Result<PinRecord> ParsePinStatus(const json& j) {
  if (!j.is_object()) return Status::Corruption("a PinStatus is not a JSON object");
  PinRecord r;
  auto str = [&](const char* key) -> const json* {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? &*it : nullptr;
  };
  const json* rid = str("requestid");
  if (rid == nullptr || rid->get_ref<const std::string&>().empty()) {
    return Status::Corruption("a PinStatus has no \"requestid\"");
  }
  r.requestid = rid->get<std::string>();
  const json* status = str("status");
  if (status == nullptr)
    return Status::Corruption("PinStatus " + r.requestid + " has no \"status\"");
  ASSIGN_OR_RETURN(r.state, ParseState(status->get<std::string>()));
  if (const json* created = str("created")) r.created = created->get<std::string>();
  auto pin = j.find("pin");
  if (pin == j.end() || !pin->is_object() || !pin->contains("cid") || !(*pin)["cid"].is_string()) {
    return Status::Corruption("PinStatus " + r.requestid + " has no \"pin.cid\"");
  }
  auto cid = Cid::Parse((*pin)["cid"].get<std::string>());
  if (!cid.ok()) {
    return Status::Corruption("PinStatus " + r.requestid +
                              ": bad pin.cid: " + cid.status().message());
  }
  r.cid = *cid;
  if (auto info = j.find("info"); info != j.end() && info->is_object()) {
    auto details = info->find("status_details");
    if (details != info->end() && details->is_string()) {
      r.reason = details->get<std::string>();
    } else if (!info->empty()) {
      r.reason = info->dump();
    }
  }
  return r;
}

// Same content whatever the CID version the service echoes back.
bool SameRoot(const Cid& a, const Cid& b) { return a.ToV1() == b.ToV1(); }

class PinningServiceBackend final : public Backend {
 public:
  PinningServiceBackend(BackendConfig config, std::string base, std::string token, int timeout_ms)
      : config_(std::move(config)),
        base_(std::move(base)),
        token_(std::move(token)),
        timeout_ms_(timeout_ms) {}

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
    ASSIGN_OR_RETURN(std::vector<PinRecord> existing, Requests(root));
    // A request in progress or done already covers this pin: asking again
    // would only make the service hold (and bill) a second copy.
    for (const PinRecord& r : existing) {
      if (r.state != PinState::kFailed) return Status::Ok();
    }
    json body = {{"cid", root.ToString()}};
    if (!request.name.empty()) body["name"] = request.name;
    if (!request.origins.empty()) {
      json origins = json::array();
      for (size_t i = 0; i < request.origins.size() && i < kMaxOrigins; ++i) {
        origins.push_back(request.origins[i]);
      }
      body["origins"] = origins;
    }
    if (!request.meta.empty()) body["meta"] = request.meta;
    ASSIGN_OR_RETURN(http::ClientResponse r, Call("POST", "/pins", body.dump()));
    json j = json::parse(r.body, nullptr, false);
    auto created = ParsePinStatus(j);
    if (!created.ok()) {
      return created.status().WithContext(Prefix() + ": POST /pins answer for " + root.ToString());
    }
    // Failed requests of this CID have been replaced: remove them so the
    // service's list (and PinStatus) do not keep reporting the failure.
    // Best effort: the new request is what matters.
    for (const PinRecord& old : existing) {
      (void)DeleteRequest(old.requestid);
    }
    return Status::Ok();
  }

  Result<PinInfo> PinStatus(const Cid& root) override {
    ASSIGN_OR_RETURN(std::vector<PinRecord> requests, Requests(root));
    // Several requests may exist for one CID: the best state wins.
    PinInfo info;
    auto rank = [](PinState s) {
      switch (s) {
        case PinState::kPinned:
          return 4;
        case PinState::kPinning:
          return 3;
        case PinState::kQueued:
          return 2;
        case PinState::kFailed:
          return 1;
        case PinState::kAbsent:
          return 0;
      }
      return 0;
    };
    for (const PinRecord& r : requests) {
      if (rank(r.state) > rank(info.state)) {
        info.state = r.state;
        info.reason = r.state == PinState::kFailed ? r.reason : "";
      }
    }
    if (info.state == PinState::kFailed && info.reason.empty()) {
      info.reason = "the service reports the pin failed";
    }
    return info;
  }

  Status Unpin(const Cid& root) override {
    ASSIGN_OR_RETURN(std::vector<PinRecord> requests, Requests(root));
    Status first;
    for (const PinRecord& r : requests) {
      Status st = DeleteRequest(r.requestid);
      if (!st.ok() && first.ok()) first = st;
    }
    return first;
  }

  Status ListPins(const std::function<bool(const Cid&)>& fn) override {
    // Pinned requests, newest first, a page at a time: the next page is the
    // one created before the oldest of this page. A CID pinned by several
    // requests is reported once.
    std::unordered_set<Cid> reported;
    std::unordered_set<std::string> seen_requests;
    std::string before;
    for (;;) {
      ASSIGN_OR_RETURN(Page page, List("pinned", nullptr, before));
      bool progress = false;
      for (const PinRecord& r : page.results) {
        if (!seen_requests.insert(r.requestid).second) continue;
        progress = true;
        if (r.state != PinState::kPinned) continue;  // a service ignoring the filter
        if (!reported.insert(r.cid.ToV1()).second) continue;
        if (!fn(r.cid)) return Status::Ok();
      }
      if (page.results.empty() || static_cast<int64_t>(page.results.size()) >= page.count) break;
      if (!progress) {
        return Status::Internal(Prefix() +
                                ": GET /pins repeats the same results: the service ignores "
                                "`before`, so the listing cannot go past " +
                                std::to_string(seen_requests.size()) + " pins");
      }
      const std::string& oldest = page.results.back().created;
      if (oldest.empty()) {
        return Status::Corruption(Prefix() + ": GET /pins: PinStatus " +
                                  page.results.back().requestid +
                                  " has no \"created\", so the next page cannot be asked for");
      }
      before = oldest;
    }
    return Status::Ok();
  }

  Result<Probe> Check() override {
    // The cheapest authenticated call: one pinned request, and the count.
    ASSIGN_OR_RETURN(http::ClientResponse r, Call("GET", "/pins?limit=1", ""));
    ASSIGN_OR_RETURN(Page page, ParsePage(r.body, "GET /pins"));
    Probe p;
    p.pin_count = page.count;
    p.detail = std::to_string(page.count) + " pins pinned";
    return p;
  }

 private:
  std::string Prefix() const { return "pinning-service backend " + config_.name; }

  Status NoBlocks() const {
    return Status::Unsupported(Prefix() +
                               ": a pinning service takes pins, not single blocks (it fetches "
                               "them itself from the pin's origins)");
  }

  // Every request of `root`, whatever its status, across pages.
  Result<std::vector<PinRecord>> Requests(const Cid& root) const {
    std::vector<PinRecord> out;
    std::unordered_set<std::string> seen;
    std::string before;
    for (;;) {
      ASSIGN_OR_RETURN(Page page, List(kAllStatuses, &root, before));
      const std::string oldest = page.results.empty() ? "" : page.results.back().created;
      bool progress = false;
      for (PinRecord& r : page.results) {
        if (!seen.insert(r.requestid).second) continue;
        progress = true;
        // The cid filter is the service's; keep only what is really ours.
        if (SameRoot(r.cid, root)) out.push_back(std::move(r));
      }
      if (page.results.empty() || static_cast<int64_t>(page.results.size()) >= page.count) break;
      if (!progress || oldest.empty()) {
        return Status::Internal(Prefix() + ": GET /pins?cid=" + root.ToString() +
                                ": cannot page through the requests (the service repeats results "
                                "or gives no \"created\")");
      }
      before = oldest;
    }
    return out;
  }

  // One page of GET /pins.
  Result<Page> List(std::string_view statuses, const Cid* cid, const std::string& before) const {
    // v1.0.0 of the spec takes lists comma-separated (style: form,
    // explode: false): status=queued,pinning.
    // Status names are plain words: no escaping needed.
    std::string target = "/pins?status=" + std::string(statuses);
    if (cid) target += "&cid=" + http::PercentEncode(cid->ToString());
    if (!before.empty()) target += "&before=" + http::PercentEncode(before);
    target += "&limit=" + std::to_string(kPageLimit);
    ASSIGN_OR_RETURN(http::ClientResponse r, Call("GET", target, ""));
    return ParsePage(r.body, "GET /pins");
  }

  Result<Page> ParsePage(const std::string& body, std::string_view what) const {
    json j = json::parse(body, nullptr, false);
    auto fail = [&](const std::string& why) {
      return Status::Corruption(Prefix() + ": " + std::string(what) + ": " + why);
    };
    if (!j.is_object()) return fail("answer is not a JSON object: " + Snippet(body));
    auto count = j.find("count");
    auto results = j.find("results");
    if (count == j.end() || !count->is_number_integer() || results == j.end() ||
        !results->is_array()) {
      return fail("answer has no \"count\" and \"results\": " + Snippet(body));
    }
    Page page;
    page.count = count->get<int64_t>();
    for (const json& item : *results) {
      auto r = ParsePinStatus(item);
      if (!r.ok()) return fail(r.status().message());
      page.results.push_back(std::move(r).value());
    }
    return page;
  }

  Status DeleteRequest(const std::string& requestid) const {
    auto r = Call("DELETE", "/pins/" + http::PercentEncode(requestid), "");
    // Already gone (another client, or a retry): what Unpin wants.
    if (!r.ok() && r.status().code() != StatusCode::kNotFound) return r.status();
    return Status::Ok();
  }

  Result<http::ClientResponse> Call(const std::string& method, const std::string& target,
                                    std::string body) const {
    http::ClientRequest req;
    req.method = method;
    req.url = base_ + target;
    req.bearer_token = token_;
    req.timeout_ms = timeout_ms_;
    req.max_response_bytes = kMaxAnswer;
    req.headers.emplace_back("Accept", "application/json");
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    req.body = std::move(body);
    const std::string what = method + " " + target.substr(0, target.find('?'));
    auto r = http::Fetch(req);
    if (!r.ok()) return r.status().WithContext(Prefix());
    if (r->status >= 200 && r->status < 300) return r;
    return ServiceError(what, *r);
  }

  // Maps an error answer ({"error": {"reason", "details"}}) to a Status.
  Status ServiceError(const std::string& what, const http::ClientResponse& r) const {
    json j = json::parse(r.body, nullptr, false);
    std::string said;
    if (j.is_object() && j.contains("error") && j["error"].is_object()) {
      const json& e = j["error"];
      if (e.contains("reason") && e["reason"].is_string()) said = e["reason"].get<std::string>();
      if (e.contains("details") && e["details"].is_string()) {
        said += (said.empty() ? "" : ": ") + e["details"].get<std::string>();
      }
    }
    if (said.empty()) said = Snippet(r.body);
    std::string msg =
        Prefix() + ": " + what + " (HTTP " + std::to_string(r.status) + "): " + Snippet(said);
    switch (r.status) {
      case 401:
        return Status::PermissionDenied(Prefix() + ": token rejected (" + what +
                                        ", HTTP 401): " + Snippet(said));
      case 403:
      case 409:  // INSUFFICIENT_FUNDS: the account refuses more pins
        return Status::PermissionDenied(msg);
      case 404:
        return Status::NotFound(msg);
      case 408:
      case 429:  // rate limited: try later
        return Status::Unavailable(msg);
      default:
        // The service is there but cannot serve now: unhealthy, retry later.
        if (r.status >= 500) return Status::Unavailable(msg);
        // Other 4xx: the service refused this request (bad CID, name too long, ...).
        if (r.status >= 400 && r.status < 500) return Status::InvalidArgument(msg);
        return Status::Internal(msg);
    }
  }

  BackendConfig config_;
  std::string base_;  // the API root, before /pins; no trailing slash
  std::string token_;
  int timeout_ms_;
};

}  // namespace

Result<std::unique_ptr<Backend>> NewPinningServiceBackend(const BackendConfig& c) {
  const std::string key = "backends." + c.name + ".params.";
  static const std::set<std::string> kKnown = {"url", "token", "timeout_ms"};
  for (const auto& [k, v] : c.params) {
    if (!kKnown.contains(k)) {
      return Status::InvalidArgument(
          key + k + ": unknown key (pinning-service takes url, token, timeout_ms)");
    }
  }
  auto url = c.params.find("url");
  if (url == c.params.end() || url->second.empty()) {
    return Status::InvalidArgument(key +
                                   "url: missing (the service's API root, the URL before /pins)");
  }
  std::string base = url->second;
  if (!base.starts_with("http://") && !base.starts_with("https://")) {
    return Status::InvalidArgument(key + "url: must start with http:// or https://");
  }
  while (base.ends_with("/")) base.pop_back();
  // Accept the endpoint itself, as some services document it.
  if (base.ends_with("/pins")) base.resize(base.size() - 5);
  auto token = c.params.find("token");
  if (token == c.params.end() || token->second.empty()) {
    return Status::InvalidArgument(key + "token: missing (the service's access token)");
  }
  int timeout_ms = 30000;
  if (auto t = c.params.find("timeout_ms"); t != c.params.end()) {
    const std::string& s = t->second;
    bool digits = !s.empty() && s.size() <= 9 &&
                  std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!digits || std::stoi(s) < 1) {
      return Status::InvalidArgument(key +
                                     "timeout_ms: must be a whole number of milliseconds >= 1");
    }
    timeout_ms = std::stoi(s);
  }
  return std::unique_ptr<Backend>(
      new PinningServiceBackend(c, std::move(base), token->second, timeout_ms));
}

}  // namespace ipfs_kit::backends
