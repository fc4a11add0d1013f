// Fuzzes the MCP session's message parser and dispatcher (mcp/session.h):
// input lines are JSON-RPC messages handed to a fresh, initialized session
// whose registry holds a few tools, a resource, a template and a prompt, so
// that argument checks, cursors, template matching and completion all run.
// Every answer must be one line of valid JSON; nothing may crash or hang.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ipfs_kit/mcp/registry.h"
#include "ipfs_kit/mcp/session.h"

namespace mcp = ipfs_kit::mcp;
using mcp::Json;

namespace {

const mcp::Registry& FuzzRegistry() {
  static const mcp::Registry* registry = [] {
    auto* r = new mcp::Registry;
    mcp::Tool echo;
    echo.name = "echo";
    echo.description = "echoes its arguments";
    echo.input_schema = Json::parse(R"({"type":"object","properties":{"text":{"type":"string"},
        "n":{"type":"integer"},"flag":{"type":["boolean","null"]}},"required":["text"],
        "additionalProperties":false})");
    echo.handler = [](const Json& args, mcp::CallContext& ctx) {
      ctx.log("info", args);
      ctx.progress(1, 2, "half");
      return ipfs_kit::Result<mcp::ToolResult>(mcp::ToolResult::Structured(args));
    };
    r->AddTool(echo);
    mcp::Tool ask;
    ask.name = "ask";
    ask.description = "asks the client (no channel here: fails at once)";
    ask.handler = [](const Json&, mcp::CallContext& ctx) -> ipfs_kit::Result<mcp::ToolResult> {
      ASSIGN_OR_RETURN(Json answer, ctx.request_client("sampling/createMessage", Json::object()));
      return mcp::ToolResult::Text(answer.dump());
    };
    r->AddTool(ask);
    mcp::Resource res;
    res.uri = "test://static";
    res.name = "static";
    res.read = [](const std::string& uri, mcp::CallContext&) {
      return ipfs_kit::Result<std::vector<mcp::ResourceContent>>(
          std::vector<mcp::ResourceContent>{{uri, "text/plain", "x", std::nullopt}});
    };
    r->AddResource(res);
    mcp::ResourceTemplate tpl;
    tpl.uri_template = "vfs://{bucket}/{path}";
    tpl.name = "vfs";
    tpl.read = [](const std::string& uri, const std::map<std::string, std::string>& vars,
                  mcp::CallContext&) -> ipfs_kit::Result<std::vector<mcp::ResourceContent>> {
      if (vars.at("bucket") == "none") return ipfs_kit::Status::NotFound("no bucket");
      return std::vector<mcp::ResourceContent>{{uri, "", std::nullopt, std::string("AAAA")}};
    };
    tpl.complete = [](const std::string& arg, const std::string& value) {
      return std::vector<std::string>{arg + value};
    };
    r->AddResourceTemplate(tpl);
    mcp::Prompt prompt;
    prompt.name = "greet";
    prompt.description = "a prompt";
    prompt.arguments = {{"who", "", true}};
    prompt.get = [](const std::map<std::string, std::string>& a) {
      return ipfs_kit::Result<Json>(Json{{"messages", Json::array({a.at("who")})}});
    };
    prompt.complete = [](const std::string&, const std::string& value) {
      return std::vector<std::string>(150, value);
    };
    r->AddPrompt(prompt);
    return r;
  }();
  return *registry;
}

void CheckAnswer(const std::string& answer) {
  if (answer.empty()) return;
  if (answer.find('\n') != std::string::npos) std::abort();
  Json j = Json::parse(answer, nullptr, false);
  if (j.is_discarded()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const mcp::Outbound none = [](const Json& m) {
    // What the session sends must serialize too.
    CheckAnswer(mcp::SerializeMessage(m));
    return false;
  };
  // Before initialize: only initialize and ping are served.
  {
    mcp::Session fresh(FuzzRegistry());
    CheckAnswer(fresh.HandleText(in, none));
  }
  // After initialize (the first byte picks the version, so batches run too),
  // one message per line.
  mcp::Session s(FuzzRegistry());
  static const char* kVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "1.0"};
  std::string version = kVersions[size > 0 ? data[0] % 4 : 0];
  s.HandleText(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":")" +
                   version + R"(","capabilities":{"sampling":{}}}})",
               none);
  size_t start = 0;
  while (start <= in.size()) {
    size_t nl = in.find('\n', start);
    std::string_view line =
        in.substr(start, nl == std::string_view::npos ? in.size() - start : nl - start);
    CheckAnswer(s.HandleText(line, none));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return 0;
}
