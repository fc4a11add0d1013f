// Directory blocks made while a change is being worked out, held in memory
// over the repository's store. A move removes then adds (two new roots);
// only the blocks the final root reaches are written out (Flush), so the
// intermediate directories never reach the disk.
//
// Reads see pending blocks first, then the base store. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "ipfs_kit/blockstore/blockstore.h"

namespace ipfs_kit::vfs {

class PendingBlockstore : public blockstore::Blockstore {
 public:
  explicit PendingBlockstore(blockstore::Blockstore& base) : base_(base) {}

  Result<bool> Has(const blockstore::Cid& cid) override;
  Result<Bytes> Get(const blockstore::Cid& cid) override;
  Result<uint64_t> Size(const blockstore::Cid& cid) override;
  Status PutParts(const blockstore::Cid& cid, std::span<const ByteView> parts) override;
  Status Delete(const blockstore::Cid& cid) override;
  Status List(const std::function<bool(const blockstore::Cid&)>& fn) override;
  Status Sync() override;  // syncs the base store

  // Writes the pending blocks reachable from `root` (through pending
  // dag-pb nodes) to the base store and drops the rest.
  Status Flush(const blockstore::Cid& root);

 private:
  // Multihash bytes as a string (std::map<Bytes, ...> trips a GCC 12
  // -Wstringop-overread false positive).
  static std::string Key(const blockstore::Cid& cid) {
    Bytes b = cid.hash().ToBytes();
    return std::string(b.begin(), b.end());
  }
  blockstore::Blockstore& base_;
  std::mutex mu_;
  std::map<std::string, Bytes> pending_;  // multihash -> block
};

}  // namespace ipfs_kit::vfs
