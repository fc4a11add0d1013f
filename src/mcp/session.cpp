#include "ipfs_kit/mcp/session.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <utility>

#include "ipfs_kit/http/message.h"

namespace ipfs_kit::mcp {
namespace {

// notifications/message levels, least severe first (RFC 5424 names).
constexpr const char* kLogLevels[] = {"debug", "info",     "notice", "warning",
                                      "error", "critical", "alert",  "emergency"};
constexpr int kLogLevelCount = 8;

int LogLevelIndex(std::string_view level) {
  for (int i = 0; i < kLogLevelCount; ++i) {
    if (level == kLogLevels[i]) return i;
  }
  return -1;
}

bool IsValidId(const Json& id) { return id.is_string() || id.is_number(); }

// The key under which a request id is kept: its JSON text, so that the string
// "1" and the number 1 stay different requests.
std::string IdKey(const Json& id) { return SerializeMessage(id); }

Json Reply(const Json& id, Json result) {
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

// The params object of a message: absent or null is an empty object.
const Json& ParamsOf(const Json& message) {
  static const Json kEmpty = Json::object();
  auto it = message.find("params");
  if (it == message.end() || it->is_null()) return kEmpty;
  return *it;
}

// A string member, or nullptr when absent or not a string.
const std::string* StringMember(const Json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

// Pagination cursors are opaque to clients: hex of "ipfs-kit:<offset>".
std::string EncodeCursor(size_t offset) {
  static const char kHex[] = "0123456789abcdef";
  std::string plain = "ipfs-kit:" + std::to_string(offset), out;
  for (unsigned char c : plain) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::optional<size_t> DecodeCursor(const std::string& cursor) {
  if (cursor.size() % 2 != 0 || cursor.size() > 64) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string plain;
  for (size_t i = 0; i < cursor.size(); i += 2) {
    int hi = nibble(cursor[i]), lo = nibble(cursor[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    plain.push_back(static_cast<char>(hi * 16 + lo));
  }
  const std::string prefix = "ipfs-kit:";
  if (plain.rfind(prefix, 0) != 0 || plain.size() == prefix.size()) return std::nullopt;
  size_t offset = 0;
  for (size_t i = prefix.size(); i < plain.size(); ++i) {
    if (plain[i] < '0' || plain[i] > '9' || offset > (SIZE_MAX - 9) / 10) return std::nullopt;
    offset = offset * 10 + static_cast<size_t>(plain[i] - '0');
  }
  return offset;
}

// One page of `items` as result[key], with nextCursor when more follow.
template <typename T, typename ToJson>
Json Page(const Json& id, const Json& params, const std::vector<T>& items, const char* key,
          size_t page_size, ToJson to_json) {
  size_t offset = 0;
  if (auto it = params.find("cursor"); it != params.end() && !it->is_null()) {
    std::optional<size_t> decoded;
    if (it->is_string()) decoded = DecodeCursor(it->get<std::string>());
    if (!decoded || *decoded > items.size()) {
      return ErrorMessage(id, kInvalidParams,
                          "invalid cursor (use the nextCursor of a previous page)");
    }
    offset = *decoded;
  }
  Json list = Json::array();
  size_t end = std::min(items.size(), offset + std::max<size_t>(page_size, 1));
  for (size_t i = offset; i < end; ++i) list.push_back(to_json(items[i]));
  Json result{{key, std::move(list)}};
  if (end < items.size()) result["nextCursor"] = EncodeCursor(end);
  return Reply(id, std::move(result));
}

bool TypeMatches(const Json& value, const std::string& type) {
  if (type == "string") return value.is_string();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (!value.is_number_float()) return false;
    double d = value.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "null") return value.is_null();
  return true;  // a type this check does not know: leave it to the handler
}

// The subset of JSON Schema checked before a tool runs: `arguments` is an
// object, has every "required" property, has no extra property when
// "additionalProperties" is false, and each given property has its declared
// top-level "type", is not below its "minimum" and is one of its "enum"
// values. Returns the problem, or "" when none.
std::string CheckArguments(const Json& schema, const Json& arguments) {
  if (!arguments.is_object()) return "arguments must be an object";
  if (!schema.is_object()) return "";
  const Json* properties = nullptr;
  if (auto it = schema.find("properties"); it != schema.end() && it->is_object()) {
    properties = &*it;
  }
  if (auto it = schema.find("required"); it != schema.end() && it->is_array()) {
    for (const auto& name : *it) {
      if (name.is_string() && !arguments.contains(name.get<std::string>())) {
        return "missing required argument '" + name.get<std::string>() + "'";
      }
    }
  }
  if (auto it = schema.find("additionalProperties");
      it != schema.end() && it->is_boolean() && !it->get<bool>()) {
    for (const auto& [name, value] : arguments.items()) {
      if (properties == nullptr || !properties->contains(name)) {
        return "unexpected argument '" + name + "'";
      }
    }
  }
  if (properties == nullptr) return "";
  for (const auto& [name, value] : arguments.items()) {
    auto prop = properties->find(name);
    if (prop == properties->end() || !prop->is_object()) continue;
    auto type = prop->find("type");
    if (type == prop->end()) continue;
    bool ok = false;
    std::string expected;
    if (type->is_string()) {
      expected = type->get<std::string>();
      ok = TypeMatches(value, expected);
    } else if (type->is_array()) {
      ok = type->empty();
      for (const auto& t : *type) {
        if (!t.is_string()) {
          ok = true;
          break;
        }
        if (!expected.empty()) expected += " or ";
        expected += t.get<std::string>();
        if (TypeMatches(value, t.get<std::string>())) ok = true;
      }
    } else {
      ok = true;
    }
    if (!ok) return "argument '" + name + "' must be of type " + expected;
    if (auto min = prop->find("minimum");
        min != prop->end() && min->is_number() && value.is_number() &&
        value.get<double>() < min->get<double>()) {
      return "argument '" + name + "' must be at least " + min->dump();
    }
    if (auto e = prop->find("enum"); e != prop->end() && e->is_array()) {
      bool listed = false;
      for (const auto& v : *e) listed = listed || v == value;
      if (!listed) return "argument '" + name + "' must be one of " + e->dump();
    }
  }
  return "";
}

// Matches `uri` against an RFC 6570 level-1 template ("ipfs://{cid}",
// "vfs://{bucket}/{path}"). A variable holds no '/' unless it is the last one
// or written {+name}; values are percent-decoded.
bool MatchTemplate(const std::string& tpl, const std::string& uri,
                   std::map<std::string, std::string>* vars) {
  size_t ti = 0, ui = 0;
  while (ti < tpl.size()) {
    if (tpl[ti] != '{') {
      size_t next = tpl.find('{', ti);
      size_t len = (next == std::string::npos ? tpl.size() : next) - ti;
      if (uri.compare(ui, len, tpl, ti, len) != 0) return false;
      ui += len;
      ti += len;
      continue;
    }
    size_t close = tpl.find('}', ti);
    if (close == std::string::npos) return false;
    std::string name = tpl.substr(ti + 1, close - ti - 1);
    bool reserved = !name.empty() && name[0] == '+';
    if (reserved) name.erase(0, 1);
    if (name.empty()) return false;
    ti = close + 1;
    size_t next_var = tpl.find('{', ti);
    std::string literal =
        tpl.substr(ti, next_var == std::string::npos ? std::string::npos : next_var - ti);
    bool last = next_var == std::string::npos;
    size_t end;
    if (last) {
      if (uri.size() < ui + literal.size()) return false;
      end = uri.size() - literal.size();
      if (uri.compare(end, literal.size(), literal) != 0) return false;
    } else {
      if (literal.empty()) return false;  // {a}{b}: ambiguous, not supported
      end = uri.find(literal, ui);
      if (end == std::string::npos) return false;
    }
    std::string value = uri.substr(ui, end - ui);
    if (value.empty()) return false;
    if (!last && !reserved && value.find('/') != std::string::npos) return false;
    auto decoded = http::PercentDecode(value, false);
    (*vars)[name] = decoded ? *decoded : value;
    ui = end;
  }
  return ui == uri.size();
}

Json ContentsToJson(const std::vector<ResourceContent>& contents) {
  Json list = Json::array();
  for (const auto& c : contents) {
    Json item{{"uri", c.uri}};
    if (!c.mime_type.empty()) item["mimeType"] = c.mime_type;
    if (c.blob) {
      item["blob"] = *c.blob;
    } else {
      item["text"] = c.text.value_or("");
    }
    list.push_back(std::move(item));
  }
  return list;
}

// A handler's Status as a JSON-RPC error for resources/read and prompts/get.
Json StatusError(const Json& id, const Status& s, const std::string& uri) {
  switch (s.code()) {
    case StatusCode::kNotFound:
      return ErrorMessage(id, kResourceNotFound, "Resource not found: " + s.message(),
                          uri.empty() ? std::nullopt : std::optional<Json>(Json{{"uri", uri}}));
    case StatusCode::kInvalidArgument:
      return ErrorMessage(id, kInvalidParams, s.message());
    default:
      return ErrorMessage(id, kInternalError, s.ToString());
  }
}

}  // namespace

// --- Free functions ------------------------------------------------------------

const std::vector<std::string>& SupportedProtocolVersions() {
  static const std::vector<std::string> kVersions = {"2025-11-25", "2025-06-18", "2025-03-26"};
  return kVersions;
}

bool IsSupportedProtocolVersion(std::string_view version) {
  for (const auto& v : SupportedProtocolVersions()) {
    if (v == version) return true;
  }
  return false;
}

Json ErrorMessage(const Json& id, int code, std::string message, std::optional<Json> data) {
  Json error{{"code", code}, {"message", std::move(message)}};
  if (data) error["data"] = std::move(*data);
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
}

Result<Json> ParseMessage(std::string_view text, size_t max_depth) {
  // nlohmann's parser recurses once per nesting level: a 1 MiB body of '['
  // would overflow the stack, so depth is measured first (outside strings).
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return Status::InvalidArgument("JSON nests deeper than " + std::to_string(max_depth) +
                                       " levels");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  Json parsed = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return Status::InvalidArgument("empty message");
    }
    return Status::InvalidArgument("not valid JSON (or not UTF-8)");
  }
  return parsed;
}

std::string SerializeMessage(const Json& message) {
  return message.dump(-1, ' ', false, Json::error_handler_t::replace);
}

MessageKind Classify(const Json& m, std::string* why) {
  auto invalid = [why](const char* reason) {
    if (why) *why = reason;
    return MessageKind::kInvalid;
  };
  if (!m.is_object()) return invalid("a JSON-RPC message must be an object");
  auto version = m.find("jsonrpc");
  if (version == m.end() || *version != "2.0") return invalid("\"jsonrpc\" must be \"2.0\"");
  auto method = m.find("method");
  auto id = m.find("id");
  if (method != m.end()) {
    if (!method->is_string()) return invalid("\"method\" must be a string");
    if (auto p = m.find("params"); p != m.end() && !p->is_object() && !p->is_null()) {
      return invalid("\"params\" must be an object");
    }
    if (id == m.end()) return MessageKind::kNotification;
    if (!IsValidId(*id)) return invalid("\"id\" must be a string or a number");
    return MessageKind::kRequest;
  }
  if (id != m.end()) {
    bool has_result = m.contains("result"), has_error = m.contains("error");
    if (has_result == has_error) {
      return invalid("a response must have exactly one of \"result\" and \"error\"");
    }
    if (!IsValidId(*id) && !(id->is_null() && has_error)) {
      return invalid("\"id\" must be a string or a number");
    }
    return MessageKind::kResponse;
  }
  return invalid("neither a request, a notification nor a response");
}

bool MayBlock(std::string_view method) {
  return method == "tools/call" || method == "resources/read" || method == "prompts/get" ||
         method == "completion/complete";
}

// --- Session -------------------------------------------------------------------

struct Session::InFlightCall {
  std::atomic<bool> cancelled{false};
};

struct Session::PendingClientRequest {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  Json response;       // the client's message (result or error)
  std::string failed;  // non-empty: no answer will come (session ended)
};

Session::Session(const Registry& registry, SessionOptions options)
    : registry_(registry), options_(std::move(options)) {
  int level = LogLevelIndex(options_.initial_log_level);
  log_level_ = level < 0 ? 1 : level;
}

Session::~Session() { CancelAll(); }

std::string Session::protocol_version() const {
  std::lock_guard lock(mu_);
  return protocol_version_;
}

bool Session::AllowsBatches() const { return protocol_version() == "2025-03-26"; }

size_t Session::InFlight() const {
  std::lock_guard lock(mu_);
  return in_flight_.size();
}

bool Session::Newer(std::string_view than_version) const {
  // ISO dates compare as strings.
  return protocol_version() > than_version;
}

void Session::SetUnrelatedSink(Outbound sink) {
  std::lock_guard lock(mu_);
  unrelated_ = std::move(sink);
}

void Session::NotifyResourceUpdated(const std::string& uri) {
  Outbound sink;
  {
    std::lock_guard lock(mu_);
    if (std::find(subscriptions_.begin(), subscriptions_.end(), uri) == subscriptions_.end()) {
      return;
    }
    sink = unrelated_;
  }
  if (sink) {
    sink(Json{{"jsonrpc", "2.0"},
              {"method", "notifications/resources/updated"},
              {"params", {{"uri", uri}}}});
  }
}

void Session::CancelAll() {
  {
    std::lock_guard lock(mu_);
    for (auto& [key, call] : in_flight_) call->cancelled = true;
  }
  CloseClientChannel();
}

void Session::CloseClientChannel() {
  std::vector<std::shared_ptr<PendingClientRequest>> pending;
  {
    std::lock_guard lock(mu_);
    client_channel_closed_ = true;
    for (auto& [key, p] : pending_) pending.push_back(p);
    pending_.clear();
  }
  for (auto& p : pending) {
    std::lock_guard lock(p->mu);
    p->done = true;
    p->failed = "the session ended";
    p->cv.notify_all();
  }
}

std::string Session::HandleText(std::string_view text, const Outbound& related) {
  auto parsed = ParseMessage(text);
  if (!parsed.ok()) {
    return SerializeMessage(
        ErrorMessage(nullptr, kParseError, "Parse error: " + parsed.status().message()));
  }
  const Json& message = *parsed;
  if (!message.is_array()) {
    auto answer = Handle(message, related);
    return answer ? SerializeMessage(*answer) : std::string();
  }
  if (message.empty()) {
    return SerializeMessage(ErrorMessage(nullptr, kInvalidRequest, "empty batch"));
  }
  if (!AllowsBatches()) {
    return SerializeMessage(
        ErrorMessage(nullptr, kInvalidRequest,
                     "batches are not supported by protocol version " +
                         (initialized() ? protocol_version() : std::string("(not initialized)"))));
  }
  Json answers = Json::array();
  for (const auto& m : message) {
    if (m.is_object() && StringMember(m, "method") && *StringMember(m, "method") == "initialize") {
      answers.push_back(ErrorMessage(m.contains("id") && IsValidId(m["id"]) ? m["id"] : Json(),
                                     kInvalidRequest, "initialize must not be part of a batch"));
      continue;
    }
    if (auto answer = Handle(m, related)) answers.push_back(std::move(*answer));
  }
  return answers.empty() ? std::string() : SerializeMessage(answers);
}

std::optional<Json> Session::Handle(const Json& message, const Outbound& related) {
  static const std::function<void()> kNoClose;
  return Handle(message, related, kNoClose);
}

std::optional<Json> Session::Handle(const Json& message, const Outbound& related,
                                    const std::function<void()>& close_stream) {
  std::string why;
  switch (Classify(message, &why)) {
    case MessageKind::kInvalid: {
      Json id;
      if (message.is_object()) {
        auto it = message.find("id");
        if (it != message.end() && IsValidId(*it)) id = *it;
      }
      return ErrorMessage(id, kInvalidRequest, "Invalid request: " + why);
    }
    case MessageKind::kNotification:
      TakeNotification(message["method"].get<std::string>(), ParamsOf(message));
      return std::nullopt;
    case MessageKind::kResponse:
      TakeResponse(message);
      return std::nullopt;
    case MessageKind::kRequest:
      break;
  }
  const Json& id = message["id"];
  const std::string& method = message["method"].get_ref<const std::string&>();
  const Json& params = ParamsOf(message);
  if (!initialized_ && method != "initialize" && method != "ping") {
    return ErrorMessage(id, kInvalidRequest,
                        "session not initialized: the first request must be initialize");
  }
  try {
    return Dispatch(method, id, params, related, close_stream);
  } catch (const std::exception& e) {
    // A handler (or a JSON access in one) threw: the server stays up and the
    // caller learns what happened.
    return ErrorMessage(id, kInternalError, std::string("internal error: ") + e.what());
  }
}

Json Session::Dispatch(const std::string& method, const Json& id, const Json& params,
                       const Outbound& related, const std::function<void()>& close_stream) {
  if (method == "initialize") return Initialize(id, params);
  if (method == "ping") return Reply(id, Json::object());
  if (method == "tools/list") return ListTools(id, params);
  if (method == "tools/call") return CallTool(id, params, related, close_stream);
  if (method == "resources/list") return ListResources(id, params);
  if (method == "resources/templates/list") return ListResourceTemplates(id, params);
  if (method == "resources/read") return ReadResource(id, params, related, close_stream);
  if (method == "resources/subscribe") return Subscribe(id, params, true);
  if (method == "resources/unsubscribe") return Subscribe(id, params, false);
  if (method == "prompts/list") return ListPrompts(id, params);
  if (method == "prompts/get") return GetPrompt(id, params);
  if (method == "completion/complete") return Complete(id, params);
  if (method == "logging/setLevel") return SetLogLevel(id, params);
  return ErrorMessage(id, kMethodNotFound, "Method not found: " + method);
}

Json Session::Initialize(const Json& id, const Json& params) {
  if (initialized_) return ErrorMessage(id, kInvalidRequest, "session already initialized");
  const std::string* requested = StringMember(params, "protocolVersion");
  if (requested == nullptr) {
    return ErrorMessage(id, kInvalidParams, "initialize: \"protocolVersion\" (string) is required");
  }
  std::string version =
      IsSupportedProtocolVersion(*requested) ? *requested : std::string(kLatestProtocolVersion);
  {
    std::lock_guard lock(mu_);
    protocol_version_ = version;
    if (auto caps = params.find("capabilities"); caps != params.end() && caps->is_object()) {
      client_capabilities_ = *caps;
    }
  }
  initialized_ = true;
  Json capabilities{{"tools", {{"listChanged", false}}},
                    {"resources", {{"subscribe", true}, {"listChanged", false}}},
                    {"prompts", {{"listChanged", false}}},
                    {"logging", Json::object()},
                    {"completions", Json::object()}};
  Json result{
      {"protocolVersion", version},
      {"capabilities", std::move(capabilities)},
      {"serverInfo", {{"name", registry_.server_name}, {"version", registry_.server_version}}}};
  if (!registry_.instructions.empty()) result["instructions"] = registry_.instructions;
  return Reply(id, std::move(result));
}

Json Session::ListTools(const Json& id, const Json& params) {
  const bool modern = Newer("2025-03-26");  // title, outputSchema: 2025-06-18 on
  return Page(id, params, registry_.tools(), "tools", options_.page_size, [&](const Tool& t) {
    Json j{{"name", t.name}, {"description", t.description}, {"inputSchema", t.input_schema}};
    if (modern && !t.title.empty()) j["title"] = t.title;
    if (modern && t.output_schema) j["outputSchema"] = *t.output_schema;
    if (t.annotations.is_object() && !t.annotations.empty()) j["annotations"] = t.annotations;
    return j;
  });
}

Json Session::CallTool(const Json& id, const Json& params, const Outbound& related,
                       const std::function<void()>& close_stream) {
  const std::string* name = StringMember(params, "name");
  if (name == nullptr)
    return ErrorMessage(id, kInvalidParams, "tools/call: \"name\" (string) is required");
  const Tool* tool = registry_.FindTool(*name);
  if (tool == nullptr) return ErrorMessage(id, kInvalidParams, "Unknown tool: " + *name);
  Json arguments = Json::object();
  if (auto it = params.find("arguments"); it != params.end() && !it->is_null()) arguments = *it;
  if (std::string problem = CheckArguments(tool->input_schema, arguments); !problem.empty()) {
    return ErrorMessage(id, kInvalidParams, "Invalid arguments for tool " + *name + ": " + problem);
  }
  auto call = BeginCall(id);
  CallContext ctx = MakeContext(params, related, close_stream, call);
  // Built in one expression: assigning into a default-constructed ToolResult
  // trips GCC 12's -Wmaybe-uninitialized on the optional<Json> inside.
  const ToolResult tr = [&]() -> ToolResult {
    try {
      if (!tool->handler) return ToolResult::Error("tool " + *name + " has no handler");
      Result<ToolResult> r = tool->handler(arguments, ctx);
      if (!r.ok()) return ToolResult::Error(r.status().message());
      return std::move(r).value();
    } catch (const std::exception& e) {
      return ToolResult::Error(std::string("internal error in tool ") + *name + ": " + e.what());
    }
  }();
  EndCall(id, call);
  Json result{{"content", tr.content.is_array() ? tr.content : Json::array()}};
  if (tr.structured) {
    if (result["content"].empty()) {
      result["content"].push_back(
          Json{{"type", "text"}, {"text", SerializeMessage(*tr.structured)}});
    }
    if (Newer("2025-03-26")) result["structuredContent"] = *tr.structured;
  }
  if (tr.is_error) result["isError"] = true;
  return Reply(id, std::move(result));
}

Json Session::ListResources(const Json& id, const Json& params) {
  const bool modern = Newer("2025-03-26");
  return Page(id, params, registry_.resources(), "resources", options_.page_size,
              [&](const Resource& r) {
                Json j{{"uri", r.uri}, {"name", r.name}};
                if (modern && !r.title.empty()) j["title"] = r.title;
                if (!r.description.empty()) j["description"] = r.description;
                if (!r.mime_type.empty()) j["mimeType"] = r.mime_type;
                return j;
              });
}

Json Session::ListResourceTemplates(const Json& id, const Json& params) {
  const bool modern = Newer("2025-03-26");
  return Page(id, params, registry_.resource_templates(), "resourceTemplates", options_.page_size,
              [&](const ResourceTemplate& t) {
                Json j{{"uriTemplate", t.uri_template}, {"name", t.name}};
                if (modern && !t.title.empty()) j["title"] = t.title;
                if (!t.description.empty()) j["description"] = t.description;
                if (!t.mime_type.empty()) j["mimeType"] = t.mime_type;
                return j;
              });
}

Json Session::ReadResource(const Json& id, const Json& params, const Outbound& related,
                           const std::function<void()>& close_stream) {
  const std::string* uri = StringMember(params, "uri");
  if (uri == nullptr)
    return ErrorMessage(id, kInvalidParams, "resources/read: \"uri\" (string) is required");
  std::optional<Result<std::vector<ResourceContent>>> got;
  auto call = BeginCall(id);
  CallContext ctx = MakeContext(params, related, close_stream, call);
  if (const Resource* r = registry_.FindResource(*uri); r != nullptr && r->read) {
    got = r->read(*uri, ctx);
  } else {
    for (const auto& t : registry_.resource_templates()) {
      std::map<std::string, std::string> vars;
      if (t.read && MatchTemplate(t.uri_template, *uri, &vars)) {
        got = t.read(*uri, vars, ctx);
        break;
      }
    }
  }
  EndCall(id, call);
  if (!got) {
    return ErrorMessage(id, kResourceNotFound, "Resource not found: " + *uri, Json{{"uri", *uri}});
  }
  if (!got->ok()) return StatusError(id, got->status(), *uri);
  return Reply(id, Json{{"contents", ContentsToJson(got->value())}});
}

Json Session::Subscribe(const Json& id, const Json& params, bool subscribe) {
  const std::string* uri = StringMember(params, "uri");
  if (uri == nullptr) {
    return ErrorMessage(id, kInvalidParams, "\"uri\" (string) is required");
  }
  std::lock_guard lock(mu_);
  auto it = std::find(subscriptions_.begin(), subscriptions_.end(), *uri);
  if (subscribe && it == subscriptions_.end()) {
    if (subscriptions_.size() >= 10000) {
      return ErrorMessage(id, kInvalidParams, "too many subscriptions in this session");
    }
    subscriptions_.push_back(*uri);
  } else if (!subscribe && it != subscriptions_.end()) {
    subscriptions_.erase(it);
  }
  return Reply(id, Json::object());
}

Json Session::ListPrompts(const Json& id, const Json& params) {
  const bool modern = Newer("2025-03-26");
  return Page(id, params, registry_.prompts(), "prompts", options_.page_size, [&](const Prompt& p) {
    Json args = Json::array();
    for (const auto& a : p.arguments) {
      Json j{{"name", a.name}, {"required", a.required}};
      if (!a.description.empty()) j["description"] = a.description;
      args.push_back(std::move(j));
    }
    Json j{{"name", p.name}, {"description", p.description}, {"arguments", args}};
    if (modern && !p.title.empty()) j["title"] = p.title;
    return j;
  });
}

Json Session::GetPrompt(const Json& id, const Json& params) {
  const std::string* name = StringMember(params, "name");
  if (name == nullptr)
    return ErrorMessage(id, kInvalidParams, "prompts/get: \"name\" (string) is required");
  const Prompt* prompt = registry_.FindPrompt(*name);
  if (prompt == nullptr) return ErrorMessage(id, kInvalidParams, "Unknown prompt: " + *name);
  std::map<std::string, std::string> args;
  if (auto it = params.find("arguments"); it != params.end() && !it->is_null()) {
    if (!it->is_object())
      return ErrorMessage(id, kInvalidParams, "prompts/get: \"arguments\" must be an object");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) {
        return ErrorMessage(id, kInvalidParams, "prompt argument '" + k + "' must be a string");
      }
      args[k] = v.get<std::string>();
    }
  }
  for (const auto& a : prompt->arguments) {
    if (a.required && !args.count(a.name)) {
      return ErrorMessage(id, kInvalidParams, "missing required prompt argument '" + a.name + "'");
    }
  }
  if (!prompt->get) return ErrorMessage(id, kInternalError, "prompt " + *name + " has no handler");
  Result<Json> r = prompt->get(args);
  if (!r.ok()) return StatusError(id, r.status(), "");
  if (!r->is_object() || !r->contains("messages")) {
    return ErrorMessage(id, kInternalError, "prompt " + *name + " produced no messages");
  }
  return Reply(id, std::move(r).value());
}

Json Session::Complete(const Json& id, const Json& params) {
  auto ref = params.find("ref");
  auto arg = params.find("argument");
  if (ref == params.end() || !ref->is_object() || arg == params.end() || !arg->is_object()) {
    return ErrorMessage(id, kInvalidParams,
                        "completion/complete: \"ref\" and \"argument\" objects are required");
  }
  const std::string* type = StringMember(*ref, "type");
  const std::string* arg_name = StringMember(*arg, "name");
  const std::string* arg_value = StringMember(*arg, "value");
  if (type == nullptr || arg_name == nullptr || arg_value == nullptr) {
    return ErrorMessage(
        id, kInvalidParams,
        "completion/complete: ref.type, argument.name and argument.value (strings) are required");
  }
  std::vector<std::string> values;
  if (*type == "ref/prompt") {
    const std::string* name = StringMember(*ref, "name");
    const Prompt* prompt = name ? registry_.FindPrompt(*name) : nullptr;
    if (prompt == nullptr) {
      return ErrorMessage(id, kInvalidParams, "Unknown prompt: " + (name ? *name : std::string()));
    }
    if (prompt->complete) values = prompt->complete(*arg_name, *arg_value);
  } else if (*type == "ref/resource") {
    const std::string* uri = StringMember(*ref, "uri");
    if (uri == nullptr) return ErrorMessage(id, kInvalidParams, "ref.uri (string) is required");
    const ResourceTemplate* found = nullptr;
    for (const auto& t : registry_.resource_templates()) {
      if (t.uri_template == *uri) found = &t;
    }
    if (found == nullptr && registry_.FindResource(*uri) == nullptr) {
      return ErrorMessage(id, kInvalidParams, "Unknown resource template: " + *uri);
    }
    if (found != nullptr && found->complete) values = found->complete(*arg_name, *arg_value);
  } else {
    return ErrorMessage(id, kInvalidParams,
                        "unknown ref.type '" + *type + "' (ref/prompt or ref/resource)");
  }
  // The spec caps a completion answer at 100 values.
  size_t total = values.size();
  if (values.size() > 100) values.resize(100);
  return Reply(id,
               Json{{"completion",
                     {{"values", values}, {"total", total}, {"hasMore", total > values.size()}}}});
}

Json Session::SetLogLevel(const Json& id, const Json& params) {
  const std::string* level = StringMember(params, "level");
  int index = level ? LogLevelIndex(*level) : -1;
  if (index < 0) {
    return ErrorMessage(id, kInvalidParams,
                        "logging/setLevel: \"level\" must be one of debug, info, notice, warning, "
                        "error, critical, alert, emergency");
  }
  std::lock_guard lock(mu_);
  log_level_ = index;
  return Reply(id, Json::object());
}

bool Session::LogLevelEnabled(const std::string& level) const {
  int index = LogLevelIndex(level);
  std::lock_guard lock(mu_);
  return index >= log_level_;
}

void Session::TakeNotification(const std::string& method, const Json& params) {
  if (method == "notifications/cancelled") {
    auto it = params.find("requestId");
    if (it == params.end() || !IsValidId(*it)) return;
    std::lock_guard lock(mu_);
    if (auto call = in_flight_.find(IdKey(*it)); call != in_flight_.end()) {
      call->second->cancelled = true;
    }
  }
  // notifications/initialized, roots/list_changed and anything unknown need
  // no action (unknown notifications are ignored, as JSON-RPC asks).
}

void Session::TakeResponse(const Json& message) {
  std::shared_ptr<PendingClientRequest> p;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(IdKey(message["id"]));
    if (it == pending_.end()) return;  // late or unknown: nobody waits for it
    p = it->second;
    pending_.erase(it);
  }
  std::lock_guard lock(p->mu);
  p->done = true;
  p->response = message;
  p->cv.notify_all();
}

