// The `local` backend: Kubo flatfs-compatible block directory.
//
// Layout (docs/formats/blockstore.md): <root>/SHARDING holds
// "/repo/flatfs/shard/v1/next-to-last/2"; a block with multihash M lives at
// <root>/<shard>/<KEY>.data where KEY is RFC 4648 base32 upper-case, no
// padding, of M's bytes, and <shard> is the two characters before KEY's last
// one. Writes go to a unique temporary file in the shard directory, then are
// renamed into place, so concurrent writers (threads or processes) never
// expose a partial block; identical content makes the race harmless.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "ipfs_kit/blockstore/blockstore.h"

namespace ipfs_kit::blockstore {

struct FlatfsOptions {
  // fsync every block and its directory on Put. When false, durability comes
  // from Sync() (syncfs on the store), which bulk importers call once.
  bool sync_each_put = false;
};

class FlatfsBlockstore : public Blockstore {
 public:
  // Creates the directory and SHARDING file if missing; fails if SHARDING
  // names another sharding function.
  static Result<std::unique_ptr<FlatfsBlockstore>> Open(const std::string& root,
                                                        FlatfsOptions options = {});
  ~FlatfsBlockstore() override;

  Result<bool> Has(const Cid& cid) override;
  Result<Bytes> Get(const Cid& cid) override;
  Result<uint64_t> Size(const Cid& cid) override;
  Status PutParts(const Cid& cid, std::span<const ByteView> parts) override;
  Status Delete(const Cid& cid) override;
  Status List(const std::function<bool(const Cid&)>& fn) override;
  Status Sync() override;

  // Path of the file that holds (or would hold) the block; for tests and tools.
  std::string BlockPath(const Cid& cid) const;

 private:
  FlatfsBlockstore(std::string root, FlatfsOptions options);
  std::string root_;
  FlatfsOptions options_;
  // Shard directories (two base32 characters: 32 * 32) this object has made
  // sure exist; they are never removed, so one mkdir each is enough.
  std::unique_ptr<std::atomic<bool>[]> shard_known_{new std::atomic<bool>[32 * 32]()};
};

}  // namespace ipfs_kit::blockstore
