// The routing index's answers as JSON, read straight from
// $IPFS_KIT_PATH/index (no daemon): the one shape used by `route ... --json`,
// the MCP route_* tools and the /api/routing/* endpoints.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/routing/index.h"

namespace ipfs_kit::ops {

nlohmann::json BackendRowJson(const routing::BackendRow& b);

// {cid (v1 text), generation, locations:[{backend, state, size_bytes,
// verified_at_ms?, backend_info?}], pin?:{status, size_bytes,
// replication_min, replication_max, replicas}}. An unknown CID has no
// locations (not an error); a malformed one is kInvalidArgument.
Result<nlohmann::json> RouteLookupJson(const std::string& index_dir, const std::string& cid);
// [backend rows], best first, for a new pin of `size` bytes.
Result<nlohmann::json> RouteSuggestJson(const std::string& index_dir, int64_t size, size_t n);
// {generation, backends:[row + pins + bytes]}.
Result<nlohmann::json> RouteStatsJson(const std::string& index_dir);

}  // namespace ipfs_kit::ops
