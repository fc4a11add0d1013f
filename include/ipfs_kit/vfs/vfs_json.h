// The JSON forms of the VFS's values, shared by the REST handler, the MCP
// tools, the CLI's --json output and the dashboard (docs/vfs.md lists the
// fields), and the JSON Schemas of the same objects for the tools' output
// schemas. Pure functions. Names read
// from a DAG may be ill-formed UTF-8; they are sanitized (U+FFFD) here so
// that serializing never fails.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ipfs_kit/vfs/vfs.h"

namespace ipfs_kit::vfs {

using Json = nlohmann::json;

Json EntryJson(const EntryInfo& e);
Json CommitJson(const CommitRecord& c);
Json BucketJson(const BucketInfo& b);
Json ChangeJson(const Change& c);   // {"root", "entry"?}
Json PinJson(const PinOutcome& p);  // {"cid", "status", "request_id", "spooled"}
Json StatusJson(const std::vector<BucketInfo>& buckets);  // /api/vfs/status

Json EntrySchema();
Json CommitSchema();
Json BucketSchema();
Json ChangeSchema();
Json PinSchema();

// Serializes without throwing on bad UTF-8 (replaced).
std::string DumpJson(const Json& j);

}  // namespace ipfs_kit::vfs
