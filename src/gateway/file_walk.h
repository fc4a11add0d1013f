// Internal: the blocks of a UnixFS file that hold a byte range.
#pragma once

#include <cstdint>
#include <functional>

#include "block_source.h"
#include "dag_node.h"

namespace ipfs_kit::gateway {

// Called for each block, depth-first in content order (a node before its
// children); `offset` is where the node's own content bytes (DagNode::content)
// start in the file.
using FileVisitor = std::function<Status(const DagNode& node, uint64_t offset)>;

// Visits `root` and every block below it whose content range meets
// [from, end). `root` must be a raw block or a UnixFS File/Raw node. A child
// that is not a file node, blocksizes that do not match the links, or a DAG
// deeper than max_depth are kCorruption.
Status WalkFileRange(BlockSource& source, const DagNode& root, uint64_t from, uint64_t end,
                     int max_depth, const FileVisitor& visit);

// Streams the file's bytes [from, end) to `sink` in order, one slice per
// block. A sink returning false stops the walk with kUnavailable ("client
// went away").
Status ReadFileRange(BlockSource& source, const DagNode& root, uint64_t from, uint64_t end,
                     int max_depth, const std::function<bool(ByteView)>& sink);

}  // namespace ipfs_kit::gateway
