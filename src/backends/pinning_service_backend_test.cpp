// Tests of the pinning-service backend against a small Pinning Service API
// written here on the project's HTTP server: bearer auth, GET/POST /pins,
// DELETE /pins/{requestid}, the cid/status/before/limit filters, newest
// first. It records every request so the tests check what the client sent.
// The end-to-end test against another ipfs-kit daemon's PSA endpoint lives
// with the daemon.
#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "backend_factories.h"
#include "ipfs_kit/backends/backend.h"
#include "ipfs_kit/http/message.h"
#include "ipfs_kit/http/server.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::backends {
namespace {

using json = nlohmann::json;
using multiformats::kCodecDagPb;
using multiformats::kCodecRaw;

struct Seen {
  std::string method;
  std::string target;
  std::string path;
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

// The project's HTTP server on a free 127.0.0.1 port, recording every
// request; handlers run under one lock, in order.
class HttpServer {
 public:
  using Handler = std::function<Reply(const Seen&)>;

  explicit HttpServer(Handler handler) : handler_(std::move(handler)) {
    auto server = http::Server::Start(
        http::ServerOptions{}, [this](http::Request r, http::Responder respond) {
          Seen req;
          req.method = r.method;
          req.target = r.target;
          req.path = r.path;
          for (auto& [k, v] : r.query) req.query[k] = v;
          for (auto& [k, v] : r.headers) req.headers[k] = v;
          req.body = std::move(r.body);
          Reply reply;
          {
            std::lock_guard<std::mutex> lock(mu_);
            seen_.push_back(req);
            reply = handler_(req);
          }
          http::Response out;
          out.status = reply.status;
          if (!reply.content_type.empty())
            out.headers.emplace_back("Content-Type", reply.content_type);
          out.body = std::move(reply.body);
          respond(std::move(out));
        });
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    if (server.ok()) server_ = std::move(server).value();
  }
  ~HttpServer() { server_.reset(); }
  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(server_ ? server_->port() : 0);
  }
  std::vector<Seen> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  void ClearRequests() {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.clear();
  }

 private:
  Handler handler_;
  std::mutex mu_;
  std::vector<Seen> seen_;
  std::unique_ptr<http::Server> server_;
};

// The service: pin requests in memory, newest first, as the spec orders
// them. `page_cap` makes it answer fewer results than asked (allowed: the
// client must follow `count` and `before`).
class FakePinningService {
 public:
  explicit FakePinningService(std::string token) : token_(std::move(token)) {}

  struct Request {
    std::string requestid;
    std::string status;
    std::string created;
    json pin;
    json info = json::object();
  };

  Reply Handle(const Seen& req) {
    auto auth = req.headers.find("authorization");
    if (auth == req.headers.end() || auth->second != "Bearer " + token_) {
      return Error(401, "UNAUTHORIZED", "Access token is missing or invalid");
    }
    if (req.path == "/pins" && req.method == "GET") return ListPins(req);
    if (req.path == "/pins" && req.method == "POST") return AddPin(req);
    if (req.path.rfind("/pins/", 0) == 0) {
      std::string id = req.path.substr(6);
      auto it = std::find_if(pins_.begin(), pins_.end(),
                             [&](const Request& r) { return r.requestid == id; });
      if (it == pins_.end()) return Error(404, "NOT_FOUND", "The specified resource was not found");
      if (req.method == "GET") return {200, ToJson(*it).dump()};
      if (req.method == "DELETE") {
        pins_.erase(it);
        return {202, "", ""};
      }
    }
    return Error(400, "BAD_REQUEST", "no such endpoint");
  }

  // Test controls (call while no client request runs).
  std::vector<Request>& pins() { return pins_; }
  void set_initial_status(std::string s) { initial_status_ = std::move(s); }
  void set_page_cap(size_t n) { page_cap_ = n; }
  void set_ignore_before(bool b) { ignore_before_ = b; }
  std::string AddDirect(const std::string& cid, const std::string& status) {
    Request r;
    r.requestid = "req-" + std::to_string(++next_id_);
    r.status = status;
    r.created = NextTimestamp();
    r.pin = {{"cid", cid}};
    pins_.push_back(r);
    return r.requestid;
  }

 private:
  static Reply Error(int status, const std::string& reason, const std::string& details) {
    return {status, json{{"error", {{"reason", reason}, {"details", details}}}}.dump()};
  }

