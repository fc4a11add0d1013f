#include "raw_block_cache.h"

namespace ipfs_kit::gateway {

RawBlockCache::RawBlockCache(size_t capacity_bytes, int ttl_ms)
    : capacity_(capacity_bytes), ttl_(ttl_ms) {}

std::shared_ptr<const CachedRawBlock> RawBlockCache::Find(const std::string& key) {
  if (capacity_ == 0) return nullptr;
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  if (Clock::now() >= it->second->expires) {
    used_ -= Cost(*it->second);
    lru_.erase(it->second);
    index_.erase(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->block;
}

void RawBlockCache::Put(const std::string& key, std::shared_ptr<const CachedRawBlock> block) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    used_ -= Cost(*it->second);
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(Slot{key, std::move(block), Clock::now() + ttl_});
  used_ += Cost(lru_.front());
  index_.emplace(key, lru_.begin());
  while (used_ > capacity_ && !lru_.empty()) {
    used_ -= Cost(lru_.back());
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

}  // namespace ipfs_kit::gateway
