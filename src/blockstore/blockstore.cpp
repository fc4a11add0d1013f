// GetVerified and the in-memory Blockstore.
#include "ipfs_kit/blockstore/blockstore.h"

#include <map>
#include <mutex>
#include <vector>

namespace ipfs_kit::blockstore {

using multiformats::kCodecRaw;
using multiformats::kIdentity;
using multiformats::Multihash;

Result<size_t> CheckedBlockSize(const Cid& cid, std::span<const ByteView> parts) {
  size_t total = 0;
  for (ByteView p : parts) total += p.size();
  if (total > kMaxBlockSize) {
    return Status::InvalidArgument("block " + cid.ToString() + " is " + std::to_string(total) +
                                   " bytes, over the " + std::to_string(kMaxBlockSize) +
                                   "-byte limit");
  }
  return total;
}

Result<Bytes> GetVerified(Blockstore& store, const Cid& cid) {
  ASSIGN_OR_RETURN(Bytes data, store.Get(cid));
  Result<bool> match = multiformats::VerifyMultihash(cid.hash(), data);
  if (!match.ok()) return match.status().WithContext("block " + cid.ToString());
  if (!*match) {
    return Status::Corruption("block " + cid.ToString() + " does not match its hash");
  }
  return data;
}

namespace {

// Keyed by multihash bytes, like the flatfs store, so CIDv0/v1 and different
// codecs of the same content share one entry.
class MemoryBlockstore : public Blockstore {
 public:
  Result<bool> Has(const Cid& cid) override {
    if (cid.hash().code == kIdentity) return true;
    std::lock_guard<std::mutex> lock(mu_);
    return blocks_.count(cid.hash().ToBytes()) > 0;
  }

  Result<Bytes> Get(const Cid& cid) override {
    if (cid.hash().code == kIdentity) return cid.hash().digest;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = blocks_.find(cid.hash().ToBytes());
    if (it == blocks_.end()) return Status::NotFound("block " + cid.ToString() + " not found");
    return it->second;
  }

  Result<uint64_t> Size(const Cid& cid) override {
    if (cid.hash().code == kIdentity) return static_cast<uint64_t>(cid.hash().digest.size());
    std::lock_guard<std::mutex> lock(mu_);
    auto it = blocks_.find(cid.hash().ToBytes());
    if (it == blocks_.end()) return Status::NotFound("block " + cid.ToString() + " not found");
    return static_cast<uint64_t>(it->second.size());
  }

  Status PutParts(const Cid& cid, std::span<const ByteView> parts) override {
    if (cid.hash().code == kIdentity) return Status::Ok();
    ASSIGN_OR_RETURN(size_t total, CheckedBlockSize(cid, parts));
    Bytes key = cid.hash().ToBytes();
    std::lock_guard<std::mutex> lock(mu_);
    if (blocks_.count(key)) return Status::Ok();
    Bytes data;
    data.reserve(total);
    for (ByteView p : parts) Append(data, p);
    blocks_.emplace(std::move(key), std::move(data));
    return Status::Ok();
  }

  Status Delete(const Cid& cid) override {
    if (cid.hash().code == kIdentity) return Status::Ok();  // never stored
    std::lock_guard<std::mutex> lock(mu_);
    if (blocks_.erase(cid.hash().ToBytes()) == 0) {
      return Status::NotFound("block " + cid.ToString() + " not found");
    }
    return Status::Ok();
  }

  Status List(const std::function<bool(const Cid&)>& fn) override {
    // Snapshot the keys so fn may call back into the store without deadlock.
    std::vector<Bytes> keys;
    {
      std::lock_guard<std::mutex> lock(mu_);
      keys.reserve(blocks_.size());
      for (const auto& [k, v] : blocks_) keys.push_back(k);
    }
    for (const Bytes& k : keys) {
      ASSIGN_OR_RETURN(Multihash mh, Multihash::FromBytes(k));
      if (!fn(Cid(1, kCodecRaw, std::move(mh)))) break;
    }
    return Status::Ok();
  }

  Status Sync() override { return Status::Ok(); }

 private:
  std::mutex mu_;
  std::map<Bytes, Bytes> blocks_;
};

}  // namespace

std::unique_ptr<Blockstore> NewMemoryBlockstore() { return std::make_unique<MemoryBlockstore>(); }

}  // namespace ipfs_kit::blockstore
