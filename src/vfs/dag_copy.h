// Copies the DAG under a root from one block source (a routed store that
// reads from backends) into the local store, so a bucket never refers to
// blocks it does not hold: export and pin then work offline.
#pragma once

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/blockstore/blockstore.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::vfs {

// Walks the dag-pb/raw DAG under `root`: blocks missing from `to` are read
// from `from`, verified against their CID and stored; blocks `to` already
// has are read there (for their links). Limits: kMaxDagDepth levels, other
// codecs are kUnsupported. Does not Sync `to`.
Status CopyDag(blockstore::Blockstore& from, blockstore::Blockstore& to,
               const multiformats::Cid& root);

}  // namespace ipfs_kit::vfs
