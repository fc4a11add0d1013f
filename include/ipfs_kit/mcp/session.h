// One MCP session (Model Context Protocol 2025-11-25, negotiable down to
// 2025-03-26): JSON-RPC 2.0 messages in, responses out. Pure protocol: no I/O.
// The transports (mcp/http_transport.h, mcp/stdio_transport.h) parse bytes,
// hand messages to Handle and deliver what comes back.
//
// What a session answers:
//   initialize, ping, tools/list, tools/call, resources/list,
//   resources/templates/list, resources/read, resources/subscribe,
//   resources/unsubscribe, prompts/list, prompts/get, completion/complete,
//   logging/setLevel; notifications/initialized and notifications/cancelled
//   are taken in. Lists are paginated with opaque cursors.
//
// Error mapping (JSON-RPC error objects):
//   -32700 the text is not JSON (or nests deeper than the limit)
//   -32600 not a JSON-RPC 2.0 message, a request before initialize, a batch
//          where the negotiated version has none
//   -32601 unknown method
//   -32602 bad params: unknown tool or prompt, arguments that do not fit the
//          tool's input_schema ("required" and top-level "type"), bad cursor
//   -32002 resources/read of a URI no resource or template has
//   -32603 a handler failed in a way that is not the caller's fault
// A tool handler's non-OK Status is not a JSON-RPC error: it becomes a result
// with isError: true and the status message as text.
//
// Threading: every member may be called from several threads at once; tool
// calls of one session run concurrently (the transports run them on workers).
// Handle blocks for as long as the handler runs, and while a handler waits for
// the client's answer to a server-to-client request (CallContext::request_client).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/mcp/registry.h"

namespace ipfs_kit::mcp {

// Protocol versions, newest first. An initialize asking for one of these gets
// it; any other gets kLatestProtocolVersion (the client then decides).
inline constexpr std::string_view kLatestProtocolVersion = "2025-11-25";
const std::vector<std::string>& SupportedProtocolVersions();
bool IsSupportedProtocolVersion(std::string_view version);

// JSON-RPC error codes used by the session and the transports.
enum RpcError : int {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kResourceNotFound = -32002,
  kServerError = -32000,      // transport-level refusals (HTTP 4xx bodies)
  kSessionNotFound = -32001,  // HTTP 404 body
};

// {"jsonrpc":"2.0","id":id,"error":{"code":..,"message":..[,"data":..]}}
Json ErrorMessage(const Json& id, int code, std::string message,
                  std::optional<Json> data = std::nullopt);

// Parses one JSON-RPC message or batch. Never throws: kInvalidArgument naming
// the problem when the text is not JSON, is not UTF-8, or nests deeper than
// `max_depth` arrays/objects (the parser recurses, so depth is checked first).
Result<Json> ParseMessage(std::string_view text, size_t max_depth = 64);

// Serializes a message as one line of JSON (no newline inside; invalid UTF-8
// in strings is replaced rather than thrown on).
std::string SerializeMessage(const Json& message);

enum class MessageKind { kRequest, kNotification, kResponse, kInvalid };
// `why` (optional) names what makes a message kInvalid.
MessageKind Classify(const Json& message, std::string* why = nullptr);

// True for methods that run a feature handler (tools/call, resources/read,
// prompts/get, completion/complete): these may block and may emit progress,
// logs and server-to-client requests, so transports run them on a worker.
bool MayBlock(std::string_view method);

struct SessionOptions {
  size_t page_size = 100;  // items per tools/list, resources/list, ... page
  // How long request_client waits for the client's answer (elicitation may
  // involve a person).
  int client_request_timeout_ms = 300000;
  // notifications/message below this level are dropped until the client
  // sends logging/setLevel.
  std::string initial_log_level = "info";
};

// Delivers one message the server originates (a notification or a request to
// the client). Returns false when it cannot be delivered (no channel, the
// client went away); the sender then gives up on that message.
using Outbound = std::function<bool(const Json& message)>;

class Session {
 public:
  explicit Session(const Registry& registry, SessionOptions options = {});
  // Fails every pending server-to-client request (kUnavailable) first.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Handles one message (not a batch). A request gets its response (a result
  // or an error object), so does a message that is not JSON-RPC (-32600, with
  // its id when it has a usable one, else null); a notification or a response
  // to one of our requests gets nullopt. `related` carries the
  // messages that belong to this request (progress, logs, server-to-client
  // requests); it is used only until Handle returns.
  std::optional<Json> Handle(const Json& message, const Outbound& related);
  // The same, with what CallContext::close_sse_stream does for this request.
  std::optional<Json> Handle(const Json& message, const Outbound& related,
                             const std::function<void()>& close_stream);

