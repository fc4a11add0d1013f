// Internal: recently served small raw blocks of the local store, with their
// header strings, for the raw-block fast path. Content addressing makes the
// bytes of a CID immutable, so an entry can never be wrong; the only thing it
// can outlive is the block's removal from the local store, which is why
// entries expire after `ttl_ms` (a removed block may still be served for that
// long, as from any HTTP cache).
//
// Thread-safe (one mutex; lookups are a hash probe and a list splice).
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ipfs_kit::gateway {

struct CachedRawBlock {
  std::string body;
  std::string cid_text;     // the CID as headers print it
  std::string etag;         // "\"{cid}.raw\""
  std::string disposition;  // attachment; filename="{cid}.bin"
};

class RawBlockCache {
 public:
  // capacity_bytes 0 disables the cache.
  RawBlockCache(size_t capacity_bytes, int ttl_ms);

  // The entry for `key` (binary CID) unless absent or expired.
  std::shared_ptr<const CachedRawBlock> Find(const std::string& key);
  void Put(const std::string& key, std::shared_ptr<const CachedRawBlock> block);
  bool enabled() const { return capacity_ > 0; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Slot {
    std::string key;
    std::shared_ptr<const CachedRawBlock> block;
    Clock::time_point expires;
  };
  static size_t Cost(const Slot& s) { return s.key.size() + s.block->body.size() + 256; }
  const size_t capacity_;
  const std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::list<Slot> lru_;  // most recent first
  std::unordered_map<std::string, std::list<Slot>::iterator> index_;
  size_t used_ = 0;
};

}  // namespace ipfs_kit::gateway