  static json ToJson(const Request& r) {
    return {{"requestid", r.requestid}, {"status", r.status},
            {"created", r.created},     {"pin", r.pin},
            {"info", r.info},           {"delegates", {"/dnsaddr/pin-service.example.com"}}};
  }

  // Strictly increasing, lexically ordered RFC 3339 times.
  std::string NextTimestamp() {
    time_t t = 1700000000 + static_cast<time_t>(++clock_);
    tm utc;
    gmtime_r(&t, &utc);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buf;
  }

  static std::set<std::string> Split(const std::string& s) {
    std::set<std::string> out;
    size_t start = 0;
    for (size_t comma; (comma = s.find(',', start)) != std::string::npos; start = comma + 1) {
      out.insert(s.substr(start, comma - start));
    }
    out.insert(s.substr(start));
    return out;
  }

  Reply ListPins(const Seen& req) {
    std::set<std::string> statuses = {"pinned"};
    if (auto it = req.query.find("status"); it != req.query.end()) statuses = Split(it->second);
    std::set<std::string> cids;
    if (auto it = req.query.find("cid"); it != req.query.end()) cids = Split(it->second);
    std::string before;
    if (auto it = req.query.find("before"); it != req.query.end() && !ignore_before_) {
      before = it->second;
    }
    size_t limit = 10;
    if (auto it = req.query.find("limit"); it != req.query.end()) {
      limit = std::stoul(it->second);
      if (limit < 1 || limit > 1000) return Error(400, "BAD_REQUEST", "limit out of range");
    }
    std::vector<const Request*> match;
    for (const Request& r : pins_) {
      if (!statuses.contains(r.status)) continue;
      if (!cids.empty() && !cids.contains(r.pin["cid"].get<std::string>())) continue;
      if (!before.empty() && !(r.created < before)) continue;
      match.push_back(&r);
    }
    std::sort(match.begin(), match.end(),
              [](const Request* a, const Request* b) { return a->created > b->created; });
    json results = json::array();
    for (size_t i = 0; i < match.size() && i < limit && i < page_cap_; ++i) {
      results.push_back(ToJson(*match[i]));
    }
    return {200, json{{"count", match.size()}, {"results", results}}.dump()};
  }

  Reply AddPin(const Seen& req) {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("cid") || !body["cid"].is_string()) {
      return Error(400, "BAD_REQUEST", "pin.cid is required");
    }
    if (req.headers.count("content-type") == 0 ||
        req.headers.at("content-type") != "application/json") {
      return Error(400, "BAD_REQUEST", "expected application/json");
    }
    Request r;
    r.requestid = "req-" + std::to_string(++next_id_);
    r.status = initial_status_;
    r.created = NextTimestamp();
    r.pin = body;
    pins_.push_back(r);
    return {202, ToJson(r).dump()};
  }

  std::string token_;
  std::vector<Request> pins_;
  std::string initial_status_ = "queued";
  size_t page_cap_ = 1000;
  bool ignore_before_ = false;
  int next_id_ = 0;
  int clock_ = 0;
};

// A service and a backend on it.
struct Fixture {
  explicit Fixture(std::string token = "secret-token")
      : service("secret-token"), server([this](const Seen& r) { return service.Handle(r); }) {
    backend = Make(token);
  }
  std::unique_ptr<Backend> Make(const std::string& token, const std::string& path = "") {
    BackendConfig c;
    c.name = "psa";
    c.type = "pinning-service";
    c.params = {{"url", server.Url() + path}, {"token", token}};
    auto r = NewPinningServiceBackend(c);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }
  std::vector<Seen> Requests(const std::string& method) {
    std::vector<Seen> out;
    for (Seen& s : server.requests()) {
      if (s.method == method) out.push_back(s);
    }
    return out;
  }

  FakePinningService service;
  HttpServer server;
  std::unique_ptr<Backend> backend;
};

Cid RawCid(const std::string& s) { return Cid::Sha256(1, kCodecRaw, AsBytes(s)); }
Cid V0Cid(const std::string& s) { return Cid::Sha256(0, kCodecDagPb, AsBytes(s)); }

