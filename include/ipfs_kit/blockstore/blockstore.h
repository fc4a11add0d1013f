// Blockstore: content-addressed block storage keyed by multihash.
//
// Blocks are stored under their multihash, so CIDv0 and CIDv1 (and different
// codecs) of the same bytes share one block, as in Kubo. Identity-hash CIDs are
// never stored: Has() is true and Get() returns the inline digest.
//
// Get() returns the bytes as stored and does NOT verify them; readers that use
// the bytes call GetVerified(), which re-hashes and fails with kCorruption
// naming the CID on a mismatch.
//
// Thread safety: implementations are safe for concurrent use from several
// threads and several processes (see FlatfsBlockstore).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::blockstore {

using multiformats::Cid;

// Hard cap on a single block (Kubo and the gateway spec use 2 MiB max for
// transfer; importers never make blocks past ~1 MiB + header).
inline constexpr size_t kMaxBlockSize = 2 * 1024 * 1024;

class Blockstore {
 public:
  virtual ~Blockstore() = default;

  virtual Result<bool> Has(const Cid& cid) = 0;
  // kNotFound if absent.
  virtual Result<Bytes> Get(const Cid& cid) = 0;
  // Size of the stored block; kNotFound if absent.
  virtual Result<uint64_t> Size(const Cid& cid) = 0;
  // Stores the concatenation of `parts` under `cid`'s multihash. The caller
  // vouches that the bytes hash to the CID. Writing an existing block is a
  // no-op. The block becomes visible atomically (never partially).
  virtual Status PutParts(const Cid& cid, std::span<const ByteView> parts) = 0;
  Status Put(const Cid& cid, ByteView data) {
    ByteView parts[1] = {data};
    return PutParts(cid, parts);
  }
  // Removing an absent block is kNotFound.
  virtual Status Delete(const Cid& cid) = 0;
  // Calls fn for every stored block (as a CIDv1 raw CID of its multihash)
  // until fn returns false.
  virtual Status List(const std::function<bool(const Cid&)>& fn) = 0;
  // Makes every Put so far durable (fsync). Put itself may not be durable
  // until Sync returns.
  virtual Status Sync() = 0;
};

// Total size of `parts`, or kInvalidArgument naming the CID when it is over
// kMaxBlockSize. Every Blockstore::PutParts starts with this check.
Result<size_t> CheckedBlockSize(const Cid& cid, std::span<const ByteView> parts);

// Get + re-hash. kCorruption "block <cid> does not match its hash" on mismatch.
Result<Bytes> GetVerified(Blockstore& store, const Cid& cid);

// In-memory store (tests, `add --only-hash` bookkeeping).
std::unique_ptr<Blockstore> NewMemoryBlockstore();

}  // namespace ipfs_kit::blockstore
