// UnixFS exporter: path resolution, file streaming (whole or a byte range),
// directory listing (flat and HAMT-sharded) and extraction to disk.
//
// Every block is fetched through blockstore::GetVerified, so a block whose
// bytes do not hash to its CID is an error naming the CID and its content is
// never passed on. Limits guard against hostile DAGs: path length, DAG depth,
// block size.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/blockstore/blockstore.h"
#include "ipfs_kit/multiformats/cid.h"
#include "ipfs_kit/unixfs/unixfs_data.h"

namespace ipfs_kit::unixfs {

inline constexpr size_t kMaxPathBytes = 4096;
inline constexpr size_t kMaxPathComponentBytes = 255;
inline constexpr int kMaxDagDepth = 256;

// What a CID points at, from its codec and UnixFS Data.
enum class EntryKind { kFile, kDirectory, kSymlink, kRaw /*raw codec block*/, kOther };
const char* EntryKindName(EntryKind k);

struct NodeInfo {
  multiformats::Cid cid;
  EntryKind kind = EntryKind::kOther;
  uint64_t size = 0;  // file content bytes (files, raw); 0 for directories
  std::optional<uint32_t> mode;
  std::optional<UnixTime> mtime;
  std::string symlink_target;  // for symlinks
};

struct DirEntry {
  std::string name;
  multiformats::Cid cid;
  uint64_t tsize = 0;  // link Tsize (cumulative DAG size)
};

class Exporter {
 public:
  explicit Exporter(blockstore::Blockstore& store, unsigned prefetch_threads = 2);
  ~Exporter();

  // Accepts "CID", "CID/a/b", "/ipfs/CID/a/b". Follows directory links,
  // through HAMT shards. kNotFound names the missing component.
  Result<multiformats::Cid> Resolve(std::string_view path);
  Result<NodeInfo> Stat(const multiformats::Cid& cid);
  // Entries in link order (name order); HAMT shards are flattened.
  Result<std::vector<DirEntry>> List(const multiformats::Cid& dir);
  // Streams file bytes [offset, offset+length) to `sink` in order.
  Status Cat(const multiformats::Cid& file, uint64_t offset, std::optional<uint64_t> length,
             const std::function<Status(ByteView)>& sink);
  // Writes the file, symlink or directory tree at `cid` to `out_path`, which
  // must not exist. Entry names that could escape it ("", ".", "..", with
  // '/' or NUL) are refused. The tree is built under a temporary name beside
  // out_path and renamed into place only when complete.
  Status Get(const multiformats::Cid& cid, const std::string& out_path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Checks a directory entry name received from a DAG.
Status ValidateEntryName(std::string_view name);

}  // namespace ipfs_kit::unixfs