std::shared_ptr<Session::InFlightCall> Session::BeginCall(const Json& id) {
  auto call = std::make_shared<InFlightCall>();
  std::lock_guard lock(mu_);
  in_flight_[IdKey(id)] = call;
  return call;
}

void Session::EndCall(const Json& id, const std::shared_ptr<InFlightCall>& call) {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(IdKey(id));
  if (it != in_flight_.end() && it->second == call) in_flight_.erase(it);
}

CallContext Session::MakeContext(const Json& params, const Outbound& related,
                                 const std::function<void()>& close_stream,
                                 const std::shared_ptr<InFlightCall>& call) {
  CallContext ctx;
  {
    std::lock_guard lock(mu_);
    ctx.client_capabilities = client_capabilities_;
  }
  std::optional<Json> token;
  if (auto meta = params.find("_meta"); meta != params.end() && meta->is_object()) {
    if (auto t = meta->find("progressToken"); t != meta->end() && IsValidId(*t)) token = *t;
  }
  if (token) {
    ctx.progress = [&related, token](double progress, std::optional<double> total,
                                     const std::string& message) {
      Json p{{"progressToken", *token}, {"progress", progress}};
      if (total) p["total"] = *total;
      if (!message.empty()) p["message"] = message;
      related(Json{{"jsonrpc", "2.0"}, {"method", "notifications/progress"}, {"params", p}});
    };
  }
  ctx.log = [this, &related](const std::string& level, const Json& data) {
    std::string lvl = LogLevelIndex(level) < 0 ? std::string("info") : level;
    if (!LogLevelEnabled(lvl)) return;
    related(Json{{"jsonrpc", "2.0"},
                 {"method", "notifications/message"},
                 {"params", {{"level", lvl}, {"logger", registry_.server_name}, {"data", data}}}});
  };
  ctx.cancelled = [call] { return call->cancelled.load(); };
  ctx.request_client = [this, &related, call](const std::string& method, const Json& p) {
    return RequestClient(method, p, related, call);
  };
  if (close_stream) ctx.close_sse_stream = close_stream;
  return ctx;
}