  // Text in, text out (stdio lines, fuzzing): parses, handles a batch when the
  // negotiated version allows one, and returns the serialized response(s), or
  // "" when there is nothing to answer.
  std::string HandleText(std::string_view text, const Outbound& related);

  // Where messages related to no request go (notifications/resources/updated).
  void SetUnrelatedSink(Outbound sink);
  // Sends notifications/resources/updated through the unrelated sink if the
  // client subscribed to `uri`.
  void NotifyResourceUpdated(const std::string& uri);

  // Marks every request in flight cancelled and closes the client channel
  // (below); used when the session ends.
  void CancelAll();
  // No answer can come from the client any more (stdin ended): pending and
  // later server-to-client requests fail with kUnavailable at once, while
  // calls in flight go on and still answer.
  void CloseClientChannel();

  bool initialized() const { return initialized_.load(); }
  // Negotiated at initialize; empty before.
  std::string protocol_version() const;
  // Batches exist only in 2025-03-26.
  bool AllowsBatches() const;
  // Requests currently running (for idle-session expiry).
  size_t InFlight() const;

 private:
  struct InFlightCall;
  struct PendingClientRequest;

  Json Dispatch(const std::string& method, const Json& id, const Json& params,
                const Outbound& related, const std::function<void()>& close_stream);
  Json Initialize(const Json& id, const Json& params);
  Json ListTools(const Json& id, const Json& params);
  Json CallTool(const Json& id, const Json& params, const Outbound& related,
                const std::function<void()>& close_stream);
  Json ListResources(const Json& id, const Json& params);
  Json ListResourceTemplates(const Json& id, const Json& params);
  Json ReadResource(const Json& id, const Json& params, const Outbound& related,
                    const std::function<void()>& close_stream);
  Json Subscribe(const Json& id, const Json& params, bool subscribe);
  Json ListPrompts(const Json& id, const Json& params);
  Json GetPrompt(const Json& id, const Json& params);
  Json Complete(const Json& id, const Json& params);
  Json SetLogLevel(const Json& id, const Json& params);
  void TakeNotification(const std::string& method, const Json& params);
  void TakeResponse(const Json& message);

  // A CallContext wired to this session for request `id`.
  CallContext MakeContext(const Json& params, const Outbound& related,
                          const std::function<void()>& close_stream,
                          const std::shared_ptr<InFlightCall>& call);
  Result<Json> RequestClient(const std::string& method, const Json& params, const Outbound& related,
                             const std::shared_ptr<InFlightCall>& call);
  std::shared_ptr<InFlightCall> BeginCall(const Json& id);
  void EndCall(const Json& id, const std::shared_ptr<InFlightCall>& call);
  bool LogLevelEnabled(const std::string& level) const;
  bool Newer(std::string_view than_version) const;

  const Registry& registry_;
  const SessionOptions options_;
  std::atomic<bool> initialized_{false};
  bool client_channel_closed_ = false;  // under mu_

  mutable std::mutex mu_;
  std::string protocol_version_;
  Json client_capabilities_ = Json::object();
  int log_level_ = 1;  // index into the level list (info)
  std::vector<std::string> subscriptions_;
  Outbound unrelated_;
  std::map<std::string, std::shared_ptr<InFlightCall>> in_flight_;  // key: id as JSON text
  std::map<std::string, std::shared_ptr<PendingClientRequest>> pending_;
  uint64_t next_request_id_ = 1;
};

}  // namespace ipfs_kit::mcp
