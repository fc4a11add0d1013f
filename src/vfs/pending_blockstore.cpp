#include "pending_blockstore.h"

#include <vector>

#include "ipfs_kit/dagpb/dag_pb.h"

namespace ipfs_kit::vfs {

using blockstore::Cid;

Result<bool> PendingBlockstore::Has(const Cid& cid) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_.count(Key(cid))) return true;
  }
  return base_.Has(cid);
}

Result<Bytes> PendingBlockstore::Get(const Cid& cid) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(Key(cid));
    if (it != pending_.end()) return it->second;
  }
  return base_.Get(cid);
}

Result<uint64_t> PendingBlockstore::Size(const Cid& cid) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(Key(cid));
    if (it != pending_.end()) return static_cast<uint64_t>(it->second.size());
  }
  return base_.Size(cid);
}

Status PendingBlockstore::PutParts(const Cid& cid, std::span<const ByteView> parts) {
  ASSIGN_OR_RETURN(size_t total, blockstore::CheckedBlockSize(cid, parts));
  Bytes block;
  block.reserve(total);
  for (ByteView p : parts) Append(block, p);
  std::lock_guard<std::mutex> lock(mu_);
  pending_.emplace(Key(cid), std::move(block));
  return Status::Ok();
}

Status PendingBlockstore::Delete(const Cid& cid) {
  return Status::Unsupported("pending blocks are not deleted one by one");
}

Status PendingBlockstore::List(const std::function<bool(const Cid&)>& fn) {
  return Status::Unsupported("pending blocks are not listed");
}

Status PendingBlockstore::Sync() { return base_.Sync(); }

Status PendingBlockstore::Flush(const Cid& root) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Cid> stack{root};
  while (!stack.empty()) {
    Cid cid = std::move(stack.back());
    stack.pop_back();
    auto it = pending_.find(Key(cid));
    if (it == pending_.end()) continue;  // already in the base store
    Bytes block = std::move(it->second);
    pending_.erase(it);  // also marks it visited
    RETURN_IF_ERROR(base_.Put(cid, block));
    if (cid.codec() != multiformats::kCodecDagPb) continue;
    ASSIGN_OR_RETURN(dagpb::PbNodeView node, dagpb::DecodeView(block));
    for (const auto& l : node.links) stack.push_back(l.hash);
  }
  pending_.clear();
  return Status::Ok();
}

}  // namespace ipfs_kit::vfs