Result<Json> Session::RequestClient(const std::string& method, const Json& params,
                                    const Outbound& related,
                                    const std::shared_ptr<InFlightCall>& call) {
  // A request the client never declared support for would go unanswered.
  const char* capability = method == "sampling/createMessage" ? "sampling"
                           : method == "elicitation/create"   ? "elicitation"
                           : method == "roots/list"           ? "roots"
                                                              : nullptr;
  auto pending = std::make_shared<PendingClientRequest>();
  std::string request_id;
  {
    std::lock_guard lock(mu_);
    if (client_channel_closed_) {
      return Status::Unavailable("the client is gone; " + method + " cannot be sent");
    }
    if (capability != nullptr && !client_capabilities_.contains(capability)) {
      return Status::Unavailable(std::string("the client did not declare the '") + capability +
                                 "' capability, so " + method + " cannot be sent");
    }
    request_id = "s" + std::to_string(next_request_id_++);
    pending_[IdKey(Json(request_id))] = pending;
  }
  auto forget = [&] {
    std::lock_guard lock(mu_);
    pending_.erase(IdKey(Json(request_id)));
  };
  Json message{{"jsonrpc", "2.0"}, {"id", request_id}, {"method", method}};
  if (!params.is_null()) message["params"] = params;
  if (call->cancelled || !related(message)) {
    forget();
    return Status::Unavailable("no channel to the client for " + method +
                               (call->cancelled ? " (request cancelled)" : ""));
  }
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(std::max(options_.client_request_timeout_ms, 1));
  std::unique_lock lock(pending->mu);
  while (!pending->done) {
    if (call->cancelled || std::chrono::steady_clock::now() >= deadline) {
      bool cancelled = call->cancelled;
      lock.unlock();
      forget();
      related(Json{{"jsonrpc", "2.0"},
                   {"method", "notifications/cancelled"},
                   {"params",
                    {{"requestId", request_id},
                     {"reason", cancelled ? "the tool call was cancelled" : "timed out"}}}});
      return Status::Unavailable(
          cancelled ? method + " abandoned: the request was cancelled"
                    : "the client did not answer " + method + " within " +
                          std::to_string(options_.client_request_timeout_ms) + " ms");
    }
    // Short waits so that a cancellation is noticed without a notifier.
    pending->cv.wait_for(lock, std::chrono::milliseconds(100));
  }
  if (!pending->failed.empty()) return Status::Unavailable(method + ": " + pending->failed);
  const Json& response = pending->response;
  if (auto err = response.find("error"); err != response.end()) {
    std::string text = err->is_object() && err->contains("message") && (*err)["message"].is_string()
                           ? (*err)["message"].get<std::string>()
                           : SerializeMessage(*err);
    return Status::InvalidArgument("the client answered " + method + " with an error: " + text);
  }
  return response["result"];
}

}  // namespace ipfs_kit::mcp
