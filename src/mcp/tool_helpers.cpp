#include "ipfs_kit/mcp/tool_helpers.h"

namespace ipfs_kit::mcp {

Json Str(const std::string& description) {
  return Json{{"type", "string"}, {"description", description}};
}
Json Uint(const std::string& description) { return Int(description, 0); }
Json Int(const std::string& description, int64_t minimum) {
  return Json{{"type", "integer"}, {"minimum", minimum}, {"description", description}};
}
Json Bool(const std::string& description) {
  return Json{{"type", "boolean"}, {"description", description}};
}
Json ArrayOf(Json items) { return Json{{"type", "array"}, {"items", std::move(items)}}; }

Json ObjectSchema(Json properties, std::vector<std::string> required, bool closed) {
  if (properties.is_null()) properties = Json::object();
  Json j{{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) j["required"] = std::move(required);
  if (closed) j["additionalProperties"] = false;
  return j;
}

Result<std::optional<std::string>> OptString(const Json& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return Status::InvalidArgument(std::string(name) + " must be a string");
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> ReqString(const Json& args, const char* name) {
  ASSIGN_OR_RETURN(std::optional<std::string> v, OptString(args, name));
  if (!v) return Status::InvalidArgument("missing argument " + std::string(name));
  return *v;
}

Result<std::string> StringOr(const Json& args, const char* name, std::string fallback) {
  ASSIGN_OR_RETURN(std::optional<std::string> v, OptString(args, name));
  return v ? *v : fallback;
}

Result<bool> OptBool(const Json& args, const char* name, bool fallback) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return Status::InvalidArgument(std::string(name) + " must be a boolean");
  return it->get<bool>();
}

Result<std::optional<uint64_t>> OptUint(const Json& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return std::optional<uint64_t>();
  // JSON parsers keep small numbers signed: accept any integer that is >= 0.
  if (!it->is_number_integer() || (!it->is_number_unsigned() && it->get<int64_t>() < 0)) {
    return Status::InvalidArgument(std::string(name) + " must be a non-negative integer");
  }
  return std::optional<uint64_t>(it->get<uint64_t>());
}

Result<uint64_t> UintOr(const Json& args, const char* name, uint64_t fallback) {
  ASSIGN_OR_RETURN(std::optional<uint64_t> v, OptUint(args, name));
  return v ? *v : fallback;
}

Tool MakeTool(std::string name, std::string title, std::string description, Json input, Json output,
              Json annotations) {
  Tool t;
  t.name = std::move(name);
  t.title = std::move(title);
  t.description = std::move(description);
  t.input_schema = std::move(input);
  t.output_schema = std::move(output);
  if (annotations.is_null()) annotations = Json::object();
  annotations["openWorldHint"] = annotations.value("openWorldHint", false);
  t.annotations = std::move(annotations);
  return t;
}

}  // namespace ipfs_kit::mcp
