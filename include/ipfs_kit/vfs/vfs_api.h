// REST endpoints of the VFS under /api/vfs/ (docs/vfs.md has every field):
//
//   GET    /api/vfs/status                         summary: buckets, roots, dirty, last commits
//   GET    /api/vfs/buckets                        every bucket
//   POST   /api/vfs/buckets                        create; name in ?name= or {"name": ...}
//   GET    /api/vfs/buckets/{bucket}               one bucket
//   POST   /api/vfs/buckets/{bucket}               create it
//   DELETE /api/vfs/buckets/{bucket}               delete it (root and history; blocks stay)
//   GET    /api/vfs/buckets/{bucket}/ls?path=/     entries of a directory
//   GET    /api/vfs/buckets/{bucket}/stat?path=    one entry
//   GET    /api/vfs/buckets/{bucket}/read?path=&offset=&length=   the bytes
//   PUT|POST .../write?path=&parents=&create=&append=&offset=&truncate=   body = the bytes
//   POST   .../mkdir?path=&parents=
//   POST|DELETE .../rm?path=&recursive=
//   POST   .../mv?from=&to=
//   POST   .../cp?from=&to=&parents=               from may be /ipfs/CID[/path]
//   POST   .../commit?message=  (or {"message": ...})
//   GET    .../history?limit=
//   GET    .../export?root=                        CAR v1 of the root (or of a commit)
//   POST   .../pin?name=&spool=                    pin the last commit through the daemon
//
// Answers are JSON, except read (application/octet-stream) and export
// (application/vnd.ipld.car); bodies over kMaxInlineBytes are streamed
// (Response::stream, produced on a thread of their own that holds `vfs`).
// Errors: {"error":{"reason","details"}} with 400 BAD_REQUEST (bad bucket
// name, path, parameter or body), 404 NOT_FOUND, 405 METHOD_NOT_ALLOWED (with
// Allow), 409 CONFLICT (exists), 503 DAEMON_UNAVAILABLE (pin with the daemon
// down, unless spool=true: then 202 and the request is spooled), 500.
//
// Threading: HandleVfsApi blocks for the length of the operation (a write
// imports the body; a cp may fetch from backends); call it from a worker
// thread, from any number of threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/http/message.h"
#include "ipfs_kit/vfs/vfs.h"

namespace ipfs_kit::vfs {

// Bodies up to this size are answered whole; larger ones are streamed.
inline constexpr uint64_t kMaxInlineBytes = 16 << 20;

// Where a request path leads. Pure; fuzzed (fuzz/vfs_path_fuzzer.cpp).
struct VfsApiRoute {
  enum class Kind { kStatus, kBuckets, kBucket, kOperation };
  Kind kind = Kind::kStatus;
  std::string bucket;     // kBucket, kOperation: a valid bucket name
  std::string operation;  // kOperation: "ls", "stat", "read", ...
};
// kNotFound for a path that is no VFS endpoint (not under /api/vfs/, an
// unknown operation); kInvalidArgument for a bad bucket name.
Result<VfsApiRoute> ParseVfsApiPath(std::string_view path);

// Answers a request whose path starts with /api/vfs (the caller routes it).
void HandleVfsApi(const std::shared_ptr<Vfs>& vfs, const http::Request& request,
                  http::Response* response);

// The /api/vfs/status body: {"bucket_count", "dirty_count", "buckets": [...]}.
Result<nlohmann::json> VfsStatusJson(Vfs& vfs);

}  // namespace ipfs_kit::vfs
