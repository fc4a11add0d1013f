// What an MCP server offers: tools, resources, resource templates and
// prompts (Model Context Protocol 2025-11-25, "server features"). The
// protocol layer (mcp/session.h) lists and calls what is registered here;
// the features themselves (ipfs_*, pin_*, vfs_*, the conformance fixtures)
// register from their own files.
//
// Threading: register everything before serving; afterwards the registry is
// read-only and handlers may run on several threads at once.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ipfs_kit/base/status.h"

namespace ipfs_kit::mcp {

using Json = nlohmann::json;

// What a running tool or read may do while it works. Every member is safe to
// call from the handler's thread; each is a no-op when the transport cannot
// deliver (for example progress when the request carried no progressToken).
struct CallContext {
  // notifications/progress for the request's progressToken.
  std::function<void(double progress, std::optional<double> total, const std::string& message)>
      progress = [](double, std::optional<double>, const std::string&) {};
  // notifications/message at `level` ("debug" ... "emergency"), dropped when
  // below the level the client set with logging/setLevel.
  std::function<void(const std::string& level, const Json& data)> log =
      [](const std::string&, const Json&) {};
  // True once the client sent notifications/cancelled for this request.
  std::function<bool()> cancelled = [] { return false; };
  // Sends a request to the client (sampling/createMessage,
  // elicitation/create, roots/list) and waits for its answer; kUnavailable
  // when the transport has no channel back to the client, kInvalidArgument
  // carrying the client's JSON-RPC error message when it answered one.
  std::function<Result<Json>(const std::string& method, const Json& params)> request_client =
      [](const std::string&, const Json&) -> Result<Json> {
    return Status::Unavailable("no channel to the client");
  };
  // The client's declared capabilities (from initialize).
  Json client_capabilities = Json::object();
  // Ends the HTTP response stream carrying this request now; what the handler
  // sends afterwards (its result included) is kept, and the client fetches it
  // by reconnecting with GET and Last-Event-ID (SSE polling, SEP-1699). A
  // no-op when the request is not on a resumable stream (stdio, JSON answers,
  // protocol versions before 2025-11-25).
  std::function<void()> close_sse_stream = [] {};
};

// A tool's answer. `content` is the MCP content array (text, image, audio,
// resource, resource_link items); when `structured` is set it is sent as
// structuredContent and, unless content was given, also as one text item
// holding its JSON (as the spec recommends for older clients).
struct ToolResult {
  Json content = Json::array();
  std::optional<Json> structured;
  bool is_error = false;

  static ToolResult Text(std::string text);
  static ToolResult Structured(Json value);
  // An isError result whose text is `message` (a failed call, not a bad request).
  static ToolResult Error(std::string message);
};

struct Tool {
  std::string name;
  std::string title;
  std::string description;
  Json input_schema = Json{{"type", "object"}};
  std::optional<Json> output_schema;
  Json annotations = Json::object();  // readOnlyHint, destructiveHint, ...
  // A non-OK Status becomes an isError result whose text is the status
  // message (the call failed); a JSON-RPC error is reserved for an unknown
  // tool or arguments that do not fit input_schema (checked by the caller of
  // the handler for "required" and top-level "type" only).
  std::function<Result<ToolResult>(const Json& arguments, CallContext& ctx)> handler;
};

// One item of resources/read's `contents`: text or base64 `blob`.
struct ResourceContent {
  std::string uri;
  std::string mime_type;
  std::optional<std::string> text;
  std::optional<std::string> blob;  // base64
};

struct Resource {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  std::function<Result<std::vector<ResourceContent>>(const std::string& uri, CallContext& ctx)>
      read;
};

struct ResourceTemplate {
  std::string uri_template;  // RFC 6570 level 1, e.g. "ipfs://{cid}"
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  // Called for a resources/read whose URI no static resource has, with the
  // variables matched from uri_template ({path} may hold '/' when it is the
  // last variable). kNotFound → JSON-RPC error -32002 "Resource not found".
  std::function<Result<std::vector<ResourceContent>>(const std::string& uri,
                                                     const std::map<std::string, std::string>& vars,
                                                     CallContext& ctx)>
      read;
  // completion/complete for a template variable: (variable, partial value).
  std::function<std::vector<std::string>(const std::string& argument, const std::string& value)>
      complete;
};

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
};

struct Prompt {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  // Returns the prompts/get result ({"description"?, "messages": [...]}).
  std::function<Result<Json>(const std::map<std::string, std::string>& arguments)> get;
  // completion/complete for an argument: (argument, partial value).
  std::function<std::vector<std::string>(const std::string& argument, const std::string& value)>
      complete;
};

class Registry {
 public:
  void AddTool(Tool tool);
  void AddResource(Resource resource);
  void AddResourceTemplate(ResourceTemplate resource_template);
  void AddPrompt(Prompt prompt);

  const std::vector<Tool>& tools() const { return tools_; }
  const std::vector<Resource>& resources() const { return resources_; }
  const std::vector<ResourceTemplate>& resource_templates() const { return templates_; }
  const std::vector<Prompt>& prompts() const { return prompts_; }
  const Tool* FindTool(const std::string& name) const;
  const Prompt* FindPrompt(const std::string& name) const;
  const Resource* FindResource(const std::string& uri) const;

  // Server identity and instructions sent in the initialize result.
  std::string server_name = "ipfs-kit";
  std::string server_version = "0.1.0";
  std::string instructions;

 private:
  std::vector<Tool> tools_;
  std::vector<Resource> resources_;
  std::vector<ResourceTemplate> templates_;
  std::vector<Prompt> prompts_;
};

}  // namespace ipfs_kit::mcp
