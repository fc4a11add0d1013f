// Tests of the Streamable HTTP transport through a real http::Server on a
// free 127.0.0.1 port, spoken to with the project's libcurl client. Timeouts
// are hang guards only; nothing asserts on timing.
#include "ipfs_kit/mcp/http_transport.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ipfs_kit/http/client.h"
#include "ipfs_kit/http/server.h"
#include "ipfs_kit/mcp/conformance_fixtures.h"

namespace ipfs_kit::mcp {
namespace {

constexpr const char* kBothAccept = "application/json, text/event-stream";

// Parses the messages out of an SSE body ("data: {...}" lines; the empty
// data of a priming event is skipped).
std::vector<Json> SseMessages(const std::string& body) {
  std::vector<Json> out;
  size_t pos = 0;
  while ((pos = body.find("data: ", pos)) != std::string::npos) {
    size_t end = body.find('\n', pos);
    if (end == std::string::npos) break;  // a partial line: not yet complete
    std::string data = body.substr(pos + 6, end - pos - 6);
    if (!data.empty()) out.push_back(Json::parse(data));
    pos = end;
  }
  return out;
}

// The "id:" values of the events in an SSE body.
std::vector<std::string> SseIds(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = body.find("id: ", pos)) != std::string::npos) {
    if (pos > 0 && body[pos - 1] != '\n') {
      pos += 4;
      continue;
    }
    size_t end = body.find('\n', pos);
    out.push_back(body.substr(pos + 4, end - pos - 4));
    pos = end;
  }
  return out;
}

class HttpTransportTest : public ::testing::Test {
 protected:
  void Start(HttpTransportOptions options = {}, size_t max_body = 1 << 20) {
    RegisterConformanceFixtures(registry_);
    options.keepalive_interval_ms = 200;
    transport_ = std::make_unique<HttpTransport>(registry_, options);
    http::ServerOptions so;
    so.max_body_bytes = max_body;
    so.threads = 2;
    auto started = http::Server::Start(so, [this](http::Request r, http::Responder respond) {
      transport_->Handle(std::move(r), std::move(respond));
    });
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(started).value();
    transport_->set_port(server_->port());
    url_ = "http://127.0.0.1:" + std::to_string(server_->port()) + "/mcp";
  }

  void TearDown() override {
    if (transport_) transport_->Shutdown();
    if (server_) server_->Stop();
  }

  http::ClientResponse Send(const std::string& method, const std::string& body,
                            http::HeaderList headers = {}, const std::string& token = "") {
    http::ClientRequest r;
    r.method = method;
    r.url = url_;
    r.body = body;
    r.headers = std::move(headers);
    r.bearer_token = token;
    r.timeout_ms = 60000;
    auto got = http::Fetch(r);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : http::ClientResponse{};
  }

  http::ClientResponse Post(const Json& message, const std::string& session = "",
                            const std::string& accept = kBothAccept, http::HeaderList extra = {}) {
    http::HeaderList h = {{"Content-Type", "application/json"}, {"Accept", accept}};
    if (!session.empty()) h.emplace_back("Mcp-Session-Id", session);
    for (auto& e : extra) h.push_back(std::move(e));
    return Send("POST", message.dump(), std::move(h));
  }

