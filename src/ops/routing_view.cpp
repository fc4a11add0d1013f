#include "ipfs_kit/ops/routing_view.h"

#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::ops {

using nlohmann::json;

json BackendRowJson(const routing::BackendRow& b) {
  json j{{"name", b.name},
         {"type", b.type},
         {"state", b.state},
         {"latency_ms_p50", b.latency_ms_p50},
         {"latency_ms_p99", b.latency_ms_p99},
         {"error_rate", b.error_rate},
         {"bytes_used", b.bytes_used},
         {"bytes_free", b.bytes_free},
         {"pin_count", b.pin_count},
         {"priority", b.priority}};
  if (b.reason) j["reason"] = *b.reason;
  return j;
}

Result<json> RouteLookupJson(const std::string& index_dir, const std::string& cid_text) {
  ASSIGN_OR_RETURN(auto cid, multiformats::Cid::Parse(cid_text));
  ASSIGN_OR_RETURN(auto reader, routing::RouteReader::Open(index_dir));
  ASSIGN_OR_RETURN(auto routes, reader->Lookup(cid_text));
  std::string key = cid_text;
  if (routes.empty() && cid.ToV1().ToString() != cid_text) {
    key = cid.ToV1().ToString();
    ASSIGN_OR_RETURN(routes, reader->Lookup(key));
  }
  ASSIGN_OR_RETURN(auto pin, reader->GetPin(key));
  json arr = json::array();
  for (const auto& r : routes) {
    json j{{"backend", r.location.backend},
           {"state", r.location.state},
           {"size_bytes", r.location.size_bytes}};
    if (r.location.verified_at_ms) j["verified_at_ms"] = *r.location.verified_at_ms;
    if (r.backend) j["backend_info"] = BackendRowJson(*r.backend);
    arr.push_back(std::move(j));
  }
  json out{{"cid", key}, {"generation", reader->generation()}, {"locations", std::move(arr)}};
  if (pin) {
    out["pin"] = {{"status", pin->status},
                  {"size_bytes", pin->size_bytes},
                  {"replication_min", pin->replication_min},
                  {"replication_max", pin->replication_max},
                  {"replicas", pin->replicas}};
  }
  return out;
}

Result<json> RouteSuggestJson(const std::string& index_dir, int64_t size, size_t n) {
  if (size < 0) return Status::InvalidArgument("size must not be negative");
  ASSIGN_OR_RETURN(auto reader, routing::RouteReader::Open(index_dir));
  ASSIGN_OR_RETURN(auto bs, reader->Suggest(size, n));
  json arr = json::array();
  for (const auto& b : bs) arr.push_back(BackendRowJson(b));
  return arr;
}

Result<json> RouteStatsJson(const std::string& index_dir) {
  ASSIGN_OR_RETURN(auto reader, routing::RouteReader::Open(index_dir));
  ASSIGN_OR_RETURN(auto st, reader->Stats());
  json arr = json::array();
  for (const auto& s : st) {
    auto j = BackendRowJson(s.backend);
    j["pins"] = s.pins;
    j["bytes"] = s.bytes;
    arr.push_back(std::move(j));
  }
  return json{{"generation", reader->generation()}, {"backends", std::move(arr)}};
}

}  // namespace ipfs_kit::ops
