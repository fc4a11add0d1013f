// Strict JSON config parsing: every key is known, every value checked, and
// every error names the key path (see docs/config.md).
#include "ipfs_kit/daemon/config.h"

#include "ipfs_kit/backends/backend_config.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace ipfs_kit::daemon {
namespace {

using json = nlohmann::json;

class Reader {
 public:
  Reader(const json& obj, std::string path) : obj_(obj), path_(std::move(path)) {}

  Status CheckKeys(const std::set<std::string>& known) const {
    if (!obj_.is_object()) return Err("", "must be an object");
    for (auto it = obj_.begin(); it != obj_.end(); ++it) {
      if (!known.count(it.key())) return Err(it.key(), "unknown key");
    }
    return Status::Ok();
  }
  Status Int(const char* key, int64_t* out, int64_t lo, int64_t hi) const {
    if (!obj_.contains(key)) return Status::Ok();
    const json& v = obj_.at(key);
    if (!v.is_number_integer()) return Err(key, "must be an integer");
    int64_t x = v.get<int64_t>();
    if (x < lo || x > hi) {
      return Err(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                          ", got " + std::to_string(x));
    }
    *out = x;
    return Status::Ok();
  }
  Status Int(const char* key, int* out, int64_t lo, int64_t hi) const {
    int64_t x = *out;
    RETURN_IF_ERROR(Int(key, &x, lo, hi));
    *out = static_cast<int>(x);
    return Status::Ok();
  }
  Status Str(const char* key, std::string* out, bool required = false) const {
    if (!obj_.contains(key)) return required ? Err(key, "missing") : Status::Ok();
    const json& v = obj_.at(key);
    if (!v.is_string()) return Err(key, "must be a string");
    *out = v.get<std::string>();
    return Status::Ok();
  }
  const json* Sub(const char* key) const { return obj_.contains(key) ? &obj_.at(key) : nullptr; }
  std::string Path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  Status Err(const std::string& key, const std::string& what) const {
    std::string p = key.empty() ? path_ : Path(key);
    return Status::InvalidArgument(p.empty() ? what : p + ": " + what);
  }

 private:
  const json& obj_;
  std::string path_;
};

}  // namespace

DaemonConfig DefaultConfig() {
  DaemonConfig c;
  backends::BackendConfig local;
  local.name = "local";
  local.type = "local";
  c.backends.push_back(local);
  return c;
}