  static Json InitRequest(const std::string& version = "2025-11-25", Json caps = Json::object()) {
    return Json{{"jsonrpc", "2.0"},
                {"id", 1},
                {"method", "initialize"},
                {"params",
                 {{"protocolVersion", version},
                  {"capabilities", std::move(caps)},
                  {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}};
  }

  // initialize + notifications/initialized; returns the session id.
  std::string Initialize(const std::string& version = "2025-11-25", Json caps = Json::object()) {
    auto r = Post(InitRequest(version, std::move(caps)));
    EXPECT_EQ(r.status, 200) << r.body;
    auto id = r.Header("mcp-session-id");
    EXPECT_TRUE(id.has_value());
    std::string session = id ? std::string(*id) : "";
    auto n = Post(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, session);
    EXPECT_EQ(n.status, 202);
    return session;
  }

  static Json Body(const http::ClientResponse& r) {
    Json j = Json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body;
    return j;
  }

  Registry registry_;
  std::unique_ptr<HttpTransport> transport_;
  std::unique_ptr<http::Server> server_;
  std::string url_;
};

TEST_F(HttpTransportTest, InitializeAssignsARandomSessionId) {
  Start();
  auto a = Post(InitRequest());
  auto b = Post(InitRequest());
  ASSERT_EQ(a.status, 200);
  EXPECT_NE(a.Header("content-type")->find("application/json"), std::string::npos);
  std::string ida(*a.Header("mcp-session-id")), idb(*b.Header("mcp-session-id"));
  EXPECT_EQ(ida.size(), 32u);
  EXPECT_EQ(ida.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(ida, idb);
  EXPECT_EQ(Body(a)["result"]["protocolVersion"], "2025-11-25");
  EXPECT_EQ(transport_->session_count(), 2u);
}

TEST_F(HttpTransportTest, ProtocolVersionNegotiationAndHeaderCheck) {
  Start();
  EXPECT_EQ(Body(Post(InitRequest("2025-03-26")))["result"]["protocolVersion"], "2025-03-26");
  EXPECT_EQ(Body(Post(InitRequest("2024-11-05")))["result"]["protocolVersion"], "2025-11-25");
  std::string s = Initialize();
  Json ping{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "ping"}};
  EXPECT_EQ(Post(ping, s, kBothAccept, {{"MCP-Protocol-Version", "2025-06-18"}}).status, 200);
  auto bad = Post(ping, s, kBothAccept, {{"MCP-Protocol-Version", "1999-01-01"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(Body(bad)["error"]["message"].get<std::string>().find("1999-01-01"), std::string::npos);
}

TEST_F(HttpTransportTest, ForeignHostOrOriginIs403) {
  Start();
  std::string port = std::to_string(server_->port());
  auto evil_host = Post(InitRequest(), "", kBothAccept, {{"Host", "evil.example.com"}});
  EXPECT_EQ(evil_host.status, 403);
  EXPECT_EQ(Body(evil_host)["error"]["code"], kServerError);
  auto evil_origin = Post(InitRequest(), "", kBothAccept, {{"Origin", "http://evil.example.com"}});
  EXPECT_EQ(evil_origin.status, 403);
  // A page of another local server (another port) is refused too.
  EXPECT_EQ(Post(InitRequest(), "", kBothAccept, {{"Origin", "http://localhost:1"}}).status, 403);
  EXPECT_EQ(Post(InitRequest(), "", kBothAccept, {{"Origin", "null"}}).status, 403);
  // The server's own origin, and loopback hosts, are fine.
  EXPECT_EQ(Post(InitRequest(), "", kBothAccept,
                 {{"Host", "localhost:" + port}, {"Origin", "http://localhost:" + port}})
                .status,
            200);
  EXPECT_EQ(Post(InitRequest(), "", kBothAccept, {{"Host", "[::1]:" + port}}).status, 200);
}

TEST(HostAndOrigin, ExtraHostsAndOrigins) {
  HttpTransportOptions o;
  o.port = 8888;
  o.allowed_hosts = {"mybox", "other:9000"};
  o.allowed_origins = {"http://localhost:5173"};
  auto check = [&](std::string host, std::string origin) {
    http::Request r;
    if (!host.empty()) r.headers.emplace_back("host", host);
    if (!origin.empty()) r.headers.emplace_back("origin", origin);
    std::string why;
    bool ok = HostAndOriginAllowed(r, o, &why);
    EXPECT_EQ(ok, why.empty());
    return ok;
  };
  EXPECT_TRUE(check("127.0.0.1:8888", ""));
  EXPECT_TRUE(check("LOCALHOST", ""));
  EXPECT_TRUE(check("mybox:1234", ""));
  EXPECT_TRUE(check("other:9000", ""));
  EXPECT_FALSE(check("other:9001", ""));
  EXPECT_FALSE(check("", ""));
  EXPECT_FALSE(check("localhost.evil.com", ""));
  EXPECT_TRUE(check("localhost", "http://127.0.0.1:8888"));
  EXPECT_TRUE(check("localhost", "https://[::1]:8888/"));
  EXPECT_TRUE(check("localhost", "http://localhost:5173"));
  EXPECT_FALSE(check("localhost", "http://localhost:5174"));
  EXPECT_FALSE(check("localhost", "http://127.0.0.1"));
  EXPECT_FALSE(check("localhost", "file://"));
}

TEST_F(HttpTransportTest, BearerToken) {
  HttpTransportOptions o;
  o.bearer_token = "s3cret";
  Start(o);
  http::HeaderList h = {{"Content-Type", "application/json"}, {"Accept", kBothAccept}};
  auto none = Send("POST", InitRequest().dump(), h);
  EXPECT_EQ(none.status, 401);
  EXPECT_TRUE(none.Header("www-authenticate").has_value());
  EXPECT_EQ(Send("POST", InitRequest().dump(), h, "wrong").status, 401);
  EXPECT_EQ(Send("POST", InitRequest().dump(), h, "s3cret").status, 200);
}

TEST_F(HttpTransportTest, MalformedRequestsGetJsonRpcErrors) {
  Start();
  http::HeaderList h = {{"Content-Type", "application/json"}, {"Accept", kBothAccept}};
  auto garbage = Send("POST", "{\"jsonrpc\": \"2.0\", oops", h);
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(Body(garbage)["error"]["code"], kParseError);
  EXPECT_EQ(Body(Send("POST", std::string(500000, '['), h))["error"]["code"], kParseError);
  EXPECT_EQ(Send("POST", "{}", {{"Content-Type", "text/plain"}}).status, 415);
  EXPECT_EQ(Send("POST", "[]", h).status, 400);
  EXPECT_EQ(Send("PUT", "{}", h).status, 405);
  // initialize inside a batch is refused.
  EXPECT_EQ(Send("POST", "[" + InitRequest().dump() + "]", h).status, 400);
  std::string s = Initialize();
  // Not a JSON-RPC message at all: 400 with -32600.
  auto odd = Post(Json{{"hello", "world"}}, s);
  EXPECT_EQ(odd.status, 400);
  EXPECT_EQ(Body(odd)["error"]["code"], kInvalidRequest);
  auto unknown_method = Post(Json{{"jsonrpc", "2.0"}, {"id", 3}, {"method", "nope"}}, s);
  EXPECT_EQ(unknown_method.status, 200);
  EXPECT_EQ(Body(unknown_method)["error"]["code"], kMethodNotFound);
}

TEST_F(HttpTransportTest, HugeBodyIs413) {
  Start({}, 64 << 10);
  http::HeaderList h = {{"Content-Type", "application/json"}, {"Accept", kBothAccept}};
  std::string big = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":")" +
                    std::string(200 << 10, 'a') + "\"}}";
  EXPECT_EQ(Send("POST", big, h).status, 413);
}

TEST_F(HttpTransportTest, SessionLifecycle) {
  Start();
  Json ping{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "ping"}};
  auto missing = Post(ping);
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(Post(ping, "0123456789abcdef0123456789abcdef").status, 404);
  std::string s = Initialize();
  auto ok = Post(ping, s);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(Body(ok)["result"], Json::object());
  auto del = Send("DELETE", "", {{"Mcp-Session-Id", s}});
  EXPECT_EQ(del.status, 200);
  EXPECT_EQ(transport_->session_count(), 0u);
  auto after = Post(ping, s);
  EXPECT_EQ(after.status, 404);
  EXPECT_EQ(Body(after)["error"]["code"], kSessionNotFound);
  EXPECT_EQ(Send("DELETE", "", {{"Mcp-Session-Id", s}}).status, 404);
}

TEST_F(HttpTransportTest, SessionLimitEndsTheLeastRecentlyUsed) {
  HttpTransportOptions o;
  o.max_sessions = 2;
  Start(o);
  std::string a = Initialize(), b = Initialize();
  Json ping{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "ping"}};
  EXPECT_EQ(Post(ping, a).status, 200);  // a is now the more recently used
  std::string c = Initialize();
  EXPECT_EQ(transport_->session_count(), 2u);
  EXPECT_EQ(Post(ping, b).status, 404);
  EXPECT_EQ(Post(ping, a).status, 200);
  EXPECT_EQ(Post(ping, c).status, 200);
}

TEST_F(HttpTransportTest, UnknownToolIsAJsonRpcError) {
  Start();
  std::string s = Initialize();
  Json call{
      {"jsonrpc", "2.0"}, {"id", 5}, {"method", "tools/call"}, {"params", {{"name", "nope"}}}};
  auto r = Post(call, s, "application/json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Body(r)["error"]["code"], kInvalidParams);
  // The same over SSE: the error is the stream's one message.
  auto sse = Post(call, s);
  EXPECT_NE(sse.Header("content-type")->find("text/event-stream"), std::string::npos);
  auto events = SseMessages(sse.body);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["error"]["code"], kInvalidParams);
}

TEST_F(HttpTransportTest, ToolCallStreamsProgressThenTheResult) {
  Start();
  std::string s = Initialize();
  Json call{{"jsonrpc", "2.0"},
            {"id", "t1"},
            {"method", "tools/call"},
            {"params", {{"name", "test_tool_with_progress"}, {"_meta", {{"progressToken", 7}}}}}};
  auto r = Post(call, s);
  ASSERT_EQ(r.status, 200);
  auto events = SseMessages(r.body);
  ASSERT_EQ(events.size(), 4u) << r.body;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(events[i]["method"], "notifications/progress");
    EXPECT_EQ(events[i]["params"]["progressToken"], 7);
  }
  EXPECT_EQ(events[3]["id"], "t1");
  EXPECT_TRUE(events[3]["result"].contains("content"));
  // JSON-only clients get the result alone.
  auto plain = Post(call, s, "application/json");
  EXPECT_EQ(Body(plain)["id"], "t1");
}

TEST_F(HttpTransportTest, SamplingRequestAnsweredByAnotherPost) {
  Start();
  std::string s = Initialize("2025-11-25", Json{{"sampling", Json::object()}});
  std::mutex mu;
  std::string seen;
  std::atomic<bool> answered{false};
  auto stream = std::async(std::launch::async, [&] {
    http::ClientRequest r;
    r.method = "POST";
    r.url = url_;
    r.headers = {
        {"Content-Type", "application/json"}, {"Accept", kBothAccept}, {"Mcp-Session-Id", s}};
    r.body = Json{{"jsonrpc", "2.0"},
                  {"id", 9},
                  {"method", "tools/call"},
                  {"params", {{"name", "test_sampling"}, {"arguments", {{"prompt", "hello"}}}}}}
                 .dump();
    r.timeout_ms = 60000;
    r.on_body = [&](std::string_view chunk) {
      std::lock_guard lock(mu);
      seen.append(chunk);
      for (const auto& m : SseMessages(seen)) {
        if (m.value("method", "") == "sampling/createMessage" && !answered.exchange(true)) {
          Json reply{{"jsonrpc", "2.0"},
                     {"id", m["id"]},
                     {"result",
                      {{"role", "assistant"},
                       {"content", {{"type", "text"}, {"text", "hi back"}}},
                       {"model", "m"}}}};
          // Answered from another thread: this one is busy reading the stream.
          std::thread([this, reply, s] { EXPECT_EQ(Post(reply, s).status, 202); }).join();
        }
      }
      return true;
    };
    return http::Fetch(r);
  });
  auto r = stream.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto events = SseMessages(seen);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["result"]["content"][0]["text"], "LLM response: hi back");
}

