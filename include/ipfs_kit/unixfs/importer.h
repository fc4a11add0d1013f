// UnixFS importer: turns files, directories, symlinks and streams into a
// UnixFS DAG whose CIDs are identical to Kubo's `ipfs add` (and the JS
// ipfs-unixfs-importer) for the same options.
//
// Streaming: a file is read in chunks and never held whole; memory is bounded
// by (hash threads * 2 + 2) chunks plus one pending link list per tree level.
// Leaves are hashed on a small worker pool (ImportOptions::hash_threads) and
// consumed in order, so the DAG does not depend on scheduling.
//
// Blocks go to `store` (nullptr = only hash, as `add --only-hash`). The caller
// calls store->Sync() after Finish() if it needs durability.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/blockstore/blockstore.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::unixfs {

enum class Layout { kBalanced, kTrickle };
// How a directory's size is estimated against shard_threshold (IPIP-499):
// kLinksBytes sums name bytes + CID bytes of its links (Kubo's historical
// rule); kBlockBytes uses the exact encoded size of the directory node.
enum class ShardStrategy { kLinksBytes, kBlockBytes };

struct ImportOptions {
  int cid_version = 0;
  bool raw_leaves = false;
  uint64_t chunk_size = 262144;
  uint32_t max_links = 174;
  Layout layout = Layout::kBalanced;
  bool wrap = false;       // -w: wrap the added paths in a directory
  bool hidden = false;     // -H: include dot-files inside directories
  bool recursive = false;  // -r: directories allowed
  uint64_t shard_threshold = 262144;
  ShardStrategy shard_strategy = ShardStrategy::kLinksBytes;
  unsigned hash_threads = 0;  // 0: one per core, at most 4
};

inline constexpr uint64_t kMaxChunkSize = 1024 * 1024;  // Kubo's limit for size-N
// Named profiles (IPIP-499): "unixfs-v0-2015" and "unixfs-v1-2025".
Result<ImportOptions> ProfileOptions(std::string_view name);
// Parses "size-N" (1 <= N <= 1 MiB).
Result<uint64_t> ParseChunker(std::string_view spec);
Status ValidateOptions(const ImportOptions& o);

struct AddedEntry {
  std::string path;  // relative name as Kubo prints it ("dir/a.txt"); CID string for stdin
  multiformats::Cid cid;
  uint64_t size = 0;  // content bytes for files; cumulative DAG size for directories
  bool is_directory = false;
};

struct ImportCallbacks {
  std::function<void(const AddedEntry&)> on_entry;  // every file and directory, children first
  std::function<void(uint64_t bytes)> on_bytes;     // content bytes read so far (progress)
};

class Importer {
 public:
  Importer(blockstore::Blockstore* store, ImportOptions options, ImportCallbacks callbacks = {});
  ~Importer();
  Importer(const Importer&) = delete;
  Importer& operator=(const Importer&) = delete;

  // Adds a path from disk under its base name. A symlink named directly is
  // followed; inside directories symlinks are stored as UnixFS symlinks.
  Status AddPath(const std::string& path);
  // Adds the content read from `fd` until EOF (stdin). Named by its CID.
  Status AddStream(int fd);
  // Builds directories and returns the root: the wrapping directory with
  // wrap, else the last top-level entry added.
  Result<multiformats::Cid> Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Imports the bytes of one file from `fd` and returns its root CID and
// cumulative DAG size (lower-level entry point used by Importer and tests).
struct FileResult {
  multiformats::Cid cid;
  uint64_t tsize = 0;     // block bytes of the whole DAG
  uint64_t content = 0;   // file bytes
};
Result<FileResult> ImportFile(int fd, const ImportOptions& options, blockstore::Blockstore* store,
                              const std::function<void(uint64_t)>& on_bytes = {});

}  // namespace ipfs_kit::unixfs