Result<DaemonConfig> ParseConfig(std::string_view text, const std::string& source) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return Status::InvalidArgument(source + ": not valid JSON");
  DaemonConfig c;
  auto fail = [&](const Status& s) { return s.WithContext(source); };
  Reader top(j, "");
  if (Status s = top.CheckKeys(
          {"api", "replication", "intervals", "verify", "logs", "health_history", "backends"});
      !s.ok()) {
    return fail(s);
  }
  if (Status s = top.Int("health_history", &c.health_history, 1, 1000000); !s.ok()) return fail(s);
  if (const json* a = top.Sub("api")) {
    Reader r(*a, "api");
    Status s = r.CheckKeys({"address", "threads", "max_body_bytes"});
    if (s.ok()) s = r.Str("address", &c.api.address);
    if (s.ok() && c.api.address.rfind(':') == std::string::npos)
      s = r.Err("address", "must be HOST:PORT");
    if (s.ok()) s = r.Int("threads", &c.api.threads, 1, 64);
    if (s.ok()) s = r.Int("max_body_bytes", &c.api.max_body_bytes, 1024, int64_t{1} << 30);
    if (!s.ok()) return fail(s);
  }
  if (const json* a = top.Sub("replication")) {
    Reader r(*a, "replication");
    auto& x = c.replication;
    Status s = r.CheckKeys({"min", "max", "concurrency", "retry_base_ms", "retry_max_ms",
                            "max_attempts", "unhealthy_grace_ms"});
    if (s.ok()) s = r.Int("min", &x.min, 0, 1000);
    if (s.ok()) s = r.Int("max", &x.max, 0, 1000);
    if (s.ok() && x.max < x.min) s = r.Err("max", "must be >= replication.min");
    if (s.ok()) s = r.Int("concurrency", &x.concurrency, 1, 1024);
    if (s.ok()) s = r.Int("retry_base_ms", &x.retry_base_ms, 1, 86400000);
    if (s.ok()) s = r.Int("retry_max_ms", &x.retry_max_ms, 1, 86400000);
    if (s.ok()) s = r.Int("max_attempts", &x.max_attempts, 1, 1000);
    if (s.ok()) s = r.Int("unhealthy_grace_ms", &x.unhealthy_grace_ms, 0, 86400000);
    if (!s.ok()) return fail(s);
  }
  if (const json* a = top.Sub("intervals")) {
    Reader r(*a, "intervals");
    auto& x = c.intervals;
    Status s = r.CheckKeys(
        {"health_ms", "reconcile_ms", "verify_ms", "index_publish_ms", "index_debounce_ms"});
    if (s.ok()) s = r.Int("health_ms", &x.health_ms, 50, 86400000);
    if (s.ok()) s = r.Int("reconcile_ms", &x.reconcile_ms, 10, 86400000);
    if (s.ok()) s = r.Int("verify_ms", &x.verify_ms, 50, 86400000);
    if (s.ok()) s = r.Int("index_publish_ms", &x.index_publish_ms, 50, 86400000);
    if (s.ok()) s = r.Int("index_debounce_ms", &x.index_debounce_ms, 0, 86400000);
    if (!s.ok()) return fail(s);
  }
  if (const json* a = top.Sub("verify")) {
    Reader r(*a, "verify");
    Status s = r.CheckKeys({"locations_per_round", "max_blocks_per_location"});
    if (s.ok()) s = r.Int("locations_per_round", &c.verify.locations_per_round, 0, 100000);
    if (s.ok())
      s = r.Int("max_blocks_per_location", &c.verify.max_blocks_per_location, 1, 10000000);
    if (!s.ok()) return fail(s);
  }
  if (const json* a = top.Sub("logs")) {
    Reader r(*a, "logs");
    Status s = r.CheckKeys({"level", "max_file_bytes", "keep_files"});
    if (s.ok()) s = r.Str("level", &c.logs.level);
    if (s.ok() && c.logs.level != "debug" && c.logs.level != "info" && c.logs.level != "warn" &&
        c.logs.level != "error") {
      s = r.Err("level", "must be debug, info, warn or error");
    }
    if (s.ok()) s = r.Int("max_file_bytes", &c.logs.max_file_bytes, 4096, int64_t{1} << 40);
    if (s.ok()) s = r.Int("keep_files", &c.logs.keep_files, 1, 1000);
    if (!s.ok()) return fail(s);
  }
  if (const json* a = top.Sub("backends")) {
    if (!a->is_array()) return fail(Status::InvalidArgument("backends: must be an array"));
    std::set<std::string> names;
    for (size_t i = 0; i < a->size(); ++i) {
      backends::BackendConfig b;
      std::string path = "backends[" + std::to_string(i) + "]";
      auto parsed = backends::ParseBackendConfig((*a)[i].dump(), path);
      if (!parsed.ok()) return fail(parsed.status());
      b = std::move(parsed).value();
      if (!names.insert(b.name).second) {
        return fail(
            Status::InvalidArgument(path + ".name: duplicate backend name \"" + b.name + "\""));
      }
      c.backends.push_back(std::move(b));
    }
  }
  return c;
}

std::string ConfigToJson(const DaemonConfig& c) {
  json list = json::array();
  for (const auto& b : c.backends)
    list.push_back(json::parse(backends::BackendConfigToJson(b, false)));
  json j = {
      {"api",
       {{"address", c.api.address},
        {"threads", c.api.threads},
        {"max_body_bytes", c.api.max_body_bytes}}},
      {"replication",
       {{"min", c.replication.min},
        {"max", c.replication.max},
        {"concurrency", c.replication.concurrency},
        {"retry_base_ms", c.replication.retry_base_ms},
        {"retry_max_ms", c.replication.retry_max_ms},
        {"max_attempts", c.replication.max_attempts},
        {"unhealthy_grace_ms", c.replication.unhealthy_grace_ms}}},
      {"intervals",
       {{"health_ms", c.intervals.health_ms},
        {"reconcile_ms", c.intervals.reconcile_ms},
        {"verify_ms", c.intervals.verify_ms},
        {"index_publish_ms", c.intervals.index_publish_ms},
        {"index_debounce_ms", c.intervals.index_debounce_ms}}},
      {"verify",
       {{"locations_per_round", c.verify.locations_per_round},
        {"max_blocks_per_location", c.verify.max_blocks_per_location}}},
      {"logs",
       {{"level", c.logs.level},
        {"max_file_bytes", c.logs.max_file_bytes},
        {"keep_files", c.logs.keep_files}}},
      {"health_history", c.health_history},
      {"backends", list},
  };
  return j.dump(2) + "\n";
}

}  // namespace ipfs_kit::daemon