TEST_F(HttpTransportTest, GetStreamCarriesResourceUpdatesAndEndsAtShutdown) {
  Start();
  std::string s = Initialize();
  auto sub = Post(Json{{"jsonrpc", "2.0"},
                       {"id", 4},
                       {"method", "resources/subscribe"},
                       {"params", {{"uri", "test://watched-resource"}}}},
                  s);
  ASSERT_EQ(sub.status, 200);
  EXPECT_EQ(Send("GET", "", {{"Mcp-Session-Id", s}, {"Accept", "application/json"}}).status, 406);
  std::mutex mu;
  std::string seen;
  std::atomic<bool> got_update{false};
  auto stream = std::async(std::launch::async, [&] {
    http::ClientRequest r;
    r.url = url_;
    r.headers = {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", s}};
    r.timeout_ms = 60000;
    r.on_body = [&](std::string_view chunk) {
      std::lock_guard lock(mu);
      seen.append(chunk);
      if (seen.find("notifications/resources/updated") != std::string::npos) got_update = true;
      return true;
    };
    return http::Fetch(r);
  });
  // Notify until the stream has registered and delivered one (hang guard 30 s).
  for (int i = 0; i < 3000 && !got_update; ++i) {
    transport_->NotifyResourceUpdated("test://watched-resource");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(got_update);
  transport_->Shutdown();  // ends the stream: the GET completes
  auto r = stream.get();
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Post(Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}}, s).status, 503);
}

