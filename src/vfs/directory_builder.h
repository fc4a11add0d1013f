// UnixFS directory nodes for the VFS, built exactly as the importer builds
// the directories of `ipfs-kit add -r` (unixfs/importer.cpp), so the same
// tree gets the same CIDs: a flat dag-pb directory with links in name-byte
// order, or a HAMT shard when the importer's size estimate is over
// shard_threshold. That estimate counts files, symlinks and empty
// directories but not directories with content (the JS importer's rule,
// which the importer follows).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/blockstore/blockstore.h"
#include "ipfs_kit/multiformats/cid.h"
#include "ipfs_kit/unixfs/importer.h"

namespace ipfs_kit::vfs {

// A directory entry's target: its CID and the cumulative size of its DAG
// (the dag-pb link's Tsize).
struct Link {
  multiformats::Cid cid;
  uint64_t tsize = 0;
};

// Name -> link; std::map orders names by bytes, dag-pb's canonical order.
using DirEntries = std::map<std::string, Link>;

// Builds the directory holding `entries`, puts its block(s) into `store`
// and returns its link. `store` is also read to tell which children are
// directories with content (for the estimate above).
Result<Link> BuildDirectory(const DirEntries& entries, const unixfs::ImportOptions& options,
                            blockstore::Blockstore& store);

// The entries of a directory node, flat or HAMT-sharded. kInvalidArgument
// when `dir` is not a directory.
Result<DirEntries> ReadDirectory(blockstore::Blockstore& store, const multiformats::Cid& dir);

// What a node is, as far as directories go: whether it is a UnixFS
// directory (flat or HAMT) and whether it has entries. Raw blocks and other
// nodes are not directories.
struct NodeShape {
  bool directory = false;
  bool has_entries = false;
};
Result<NodeShape> ShapeOf(blockstore::Blockstore& store, const multiformats::Cid& cid);

// Cumulative size of the DAG under `cid` from its root block: the block's
// size plus its links' Tsizes (dag-pb), or the block's size (raw).
Result<uint64_t> CumulativeSize(blockstore::Blockstore& store, const multiformats::Cid& cid);

}  // namespace ipfs_kit::vfs
