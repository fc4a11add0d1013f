#include "dag_copy.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ipfs_kit/dagpb/dag_pb.h"
#include "ipfs_kit/unixfs/exporter.h"

namespace ipfs_kit::vfs {

using multiformats::Cid;

Status CopyDag(blockstore::Blockstore& from, blockstore::Blockstore& to, const Cid& root) {
  std::set<std::string> seen;  // multihashes
  std::vector<std::pair<Cid, int>> stack{{root, 0}};
  while (!stack.empty()) {
    auto [cid, depth] = std::move(stack.back());
    stack.pop_back();
    Bytes mh = cid.hash().ToBytes();
    if (!seen.emplace(mh.begin(), mh.end()).second) continue;
    if (depth > unixfs::kMaxDagDepth) {
      return Status::InvalidArgument("DAG under " + root.ToString() + " is deeper than " +
                                     std::to_string(unixfs::kMaxDagDepth) + " levels");
    }
    if (cid.codec() != multiformats::kCodecDagPb && cid.codec() != multiformats::kCodecRaw) {
      return Status::Unsupported("block " + cid.ToString() +
                                 " is neither dag-pb nor raw; only UnixFS can go in a bucket");
    }
    ASSIGN_OR_RETURN(bool have, to.Has(cid));
    if (have && cid.codec() == multiformats::kCodecRaw) continue;
    Bytes block;
    if (have) {
      ASSIGN_OR_RETURN(block, blockstore::GetVerified(to, cid));
    } else {
      ASSIGN_OR_RETURN(block, blockstore::GetVerified(from, cid));
      RETURN_IF_ERROR(to.Put(cid, block));
    }
    if (cid.codec() != multiformats::kCodecDagPb) continue;
    auto node = dagpb::DecodeView(block);
    if (!node.ok()) return node.status().WithContext("block " + cid.ToString());
    for (auto it = node->links.rbegin(); it != node->links.rend(); ++it) {
      stack.emplace_back(it->hash, depth + 1);
    }
  }
  return Status::Ok();
}

}  // namespace ipfs_kit::vfs
