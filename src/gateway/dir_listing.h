// Internal: the entries of a UnixFS directory (flat or HAMT) and the simple
// HTML page that lists them for a browser.
#pragma once

#include <string>
#include <vector>

#include "block_source.h"
#include "dag_node.h"

namespace ipfs_kit::gateway {

struct ListingEntry {
  std::string name;
  multiformats::Cid cid;
  uint64_t tsize = 0;
};

// Entries in link order (HAMT shards flattened), at most `max_entries`;
// *truncated tells whether there were more.
Result<std::vector<ListingEntry>> ListDirectory(BlockSource& source, const DagNode& dir,
                                                size_t max_entries, int max_depth, bool* truncated);

// `base` is the directory's content path as sent ("/ipfs/bafy.../docs"),
// used for absolute links, so the page works with or without a trailing slash.
std::string RenderListing(std::string_view base, const multiformats::Cid& dir,
                          const std::vector<ListingEntry>& entries, bool truncated);

}  // namespace ipfs_kit::gateway