TEST_F(HttpTransportTest, ClosedStreamIsResumedWithLastEventId) {
  Start();
  std::string s = Initialize("2025-11-25");
  Json call{{"jsonrpc", "2.0"},
            {"id", 11},
            {"method", "tools/call"},
            {"params", {{"name", "test_reconnection"}}}};
  // The tool ends its stream before answering: only the priming event came.
  auto first = Post(call, s);
  ASSERT_EQ(first.status, 200);
  auto ids = SseIds(first.body);
  ASSERT_FALSE(ids.empty()) << first.body;
  EXPECT_NE(first.body.find("retry: "), std::string::npos);
  EXPECT_TRUE(SseMessages(first.body).empty()) << first.body;
  // GET with the last id seen gets the rest: the answer, then the stream ends.
  auto resumed =
      Send("GET", "",
           {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", s}, {"Last-Event-ID", ids.back()}});
  ASSERT_EQ(resumed.status, 200);
  auto events = SseMessages(resumed.body);
  ASSERT_EQ(events.size(), 1u) << resumed.body;
  EXPECT_EQ(events[0]["id"], 11);
  EXPECT_EQ(events[0]["result"]["content"][0]["text"], "Reconnection test completed");
  // Resuming again from the start replays the same answer.
  auto again = Send(
      "GET", "",
      {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", s}, {"Last-Event-ID", ids.front()}});
  EXPECT_EQ(SseMessages(again.body).size(), 1u);
}

TEST_F(HttpTransportTest, OlderSessionsGetPlainEventsOnOneStream) {
  Start();
  std::string s = Initialize("2025-06-18");
  Json call{{"jsonrpc", "2.0"},
            {"id", 12},
            {"method", "tools/call"},
            {"params", {{"name", "test_reconnection"}}}};
  auto r = Post(call, s);
  EXPECT_TRUE(SseIds(r.body).empty()) << r.body;
  auto events = SseMessages(r.body);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["id"], 12);
}

TEST_F(HttpTransportTest, BatchesFor20250326Sessions) {
  Start();
  std::string old_session = Initialize("2025-03-26");
  std::string batch =
      R"([{"jsonrpc":"2.0","id":1,"method":"ping"},)"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"test_simple_text"}}])";
  http::HeaderList h = {{"Content-Type", "application/json"}, {"Accept", kBothAccept}};
  auto with = h;
  with.emplace_back("Mcp-Session-Id", old_session);
  auto r = Send("POST", batch, with);
  ASSERT_EQ(r.status, 200);
  Json answers = Body(r);
  ASSERT_TRUE(answers.is_array());
  EXPECT_EQ(answers.size(), 2u);
  std::string new_session = Initialize("2025-11-25");
  auto modern = h;
  modern.emplace_back("Mcp-Session-Id", new_session);
  EXPECT_EQ(Send("POST", batch, modern).status, 400);
}

}  // namespace
}  // namespace ipfs_kit::mcp
