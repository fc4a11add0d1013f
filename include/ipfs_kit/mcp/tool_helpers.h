// Helpers for writing MCP tools: JSON Schema fragments for input and output
// schemas, argument readers that name the argument when its type is wrong
// (the protocol layer checks only "required" and the top-level type), and
// MakeTool. Used by every feature that registers tools.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/mcp/registry.h"

namespace ipfs_kit::mcp {

// --- schemas
Json Str(const std::string& description);
Json Uint(const std::string& description);                  // integer >= 0
Json Int(const std::string& description, int64_t minimum);  // integer >= minimum
Json Bool(const std::string& description);
Json ArrayOf(Json items);
// {"type":"object","properties":...,"required":...}; `{}` properties become an
// empty object (nlohmann turns `{}` into null). With closed, no other
// properties are allowed.
Json ObjectSchema(Json properties, std::vector<std::string> required = {}, bool closed = false);

// --- arguments: absent or null → the fallback / nullopt; a wrong type →
// kInvalidArgument "<name> must be a ...".
Result<std::optional<std::string>> OptString(const Json& args, const char* name);
Result<std::string> ReqString(const Json& args, const char* name);
Result<std::string> StringOr(const Json& args, const char* name, std::string fallback);
Result<bool> OptBool(const Json& args, const char* name, bool fallback);
Result<std::optional<uint64_t>> OptUint(const Json& args, const char* name);
Result<uint64_t> UintOr(const Json& args, const char* name, uint64_t fallback);

// A tool with its annotations; openWorldHint defaults to false (the tools act
// on this repository and its backends only).
Tool MakeTool(std::string name, std::string title, std::string description, Json input, Json output,
              Json annotations);

inline const Json kReadOnly = {{"readOnlyHint", true}};
inline const Json kChanges = {{"readOnlyHint", false}, {"destructiveHint", false}};
inline const Json kDestroys = {{"readOnlyHint", false}, {"destructiveHint", true}};

}  // namespace ipfs_kit::mcp
