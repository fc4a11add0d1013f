// Retrieval without the daemon (DESIGN §1): a Blockstore that reads the local
// store first, then the backends the routing index names for a root CID,
// best first, verifying every block (a block that does not match its CID is
// skipped and the next backend is asked). Backends are made from
// $IPFS_KIT_PATH/backends.json, which the daemon writes beside the index.
// Writes go to the local store. Thread-compatible (one reader per thread).
#pragma once

#include <memory>
#include <string>

#include "ipfs_kit/blockstore/blockstore.h"

namespace ipfs_kit::client {

// `local` must outlive the result. When the repository has no index or no
// backends.json, the result reads the local store only.
Result<std::unique_ptr<blockstore::Blockstore>> OpenRoutedBlockstore(const std::string& repo_path,
                                                                      blockstore::Blockstore& local,
                                                                      const multiformats::Cid& root);

}  // namespace ipfs_kit::client