TEST(PinningServiceConfig, RejectsBadParams) {
  BackendConfig c;
  c.name = "p1";
  c.type = "pinning-service";
  c.params = {{"token", "t"}};
  auto r = NewPinningServiceBackend(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("backends.p1.params.url"), std::string::npos);
  c.params = {{"url", "https://api.example.com/psa"}};
  r = NewPinningServiceBackend(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("backends.p1.params.token: missing"), std::string::npos)
      << r.status().message();
  c.params = {{"url", "ftp://x"}, {"token", "t"}};
  EXPECT_FALSE(NewPinningServiceBackend(c).ok());
  c.params = {{"url", "https://x"}, {"token", "t"}, {"bucket", "b"}};
  r = NewPinningServiceBackend(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("params.bucket: unknown key"), std::string::npos);
  c.params = {{"url", "https://x/pins/"}, {"token", "t"}};
  r = NewPinningServiceBackend(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Capabilities caps = (*r)->capabilities();
  EXPECT_FALSE(caps.stores_blocks);
  EXPECT_TRUE(caps.fetches_itself);
  EXPECT_TRUE(caps.async_pins);
  EXPECT_FALSE(caps.read_only);
}

TEST(PinningService, BlocksAreUnsupported) {
  Fixture f;
  Cid c = RawCid("a");
  EXPECT_EQ(f.backend->Has(c).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(f.backend->Get(c).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(f.backend->Put(c, AsBytes("a")).code(), StatusCode::kUnsupported);
  EXPECT_EQ(f.backend->Delete(c).code(), StatusCode::kUnsupported);
  EXPECT_TRUE(f.server.requests().empty());
}

TEST(PinningService, PinSendsThePinObject) {
  Fixture f;
  Cid c = V0Cid("root");
  PinRequest req;
  req.name = "photos";
  req.origins = {"/ip4/10.0.0.1/tcp/4001/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo"};
  req.meta = {{"app", "ipfs-kit"}};
  Status st = f.backend->Pin(c, req);
  ASSERT_TRUE(st.ok()) << st.ToString();

  auto posts = f.Requests("POST");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].path, "/pins");
  EXPECT_EQ(posts[0].headers["authorization"], "Bearer secret-token");
  EXPECT_EQ(posts[0].headers["content-type"], "application/json");
  json body = json::parse(posts[0].body);
  EXPECT_EQ(body["cid"], c.ToString());
  EXPECT_EQ(body["name"], "photos");
  EXPECT_EQ(body["origins"], json(req.origins));
  EXPECT_EQ(body["meta"], json({{"app", "ipfs-kit"}}));
  // Before creating, the client looked for existing requests of the CID, in
  // any state.
  auto gets = f.Requests("GET");
  ASSERT_FALSE(gets.empty());
  EXPECT_EQ(gets[0].path, "/pins");
  EXPECT_EQ(gets[0].query["cid"], c.ToString());
  EXPECT_EQ(gets[0].query["status"], "queued,pinning,pinned,failed");
}

TEST(PinningService, StatusFollowsTheService) {
  Fixture f;
  Cid c = RawCid("data");
  auto st = f.backend->PinStatus(c);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->state, PinState::kAbsent);

  ASSERT_TRUE(f.backend->Pin(c, {}).ok());
  auto& pins = f.service.pins();
  ASSERT_EQ(pins.size(), 1u);
  const std::pair<const char*, PinState> steps[] = {{"queued", PinState::kQueued},
                                                    {"pinning", PinState::kPinning},
                                                    {"pinned", PinState::kPinned},
                                                    {"failed", PinState::kFailed}};
  for (const auto& [name, state] : steps) {
    pins[0].status = name;
    if (state == PinState::kFailed) pins[0].info = {{"status_details", "DAG too big"}};
    st = f.backend->PinStatus(c);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    EXPECT_EQ(st->state, state) << name;
  }
  EXPECT_EQ(st->reason, "DAG too big");
}

TEST(PinningService, PinIsIdempotentAndReplacesFailedRequests) {
  Fixture f;
  Cid c = RawCid("again");
  ASSERT_TRUE(f.backend->Pin(c, {}).ok());
  ASSERT_TRUE(f.backend->Pin(c, {}).ok());
  EXPECT_EQ(f.Requests("POST").size(), 1u);
  ASSERT_EQ(f.service.pins().size(), 1u);

  // The service gave up: pinning again makes a new request and drops the
  // failed one.
  std::string old_id = f.service.pins()[0].requestid;
  f.service.pins()[0].status = "failed";
  ASSERT_TRUE(f.backend->Pin(c, {}).ok());
  EXPECT_EQ(f.Requests("POST").size(), 2u);
  auto deletes = f.Requests("DELETE");
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_EQ(deletes[0].path, "/pins/" + old_id);
  ASSERT_EQ(f.service.pins().size(), 1u);
  EXPECT_NE(f.service.pins()[0].requestid, old_id);
}

