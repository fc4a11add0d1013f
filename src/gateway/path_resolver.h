// Internal: walks a content path from its root CID through UnixFS
// directories (flat and HAMT-sharded) and plain dag-pb links.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "block_source.h"
#include "dag_node.h"

namespace ipfs_kit::gateway {

// A block read on the way to the terminal one, in the order read (what a CAR
// must carry so the client can verify the path). `data` is kept while the
// blocks recorded so far stay under a budget; past it, it is dropped and
// fetched again when needed.
struct PathBlock {
  multiformats::Cid cid;
  std::optional<Bytes> data;
};

struct ResolvedPath {
  DagNode terminal;
  // The root and the CID each segment resolved to (X-Ipfs-Roots).
  std::vector<multiformats::Cid> segment_cids;
  std::vector<PathBlock> blocks;  // excludes the terminal block
};

// kNotFound (404) when a segment does not exist or a non-directory is walked
// into; block errors as BlockSource returns them; kUnsupported for HAMTs with
// another hash or fanout; kCorruption for malformed shards.
Result<ResolvedPath> ResolvePath(BlockSource& source, const multiformats::Cid& root,
                                 const std::vector<std::string>& segments, int max_depth);

// Looks `name` up in a directory node (flat, HAMT, or plain dag-pb links).
// nullopt when absent. Shard blocks read are appended to `blocks` if given,
// their bytes kept while *kept (bytes kept so far) stays under the budget.
Result<std::optional<multiformats::Cid>> LookupEntry(BlockSource& source, const DagNode& dir,
                                                     const std::string& name, int max_depth,
                                                     std::vector<PathBlock>* blocks = nullptr,
                                                     size_t* kept = nullptr);

}  // namespace ipfs_kit::gateway
