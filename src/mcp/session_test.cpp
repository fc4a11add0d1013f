// Tests of the pure MCP session: JSON-RPC in, JSON-RPC out, no I/O.
// Waits (for a handler blocked on the client) have long hang guards only.
#include "ipfs_kit/mcp/session.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "ipfs_kit/mcp/conformance_fixtures.h"

namespace ipfs_kit::mcp {
namespace {

Json Request(const Json& id, const std::string& method, Json params = Json::object()) {
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

Json InitParams(const std::string& version, Json caps = Json::object()) {
  return Json{{"protocolVersion", version},
              {"capabilities", std::move(caps)},
              {"clientInfo", {{"name", "test"}, {"version", "1"}}}};
}

const Outbound kNoChannel = [](const Json&) { return false; };

// Collects what the session sends on a request's related channel.
struct Recorder {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Json> messages;
  Outbound sink() {
    return [this](const Json& m) {
      std::lock_guard lock(mu);
      messages.push_back(m);
      cv.notify_all();
      return true;
    };
  }
  // Waits (hang guard 30 s) until a message with `method` arrives.
  std::optional<Json> WaitFor(const std::string& method) {
    std::unique_lock lock(mu);
    std::optional<Json> found;
    cv.wait_for(lock, std::chrono::seconds(30), [&] {
      for (const auto& m : messages) {
        if (m.value("method", "") == method) {
          found = m;
          return true;
        }
      }
      return false;
    });
    return found;
  }
};

class SessionTest : public ::testing::Test {
 protected:
  SessionTest() {
    RegisterConformanceFixtures(registry_);
    Tool typed;
    typed.name = "typed";
    typed.description = "checks argument types";
    typed.input_schema = Json{{"type", "object"},
                              {"properties",
                               {{"s", {{"type", "string"}}},
                                {"n", {{"type", "integer"}}},
                                {"b", {{"type", {"boolean", "null"}}}}}},
                              {"required", {"s"}}};
    typed.handler = [](const Json& args, CallContext&) {
      return Result<ToolResult>(ToolResult::Structured(Json{{"echo", args}}));
    };
    registry_.AddTool(std::move(typed));
    Tool chatty;
    chatty.name = "chatty";
    chatty.description = "logs at debug and at warning";
    chatty.handler = [](const Json&, CallContext& ctx) {
      ctx.log("debug", "quiet");
      ctx.log("warning", "loud");
      return Result<ToolResult>(ToolResult::Text("ok"));
    };
    registry_.AddTool(std::move(chatty));
    Tool waits;
    waits.name = "wait_for_cancel";
    waits.description = "returns once cancelled";
    waits.handler = [](const Json&, CallContext& ctx) {
      auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (!ctx.cancelled() && std::chrono::steady_clock::now() < guard) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      return Result<ToolResult>(ToolResult::Text(ctx.cancelled() ? "cancelled" : "not cancelled"));
    };
    registry_.AddTool(std::move(waits));
    Tool throws;
    throws.name = "throws";
    throws.description = "a handler that throws";
    throws.handler = [](const Json& args, CallContext&) -> Result<ToolResult> {
      (void)args.at("missing");  // nlohmann throws out_of_range
      return ToolResult::Text("unreachable");
    };
    registry_.AddTool(std::move(throws));
    ResourceTemplate files;
    files.uri_template = "files://{bucket}/{path}";
    files.name = "files";
    files.read = [](const std::string& uri, const std::map<std::string, std::string>& vars,
                    CallContext&) -> Result<std::vector<ResourceContent>> {
      if (vars.at("bucket") == "missing") return Status::NotFound("no bucket missing");
      return std::vector<ResourceContent>{
          {uri, "text/plain", vars.at("bucket") + "|" + vars.at("path"), std::nullopt}};
    };
    registry_.AddResourceTemplate(std::move(files));
  }

  Json Init(Session& s, const std::string& version = "2025-11-25", Json caps = Json::object()) {
    auto r = s.Handle(Request(0, "initialize", InitParams(version, std::move(caps))), kNoChannel);
    EXPECT_TRUE(r.has_value());
    s.Handle(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, kNoChannel);
    return r.value_or(Json());
  }

  Json Call(Session& s, const Json& request, const Outbound& out = kNoChannel) {
    auto r = s.Handle(request, out);
    EXPECT_TRUE(r.has_value()) << request.dump();
    return r.value_or(Json());
  }

  static int ErrorCode(const Json& response) {
    if (!response.contains("error")) return 0;
    return response["error"]["code"].get<int>();
  }

  Registry registry_;
};

TEST_F(SessionTest, InitializeNegotiatesTheVersion) {
  for (const char* v : {"2025-11-25", "2025-06-18", "2025-03-26"}) {
    Session s(registry_);
    Json r = Init(s, v);
    EXPECT_EQ(r["result"]["protocolVersion"], v);
    EXPECT_EQ(s.protocol_version(), v);
  }
  for (const char* v : {"2024-11-05", "1999-01-01", "draft"}) {
    Session s(registry_);
    Json r = Init(s, v);
    EXPECT_EQ(r["result"]["protocolVersion"], "2025-11-25") << v;
  }
  Session s(registry_);
  Json r = Init(s);
  const Json& caps = r["result"]["capabilities"];
  EXPECT_TRUE(caps.contains("tools"));
  EXPECT_EQ(caps["resources"]["subscribe"], true);
  EXPECT_TRUE(caps.contains("prompts"));
  EXPECT_TRUE(caps.contains("logging"));
  EXPECT_TRUE(caps.contains("completions"));
  EXPECT_EQ(r["result"]["serverInfo"]["name"], "ipfs-kit");
  EXPECT_EQ(r["id"], 0);
}

TEST_F(SessionTest, InitializeNeedsAVersionAndHappensOnce) {
  Session s(registry_);
  EXPECT_EQ(ErrorCode(Call(s, Request(1, "initialize", Json::object()))), kInvalidParams);
  EXPECT_FALSE(s.initialized());
  Init(s);
  EXPECT_EQ(ErrorCode(Call(s, Request(2, "initialize", InitParams("2025-11-25")))),
            kInvalidRequest);
}

TEST_F(SessionTest, OnlyPingBeforeInitialize) {
  Session s(registry_);
  Json ping = Call(s, Request("p", "ping"));
  EXPECT_EQ(ping["result"], Json::object());
  EXPECT_EQ(ping["id"], "p");
  EXPECT_EQ(ErrorCode(Call(s, Request(1, "tools/list"))), kInvalidRequest);
}

TEST_F(SessionTest, MalformedInputGetsJsonRpcErrors) {
  Session s(registry_);
  Init(s);
  auto code_of = [&](std::string_view text) {
    Json j = Json::parse(s.HandleText(text, kNoChannel));
    return j["error"]["code"].get<int>();
  };
  EXPECT_EQ(code_of("{not json"), kParseError);
  EXPECT_EQ(code_of(""), kParseError);
  EXPECT_EQ(code_of("\xff\xfe"), kParseError);
  EXPECT_EQ(code_of(std::string(100000, '[')), kParseError);
  EXPECT_EQ(code_of("42"), kInvalidRequest);
  EXPECT_EQ(code_of(R"({"id":1,"method":"ping"})"), kInvalidRequest);  // no jsonrpc
  EXPECT_EQ(code_of(R"({"jsonrpc":"2.0","id":{},"method":"ping"})"), kInvalidRequest);
  EXPECT_EQ(code_of(R"({"jsonrpc":"2.0","id":1,"method":7})"), kInvalidRequest);
  EXPECT_EQ(code_of(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":[1]})"), kInvalidRequest);
  EXPECT_EQ(code_of(R"({"jsonrpc":"2.0","id":1,"method":"no/such"})"), kMethodNotFound);
  // The id of an invalid message is echoed when it is usable.
  Json j = Json::parse(s.HandleText(R"({"jsonrpc":"1.0","id":"x","method":"ping"})", kNoChannel));
  EXPECT_EQ(j["id"], "x");
  // Notifications (known or not) and stray responses get nothing.
  EXPECT_EQ(s.HandleText(R"({"jsonrpc":"2.0","method":"notifications/whatever"})", kNoChannel), "");
  EXPECT_EQ(s.HandleText(R"({"jsonrpc":"2.0","id":"s99","result":{}})", kNoChannel), "");
}

TEST_F(SessionTest, BatchesOnlyIn20250326) {
  const std::string batch =
      R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/x"},)"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/list"}])";
  Session modern(registry_);
  Init(modern, "2025-11-25");
  EXPECT_EQ(Json::parse(modern.HandleText(batch, kNoChannel))["error"]["code"], kInvalidRequest);
  Session old(registry_);
  Init(old, "2025-03-26");
  Json answers = Json::parse(old.HandleText(batch, kNoChannel));
  ASSERT_TRUE(answers.is_array());
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0]["id"], 1);
  EXPECT_TRUE(answers[1]["result"].contains("tools"));
  EXPECT_EQ(Json::parse(old.HandleText("[]", kNoChannel))["error"]["code"], kInvalidRequest);
}

TEST_F(SessionTest, ListsArePaginatedWithOpaqueCursors) {
  SessionOptions o;
  o.page_size = 3;
  Session s(registry_, o);
  Init(s);
  std::vector<std::string> names;
  Json params = Json::object();
  for (int page = 0; page < 100; ++page) {
    Json r = Call(s, Request(page, "tools/list", params));
    ASSERT_TRUE(r.contains("result")) << r.dump();
    for (const auto& t : r["result"]["tools"]) {
      names.push_back(t["name"]);
      EXPECT_TRUE(t.contains("description"));
      EXPECT_TRUE(t["inputSchema"].is_object());
    }
    if (!r["result"].contains("nextCursor")) break;
    params = Json{{"cursor", r["result"]["nextCursor"]}};
  }
  EXPECT_EQ(names.size(), registry_.tools().size());
  EXPECT_EQ(ErrorCode(Call(s, Request(1, "tools/list", {{"cursor", "bogus"}}))), kInvalidParams);
  EXPECT_EQ(ErrorCode(Call(s, Request(1, "tools/list", {{"cursor", 5}}))), kInvalidParams);
  // Resources, templates and prompts page the same way.
  Json res = Call(s, Request(2, "resources/list"));
  EXPECT_EQ(res["result"]["resources"].size(), 3u);
  Json tpl = Call(s, Request(3, "resources/templates/list"));
  EXPECT_EQ(tpl["result"]["resourceTemplates"][0]["uriTemplate"], "test://template/{id}/data");
  Json prompts = Call(s, Request(4, "prompts/list", {{"cursor", nullptr}}));
  EXPECT_EQ(prompts["result"]["prompts"].size(), 3u);
  EXPECT_TRUE(prompts["result"].contains("nextCursor"));
}

TEST_F(SessionTest, JsonSchemaKeywordsArePassedThrough) {
  Session s(registry_);
  Init(s);
  Json r = Call(s, Request(1, "tools/list", Json::object()));
  for (const auto& t : r["result"]["tools"]) {
    if (t["name"] != "json_schema_2020_12_tool") continue;
    EXPECT_EQ(t["inputSchema"]["$schema"], "https://json-schema.org/draft/2020-12/schema");
    EXPECT_TRUE(t["inputSchema"]["$defs"].contains("address"));
    EXPECT_EQ(t["inputSchema"]["additionalProperties"], false);
    return;
  }
  FAIL() << "json_schema_2020_12_tool not listed";
}

TEST_F(SessionTest, ToolCallChecksNameAndArguments) {
  Session s(registry_);
  Init(s);
  auto call = [&](const Json& params) { return Call(s, Request(7, "tools/call", params)); };
  Json unknown = call({{"name", "nope"}});
  EXPECT_EQ(ErrorCode(unknown), kInvalidParams);
  EXPECT_NE(unknown["error"]["message"].get<std::string>().find("nope"), std::string::npos);
  EXPECT_EQ(ErrorCode(call({{"arguments", Json::object()}})), kInvalidParams);
  EXPECT_EQ(ErrorCode(call({{"name", "typed"}, {"arguments", Json::object()}})), kInvalidParams);
  EXPECT_EQ(ErrorCode(call({{"name", "typed"}, {"arguments", {{"s", 1}}}})), kInvalidParams);
  EXPECT_EQ(ErrorCode(call({{"name", "typed"}, {"arguments", {{"s", "x"}, {"n", 1.5}}}})),
            kInvalidParams);
  EXPECT_EQ(ErrorCode(call({{"name", "typed"}, {"arguments", {{"s", "x"}, {"b", "no"}}}})),
            kInvalidParams);
  EXPECT_EQ(ErrorCode(call({{"name", "typed"}, {"arguments", Json::array()}})), kInvalidParams);
  EXPECT_EQ(ErrorCode(call({{"name", "json_schema_2020_12_tool"}, {"arguments", {{"extra", 1}}}})),
            kInvalidParams);
  Json ok = call({{"name", "typed"}, {"arguments", {{"s", "x"}, {"n", 2.0}, {"b", nullptr}}}});
  ASSERT_TRUE(ok.contains("result")) << ok.dump();
  EXPECT_EQ(ok["result"]["structuredContent"]["echo"]["s"], "x");
  // Structured output also comes as one text item for older clients.
  EXPECT_EQ(Json::parse(ok["result"]["content"][0]["text"].get<std::string>())["echo"]["s"], "x");
  EXPECT_FALSE(ok["result"].contains("isError"));
}

TEST_F(SessionTest, FailingToolIsAnIsErrorResult) {
  Session s(registry_);
  Init(s);
  Json r = Call(s, Request(1, "tools/call", {{"name", "test_error_handling"}}));
  ASSERT_TRUE(r.contains("result"));
  EXPECT_EQ(r["result"]["isError"], true);
  EXPECT_EQ(r["result"]["content"][0]["text"],
            "This tool intentionally returns an error for testing");
  Json t = Call(s, Request(2, "tools/call", {{"name", "throws"}}));
  EXPECT_EQ(t["result"]["isError"], true);
}

TEST_F(SessionTest, OlderVersionsGetNoStructuredContentOrTitles) {
  Session s(registry_);
  Init(s, "2025-03-26");
  Json ok = Call(s, Request(1, "tools/call", {{"name", "typed"}, {"arguments", {{"s", "x"}}}}));
  EXPECT_FALSE(ok["result"].contains("structuredContent"));
  EXPECT_EQ(ok["result"]["content"].size(), 1u);
}

TEST_F(SessionTest, ResourcesReadStaticTemplateAndNotFound) {
  Session s(registry_);
  Init(s);
  Json text = Call(s, Request(1, "resources/read", {{"uri", "test://static-text"}}));
  EXPECT_EQ(text["result"]["contents"][0]["text"],
            "This is the content of the static text resource.");
  EXPECT_EQ(text["result"]["contents"][0]["mimeType"], "text/plain");
  Json bin = Call(s, Request(2, "resources/read", {{"uri", "test://static-binary"}}));
  EXPECT_TRUE(bin["result"]["contents"][0].contains("blob"));
  Json tpl = Call(s, Request(3, "resources/read", {{"uri", "test://template/123/data"}}));
  EXPECT_NE(tpl["result"]["contents"][0]["text"].get<std::string>().find("123"), std::string::npos);
  // The last variable may hold '/', values are percent-decoded.
  Json path = Call(s, Request(4, "resources/read", {{"uri", "files://b%20x/dir/file.txt"}}));
  EXPECT_EQ(path["result"]["contents"][0]["text"], "b x|dir/file.txt");
  Json missing = Call(s, Request(5, "resources/read", {{"uri", "test://nothing"}}));
  EXPECT_EQ(ErrorCode(missing), kResourceNotFound);
  EXPECT_EQ(missing["error"]["data"]["uri"], "test://nothing");
  EXPECT_EQ(ErrorCode(Call(s, Request(6, "resources/read", {{"uri", "files://missing/x"}}))),
            kResourceNotFound);
  EXPECT_EQ(ErrorCode(Call(s, Request(7, "resources/read", {{"uri", "test://template//data"}}))),
            kResourceNotFound);
  EXPECT_EQ(ErrorCode(Call(s, Request(8, "resources/read", Json::object()))), kInvalidParams);
}

TEST_F(SessionTest, SubscribeAndNotify) {
  Session s(registry_);
  Init(s);
  Recorder rec;
  s.SetUnrelatedSink(rec.sink());
  EXPECT_EQ(
      Call(s, Request(1, "resources/subscribe", {{"uri", "test://watched-resource"}}))["result"],
      Json::object());
  s.NotifyResourceUpdated("test://watched-resource");
  s.NotifyResourceUpdated("test://other");
  ASSERT_EQ(rec.messages.size(), 1u);
  EXPECT_EQ(rec.messages[0]["method"], "notifications/resources/updated");
  EXPECT_EQ(rec.messages[0]["params"]["uri"], "test://watched-resource");
  Call(s, Request(2, "resources/unsubscribe", {{"uri", "test://watched-resource"}}));
  s.NotifyResourceUpdated("test://watched-resource");
  EXPECT_EQ(rec.messages.size(), 1u);
  EXPECT_EQ(ErrorCode(Call(s, Request(3, "resources/subscribe", {{"uri", 3}}))), kInvalidParams);
}

TEST_F(SessionTest, PromptsGetChecksArguments) {
  Session s(registry_);
  Init(s);
  Json ok = Call(s, Request(1, "prompts/get",
                            {{"name", "test_prompt_with_arguments"},
                             {"arguments", {{"arg1", "hello"}, {"arg2", "world"}}}}));
  EXPECT_EQ(ok["result"]["messages"][0]["content"]["text"],
            "Prompt with arguments: arg1='hello', arg2='world'");
  EXPECT_EQ(ErrorCode(Call(s, Request(2, "prompts/get",
                                      {{"name", "test_prompt_with_arguments"},
                                       {"arguments", {{"arg1", "hello"}}}}))),
            kInvalidParams);
  EXPECT_EQ(ErrorCode(Call(s, Request(3, "prompts/get",
                                      {{"name", "test_prompt_with_arguments"},
                                       {"arguments", {{"arg1", 1}, {"arg2", "x"}}}}))),
            kInvalidParams);
  EXPECT_EQ(ErrorCode(Call(s, Request(4, "prompts/get", {{"name", "nope"}}))), kInvalidParams);
  Json image = Call(s, Request(5, "prompts/get", {{"name", "test_prompt_with_image"}}));
  EXPECT_EQ(image["result"]["messages"][0]["content"]["type"], "image");
}

TEST_F(SessionTest, Completion) {
  Session s(registry_);
  Init(s);
  Json r =
      Call(s, Request(1, "completion/complete",
                      {{"ref", {{"type", "ref/prompt"}, {"name", "test_prompt_with_arguments"}}},
                       {"argument", {{"name", "arg1"}, {"value", "par"}}}}));
  EXPECT_EQ(r["result"]["completion"]["values"], Json({"paris", "park", "party"}));
  EXPECT_EQ(r["result"]["completion"]["hasMore"], false);
  Json t =
      Call(s, Request(2, "completion/complete",
                      {{"ref", {{"type", "ref/resource"}, {"uri", "test://template/{id}/data"}}},
                       {"argument", {{"name", "id"}, {"value", "12"}}}}));
  EXPECT_EQ(t["result"]["completion"]["values"], Json({"12", "123"}));
  EXPECT_EQ(ErrorCode(Call(s, Request(3, "completion/complete",
                                      {{"ref", {{"type", "ref/prompt"}, {"name", "nope"}}},
                                       {"argument", {{"name", "a"}, {"value", ""}}}}))),
            kInvalidParams);
  EXPECT_EQ(ErrorCode(Call(s, Request(4, "completion/complete", {{"ref", "x"}}))), kInvalidParams);
}

TEST_F(SessionTest, LoggingLevelFiltersToolLogs) {
  Session s(registry_);
  Init(s);
  {
    Recorder rec;
    Call(s, Request(1, "tools/call", {{"name", "chatty"}}), rec.sink());
    ASSERT_EQ(rec.messages.size(), 1u);  // default level: info
    EXPECT_EQ(rec.messages[0]["params"]["level"], "warning");
    EXPECT_EQ(rec.messages[0]["params"]["data"], "loud");
  }
  EXPECT_EQ(Call(s, Request(2, "logging/setLevel", {{"level", "debug"}}))["result"],
            Json::object());
  {
    Recorder rec;
    Call(s, Request(3, "tools/call", {{"name", "chatty"}}), rec.sink());
    EXPECT_EQ(rec.messages.size(), 2u);
  }
  Call(s, Request(4, "logging/setLevel", {{"level", "error"}}));
  {
    Recorder rec;
    Call(s, Request(5, "tools/call", {{"name", "chatty"}}), rec.sink());
    EXPECT_EQ(rec.messages.size(), 0u);
  }
  EXPECT_EQ(ErrorCode(Call(s, Request(6, "logging/setLevel", {{"level", "loud"}}))),
            kInvalidParams);
}

TEST_F(SessionTest, ProgressNeedsAToken) {
  Session s(registry_);
  Init(s);
  Recorder with;
  Call(s,
       Request(1, "tools/call",
               {{"name", "test_tool_with_progress"}, {"_meta", {{"progressToken", "tok"}}}}),
       with.sink());
  ASSERT_EQ(with.messages.size(), 3u);
  EXPECT_EQ(with.messages[0]["method"], "notifications/progress");
  EXPECT_EQ(with.messages[0]["params"]["progressToken"], "tok");
  EXPECT_EQ(with.messages[2]["params"]["progress"], 100.0);
  EXPECT_EQ(with.messages[2]["params"]["total"], 100.0);
  Recorder without;
  Call(s, Request(2, "tools/call", {{"name", "test_tool_with_progress"}}), without.sink());
  EXPECT_TRUE(without.messages.empty());
}

TEST_F(SessionTest, SamplingRoundTrip) {
  Session s(registry_);
  Init(s, "2025-11-25", Json{{"sampling", Json::object()}});
  Recorder rec;
  auto answer = std::async(std::launch::async, [&] {
    return Call(
        s, Request(9, "tools/call", {{"name", "test_sampling"}, {"arguments", {{"prompt", "hi"}}}}),
        rec.sink());
  });
  auto request = rec.WaitFor("sampling/createMessage");
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ((*request)["params"]["messages"][0]["content"]["text"], "hi");
  Json response{{"jsonrpc", "2.0"},
                {"id", (*request)["id"]},
                {"result",
                 {{"role", "assistant"},
                  {"content", {{"type", "text"}, {"text", "from the model"}}},
                  {"model", "m"}}}};
  EXPECT_FALSE(s.Handle(response, kNoChannel).has_value());
  Json r = answer.get();
  EXPECT_EQ(r["result"]["content"][0]["text"], "LLM response: from the model");
}

TEST_F(SessionTest, ClientErrorAndMissingCapabilityFailTheTool) {
  Session s(registry_);
  Init(s, "2025-11-25", Json{{"elicitation", Json::object()}});
  // No sampling capability declared: the tool fails without sending anything.
  Recorder none;
  Json r = Call(
      s, Request(1, "tools/call", {{"name", "test_sampling"}, {"arguments", {{"prompt", "x"}}}}),
      none.sink());
  EXPECT_EQ(r["result"]["isError"], true);
  EXPECT_TRUE(none.messages.empty());
  // The client answers an error: the tool fails with its message.
  Recorder rec;
  auto answer = std::async(std::launch::async, [&] {
    return Call(
        s,
        Request(2, "tools/call", {{"name", "test_elicitation"}, {"arguments", {{"message", "m"}}}}),
        rec.sink());
  });
  auto request = rec.WaitFor("elicitation/create");
  ASSERT_TRUE(request.has_value());
  s.Handle(Json{{"jsonrpc", "2.0"},
                {"id", (*request)["id"]},
                {"error", {{"code", -1}, {"message", "user said no"}}}},
           kNoChannel);
  Json result = answer.get();
  EXPECT_EQ(result["result"]["isError"], true);
  EXPECT_NE(result["result"]["content"][0]["text"].get<std::string>().find("user said no"),
            std::string::npos);
}

TEST_F(SessionTest, CancelAllFailsAPendingClientRequest) {
  Session s(registry_);
  Init(s, "2025-11-25", Json{{"sampling", Json::object()}});
  Recorder rec;
  auto answer = std::async(std::launch::async, [&] {
    return Call(
        s, Request(1, "tools/call", {{"name", "test_sampling"}, {"arguments", {{"prompt", "x"}}}}),
        rec.sink());
  });
  ASSERT_TRUE(rec.WaitFor("sampling/createMessage").has_value());
  s.CancelAll();
  EXPECT_EQ(answer.get()["result"]["isError"], true);
}

TEST_F(SessionTest, NotificationCancelledReachesTheHandler) {
  Session s(registry_);
  Init(s);
  auto answer = std::async(std::launch::async, [&] {
    return Call(s, Request("c1", "tools/call", {{"name", "wait_for_cancel"}}));
  });
  // Keep cancelling until the call has registered (no timing assumption).
  while (answer.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready) {
    s.Handle(Json{{"jsonrpc", "2.0"},
                  {"method", "notifications/cancelled"},
                  {"params", {{"requestId", "c1"}, {"reason", "test"}}}},
             kNoChannel);
  }
  EXPECT_EQ(answer.get()["result"]["content"][0]["text"], "cancelled");
}

TEST(SessionParse, DepthLimitAndStrings) {
  EXPECT_TRUE(ParseMessage("[[[[1]]]]", 4).ok());
  EXPECT_FALSE(ParseMessage("[[[[[1]]]]]", 4).ok());
  // Brackets inside strings do not count.
  EXPECT_TRUE(ParseMessage(R"(["[[[[[[[[\"[[[["])", 2).ok());
  EXPECT_EQ(SerializeMessage(Json("\xff")).find('\n'), std::string::npos);
}

}  // namespace
}  // namespace ipfs_kit::mcp
