#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "ipfs_kit/backends/backend_config.h"

namespace ipfs_kit::backends {
namespace {

using json = nlohmann::json;

Status Err(const std::string& key, const std::string& field, const std::string& what) {
  return Status::InvalidArgument(key + "." + field + ": " + what);
}

}  // namespace

Status ValidateBackendName(const std::string& name) {
  if (name.empty() || name.size() > 63)
    return Status::InvalidArgument("backend name must be 1 to 63 characters");
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '-' || c == '_'));
    if (!ok) {
      return Status::InvalidArgument(
          "backend name \"" + name +
          "\" must be lower-case letters, digits, '-' and '_' (not first)");
    }
  }
  return Status::Ok();
}

Result<BackendConfig> ParseBackendConfig(std::string_view text, const std::string& key) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return Status::InvalidArgument(key + ": not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument(key + ": must be an object");
  static const std::set<std::string> known = {"name", "type",     "params",
                                              "tags", "priority", "capacity_bytes"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!known.count(it.key())) return Err(key, it.key(), "unknown key");
  }
  BackendConfig b;
  for (const char* f : {"name", "type"}) {
    if (!j.contains(f)) return Err(key, f, "missing");
    if (!j[f].is_string()) return Err(key, f, "must be a string");
  }
  b.name = j["name"].get<std::string>();
  if (Status s = ValidateBackendName(b.name); !s.ok()) return Err(key, "name", s.message());
  b.type = j["type"].get<std::string>();
  const auto& types = BackendTypes();
  if (std::find(types.begin(), types.end(), b.type) == types.end()) {
    std::string list;
    for (const auto& t : types) list += (list.empty() ? "" : ", ") + t;
    return Err(key, "type", "unknown backend type \"" + b.type + "\" (known: " + list + ")");
  }
  auto integer = [&](const char* f, int64_t lo, int64_t hi, int64_t* out) -> Status {
    if (!j.contains(f)) return Status::Ok();
    if (!j[f].is_number_integer()) return Err(key, f, "must be an integer");
    int64_t x = j[f].get<int64_t>();
    if (x < lo || x > hi) {
      return Err(key, f,
                 "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " +
                     std::to_string(x));
    }
    *out = x;
    return Status::Ok();
  };
  int64_t priority = 0;
  RETURN_IF_ERROR(integer("priority", -1000000, 1000000, &priority));
  b.priority = static_cast<int>(priority);
  RETURN_IF_ERROR(integer("capacity_bytes", 0, INT64_MAX, &b.capacity_bytes));
  if (j.contains("params")) {
    const json& p = j["params"];
    if (!p.is_object()) return Err(key, "params", "must be an object");
    for (auto it = p.begin(); it != p.end(); ++it) {
      if (it->is_string()) {
        b.params[it.key()] = it->get<std::string>();
      } else if (it->is_number_integer()) {
        b.params[it.key()] = std::to_string(it->get<int64_t>());
      } else if (it->is_boolean()) {
        b.params[it.key()] = it->get<bool>() ? "true" : "false";
      } else {
        return Err(key, "params." + it.key(), "must be a string, an integer or a boolean");
      }
    }
  }
  if (j.contains("tags")) {
    const json& t = j["tags"];
    if (!t.is_array()) return Err(key, "tags", "must be an array of strings");
    for (const auto& x : t) {
      if (!x.is_string()) return Err(key, "tags", "must be an array of strings");
      b.tags.push_back(x.get<std::string>());
    }
  }
  return b;
}

std::string BackendConfigToJson(const BackendConfig& b, bool redact) {
  json params = json::object();
  for (const auto& [k, v] : b.params) {
    bool secret = k == "secret_key" || k == "token" || k == "password";
    params[k] = redact && secret ? "********" : v;
  }
  json j = {{"name", b.name}, {"type", b.type},         {"params", params},
            {"tags", b.tags}, {"priority", b.priority}, {"capacity_bytes", b.capacity_bytes}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace ipfs_kit::backends
