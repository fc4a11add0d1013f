// Tests of the stdio transport over a pair of pipes. Reads have a 30 s hang
// guard (poll); nothing asserts on timing.
#include "ipfs_kit/mcp/stdio_transport.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <future>
#include <string>

#include "ipfs_kit/mcp/conformance_fixtures.h"

namespace ipfs_kit::mcp {
namespace {

class StdioTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterConformanceFixtures(registry_);
    ASSERT_EQ(::pipe(to_server_), 0);
    ASSERT_EQ(::pipe(from_server_), 0);
  }
  void TearDown() override {
    CloseInput();
    if (run_.valid()) run_.wait();
    transport_.reset();
    ::close(to_server_[0]);
    ::close(from_server_[0]);
    ::close(from_server_[1]);
  }

  void Start(StdioTransportOptions o = {}) {
    o.in_fd = to_server_[0];
    o.out_fd = from_server_[1];
    transport_ = std::make_unique<StdioTransport>(registry_, o);
    run_ = std::async(std::launch::async, [this] { return transport_->Run(); });
  }

  void Send(const std::string& text) {
    ASSERT_EQ(::write(to_server_[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  void SendMessage(const Json& m) { Send(m.dump() + "\n"); }
  void CloseInput() {
    if (to_server_[1] >= 0) ::close(to_server_[1]);
    to_server_[1] = -1;
  }

  // The next output line as JSON (hang guard 30 s; null on timeout or EOF).
  Json ReadMessage() {
    for (;;) {
      size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return Json::parse(line);
      }
      pollfd p{from_server_[0], POLLIN, 0};
      if (::poll(&p, 1, 30000) <= 0) return Json();
      char buf[4096];
      ssize_t n = ::read(from_server_[0], buf, sizeof buf);
      if (n <= 0) return Json();
      buffer_.append(buf, static_cast<size_t>(n));
    }
  }

  void Initialize(Json caps = Json::object()) {
    SendMessage(Json{{"jsonrpc", "2.0"},
                     {"id", 0},
                     {"method", "initialize"},
                     {"params",
                      {{"protocolVersion", "2025-06-18"},
                       {"capabilities", std::move(caps)},
                       {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}});
    Json r = ReadMessage();
    ASSERT_EQ(r["result"]["protocolVersion"], "2025-06-18") << r.dump();
    SendMessage(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  }

  Registry registry_;
  int to_server_[2] = {-1, -1};
  int from_server_[2] = {-1, -1};
  std::string buffer_;
  std::unique_ptr<StdioTransport> transport_;
  std::future<Status> run_;
};

TEST_F(StdioTransportTest, ListsAndBadLines) {
  StdioTransportOptions o;
  o.max_line_bytes = 1024;
  Start(o);
  Initialize();
  SendMessage(Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}});
  Json tools = ReadMessage();
  EXPECT_GT(tools["result"]["tools"].size(), 10u);
  Send("this is not json\n");
  EXPECT_EQ(ReadMessage()["error"]["code"], kParseError);
  Send("\n   \r\n");                    // blank lines are ignored
  Send(std::string(5000, 'x') + "\n");  // over the line limit: skipped whole
  EXPECT_EQ(ReadMessage()["error"]["code"], kParseError);
  // A message split across writes, with CRLF.
  Send(R"({"jsonrpc":"2.0",)");
  Send("\"id\":2,\"method\":\"ping\"}\r\n");
  Json ping = ReadMessage();
  EXPECT_EQ(ping["id"], 2);
  EXPECT_EQ(ping["result"], Json::object());
  CloseInput();
  EXPECT_TRUE(run_.get().ok());
}

TEST_F(StdioTransportTest, CallsInFlightAnswerAfterEof) {
  Start();
  Initialize();
  SendMessage(
      Json{{"jsonrpc", "2.0"},
           {"id", "p"},
           {"method", "tools/call"},
           {"params", {{"name", "test_tool_with_progress"}, {"_meta", {{"progressToken", "k"}}}}}});
  CloseInput();
  int progress = 0;
  Json result;
  for (int i = 0; i < 10; ++i) {
    Json m = ReadMessage();
    if (m.is_null()) break;
    if (m.value("method", "") == "notifications/progress") ++progress;
    if (m.contains("id") && m["id"] == "p") {
      result = m;
      break;
    }
  }
  EXPECT_EQ(progress, 3);
  EXPECT_EQ(result["result"]["content"][0]["text"], "Tool with progress executed successfully");
  EXPECT_TRUE(run_.get().ok());
}

TEST_F(StdioTransportTest, ElicitationAnsweredOnStdin) {
  Start();
  Initialize(Json{{"elicitation", Json::object()}});
  SendMessage(
      Json{{"jsonrpc", "2.0"},
           {"id", 5},
           {"method", "tools/call"},
           {"params", {{"name", "test_elicitation"}, {"arguments", {{"message", "who?"}}}}}});
  Json request = ReadMessage();
  ASSERT_EQ(request["method"], "elicitation/create") << request.dump();
  EXPECT_EQ(request["params"]["message"], "who?");
  SendMessage(Json{{"jsonrpc", "2.0"},
                   {"id", request["id"]},
                   {"result", {{"action", "accept"}, {"content", {{"username", "u"}}}}}});
  Json result = ReadMessage();
  EXPECT_EQ(result["id"], 5);
  EXPECT_NE(result["result"]["content"][0]["text"].get<std::string>().find("action=accept"),
            std::string::npos);
}

TEST_F(StdioTransportTest, StopEndsRunAndCancelsAPendingRequest) {
  Start();
  Initialize(Json{{"sampling", Json::object()}});
  SendMessage(Json{{"jsonrpc", "2.0"},
                   {"id", 6},
                   {"method", "tools/call"},
                   {"params", {{"name", "test_sampling"}, {"arguments", {{"prompt", "x"}}}}}});
  ASSERT_EQ(ReadMessage()["method"], "sampling/createMessage");
  transport_->Stop();
  EXPECT_TRUE(run_.get().ok());
  // The tool learned that no answer will come, and said so.
  Json result = ReadMessage();
  EXPECT_EQ(result["id"], 6);
  EXPECT_EQ(result["result"]["isError"], true);
}

}  // namespace
}  // namespace ipfs_kit::mcp