TEST(PinningService, SeveralRequestsForOneCid) {
  Fixture f;
  Cid c = RawCid("multi");
  f.service.AddDirect(c.ToString(), "failed");
  f.service.AddDirect(c.ToString(), "pinned");
  f.service.AddDirect(RawCid("other").ToString(), "pinned");
  auto st = f.backend->PinStatus(c);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->state, PinState::kPinned);

  // Unpin removes every request of the CID, and only those.
  ASSERT_TRUE(f.backend->Unpin(c).ok());
  EXPECT_EQ(f.Requests("DELETE").size(), 2u);
  ASSERT_EQ(f.service.pins().size(), 1u);
  EXPECT_EQ(f.service.pins()[0].pin["cid"], RawCid("other").ToString());
  st = f.backend->PinStatus(c);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, PinState::kAbsent);
  // Unpinning an absent pin is OK.
  EXPECT_TRUE(f.backend->Unpin(c).ok());
}

// The request id comes from the service each time, so a new process (or a
// new backend object) can unpin what an earlier one pinned.
TEST(PinningService, UnpinAfterRestartFindsTheRequest) {
  Fixture f;
  Cid c = V0Cid("restart");
  ASSERT_TRUE(f.backend->Pin(c, {}).ok());
  f.backend.reset();
  auto fresh = f.Make("secret-token");
  ASSERT_NE(fresh, nullptr);
  ASSERT_TRUE(fresh->Unpin(c).ok());
  EXPECT_TRUE(f.service.pins().empty());
}

// Every request of a CID is found even when they span several pages.
TEST(PinningService, UnpinPagesThroughRequests) {
  Fixture f;
  f.service.set_page_cap(2);
  Cid c = RawCid("many requests");
  for (int i = 0; i < 5; ++i) f.service.AddDirect(c.ToString(), i % 2 ? "failed" : "queued");
  Status st = f.backend->Unpin(c);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(f.service.pins().empty());
  EXPECT_EQ(f.Requests("DELETE").size(), 5u);
}

TEST(PinningService, ListPinsPaginatesWithBefore) {
  Fixture f;
  f.service.set_page_cap(7);
  std::set<std::string> pinned;
  for (int i = 0; i < 25; ++i) {
    Cid c = RawCid("pin " + std::to_string(i));
    f.service.AddDirect(c.ToString(), "pinned");
    pinned.insert(c.ToString());
  }
  // Not listed: not pinned yet, failed, and a second request of a pinned CID.
  f.service.AddDirect(RawCid("queued").ToString(), "queued");
  f.service.AddDirect(RawCid("failed").ToString(), "failed");
  f.service.AddDirect(RawCid("pin 3").ToString(), "pinned");

  std::vector<std::string> listed;
  Status st = f.backend->ListPins([&](const Cid& c) {
    listed.push_back(c.ToString());
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(listed.size(), 25u);
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), pinned);

  auto gets = f.Requests("GET");
  ASSERT_EQ(gets.size(), 4u);  // 26 pinned requests, 7 a page
  EXPECT_EQ(gets[0].query.count("before"), 0u);
  std::string previous = "9999";
  for (size_t i = 0; i < gets.size(); ++i) {
    EXPECT_EQ(gets[i].query["status"], "pinned");
    if (i == 0) continue;
    // Each page starts before the oldest of the previous one.
    ASSERT_EQ(gets[i].query.count("before"), 1u);
    EXPECT_LT(gets[i].query["before"], previous);
    previous = gets[i].query["before"];
  }

  // Stopping early.
  int calls = 0;
  st = f.backend->ListPins([&](const Cid&) { return ++calls < 3; });
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(calls, 3);
}

TEST(PinningService, ListPinsRefusesAServiceIgnoringBefore) {
  Fixture f;
  f.service.set_page_cap(5);
  f.service.set_ignore_before(true);
  for (int i = 0; i < 12; ++i) f.service.AddDirect(RawCid(std::to_string(i)).ToString(), "pinned");
  int calls = 0;
  Status st = f.backend->ListPins([&](const Cid&) {
    ++calls;
    return true;
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_NE(st.message().find("before"), std::string::npos) << st.ToString();
  EXPECT_EQ(calls, 5);
}

TEST(PinningService, CheckCountsPinnedRequests) {
  Fixture f;
  for (int i = 0; i < 3; ++i) f.service.AddDirect(RawCid(std::to_string(i)).ToString(), "pinned");
  f.service.AddDirect(RawCid("q").ToString(), "queued");
  auto probe = f.backend->Check();
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  ASSERT_TRUE(probe->pin_count.has_value());
  EXPECT_EQ(*probe->pin_count, 3);
  auto gets = f.Requests("GET");
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_EQ(gets[0].target, "/pins?limit=1");
}

TEST(PinningService, RejectedTokenIsPermissionDenied) {
  Fixture f;
  auto bad = f.Make("wrong-token");
  ASSERT_NE(bad, nullptr);
  auto probe = bad->Check();
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(probe.status().message().find("token rejected"), std::string::npos)
      << probe.status().message();
  EXPECT_NE(probe.status().message().find("UNAUTHORIZED"), std::string::npos)
      << probe.status().message();
  EXPECT_EQ(bad->Pin(RawCid("x"), {}).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(bad->PinStatus(RawCid("x")).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(f.service.pins().empty());
}

TEST(PinningService, StoppedServiceIsUnavailable) {
  std::string url;
  {
    Fixture f;
    url = f.server.Url();
  }  // the server is gone, its port closed
  BackendConfig c;
  c.name = "psa";
  c.type = "pinning-service";
  c.params = {{"url", url}, {"token", "t"}};
  auto b = NewPinningServiceBackend(c);
  ASSERT_TRUE(b.ok());
  auto probe = (*b)->Check();
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), StatusCode::kUnavailable) << probe.status().ToString();
  EXPECT_EQ((*b)->Pin(RawCid("x"), {}).code(), StatusCode::kUnavailable);
}

// Answers that are not the API's shapes are errors, never crashes.
TEST(PinningService, MalformedAnswersAreCorruption) {
  const char* bodies[] = {
      "not json",
      "[]",
      R"({"count": 1})",
      R"({"count": 1, "results": [{"status": "pinned"}]})",
      R"({"count": 1, "results": [{"requestid": "r", "status": "done", "pin": {"cid": "x"}}]})",
      R"({"count": 1, "results": [{"requestid": "r", "status": "pinned", "pin": {"cid": "notacid"}}]})",
  };
  for (const char* body : bodies) {
    std::string answer = body;
    HttpServer server([&](const Seen&) { return Reply{200, answer}; });
    BackendConfig c;
    c.name = "psa";
    c.type = "pinning-service";
    c.params = {{"url", server.Url()}, {"token", "t"}};
    auto b = NewPinningServiceBackend(c);
    ASSERT_TRUE(b.ok());
    auto st = (*b)->PinStatus(RawCid("x"));
    ASSERT_FALSE(st.ok()) << body;
    EXPECT_EQ(st.status().code(), StatusCode::kCorruption)
        << body << ": " << st.status().ToString();
    EXPECT_FALSE((*b)->Check().ok()) << body;
  }
}

TEST(PinningService, ServiceErrorsAreMapped) {
  const std::pair<int, StatusCode> cases[] = {
      {400, StatusCode::kInvalidArgument},  {403, StatusCode::kPermissionDenied},
      {409, StatusCode::kPermissionDenied}, {429, StatusCode::kUnavailable},
      {500, StatusCode::kUnavailable},      {503, StatusCode::kUnavailable},
      {418, StatusCode::kInvalidArgument},  {302, StatusCode::kInternal}};
  for (const auto& [http_status, code] : cases) {
    int s = http_status;
    HttpServer server([&](const Seen&) {
      return Reply{s, R"({"error": {"reason": "INSUFFICIENT_FUNDS", "details": "top up"}})"};
    });
    BackendConfig c;
    c.name = "psa";
    c.type = "pinning-service";
    c.params = {{"url", server.Url()}, {"token", "t"}};
    auto b = NewPinningServiceBackend(c);
    ASSERT_TRUE(b.ok());
    Status st = (*b)->Pin(RawCid("x"), {});
    EXPECT_EQ(st.code(), code) << http_status << ": " << st.ToString();
    EXPECT_NE(st.message().find("INSUFFICIENT_FUNDS: top up"), std::string::npos) << st.ToString();
    EXPECT_NE(st.message().find("HTTP " + std::to_string(http_status)), std::string::npos);
  }
}

}  // namespace
}  // namespace ipfs_kit::backends
