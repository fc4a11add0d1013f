// WalkDag and CopyDag: whole-DAG operations over any Backend.
//
// Both use the traversal of `ipfs dag export` (see src/car/export_dag.cpp):
// depth-first, links in order, each CID visited once, with an explicit stack
// so a deep DAG cannot overflow the C++ stack. Only dag-pb nodes have links
// (raw leaves have none); any other codec is refused rather than silently
// treated as a leaf, since skipping its links would copy an incomplete DAG.
#include <cstdio>
#include <string>
#include <unordered_set>
#include <vector>

#include "ipfs_kit/backends/backend.h"
#include "ipfs_kit/dagpb/dag_pb.h"

namespace ipfs_kit::backends {
namespace {

using multiformats::kCodecDagPb;
using multiformats::kCodecRaw;
using multiformats::kIdentity;

std::string CodecText(uint64_t codec) {
  std::string name(multiformats::CodecName(codec));
  if (!name.empty()) return name;
  char hex[24];
  std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(codec));
  return hex;
}

// Called once per non-identity CID in DFS pre-order. Returns false to stop
// the walk; for a dag-pb CID it must leave the block's verified bytes in
// *block so the links can be followed.
using Visit = std::function<Result<bool>(const Cid& cid, Bytes* block)>;

Status Traverse(const Cid& root, const Visit& visit) {
  std::vector<Cid> stack{root};
  // Keyed by the full CID, as go-car's export: the same bytes under a v0
  // and a v1 CID are two entries (a block store keeps them once anyway).
  std::unordered_set<Cid> seen;
  while (!stack.empty()) {
    Cid cid = std::move(stack.back());
    stack.pop_back();
    if (!seen.insert(cid).second) continue;
    if (cid.codec() != kCodecDagPb && cid.codec() != kCodecRaw) {
      return Status::Unsupported("block " + cid.ToString() + " has codec " +
                                 CodecText(cid.codec()) +
                                 "; only dag-pb and raw DAGs can be walked");
    }
    Bytes block;
    if (cid.hash().code == kIdentity) {
      // Inline data is never stored or visited, but an inline dag-pb node
      // can still link to stored blocks.
      block = cid.hash().digest;
    } else {
      ASSIGN_OR_RETURN(bool go_on, visit(cid, &block));
      if (!go_on) return Status::Ok();
    }
    if (cid.codec() == kCodecRaw) continue;
    Result<dagpb::PbNodeView> node = dagpb::DecodeView(block);
    if (!node.ok()) {
      return Status::Corruption("block " + cid.ToString() +
                                " is not valid dag-pb: " + node.status().message());
    }
    for (auto it = node->links.rbegin(); it != node->links.rend(); ++it) {
      stack.push_back(it->hash);
    }
  }
  return Status::Ok();
}

}  // namespace

Status WalkDag(Backend& backend, const Cid& root,
               const std::function<bool(const Cid&, const Bytes&)>& fn) {
  return Traverse(root, [&](const Cid& cid, Bytes* block) -> Result<bool> {
    ASSIGN_OR_RETURN(*block, GetVerified(backend, cid));
    return fn(cid, *block);
  });
}

Status CopyDag(Backend& from, Backend& to, const Cid& root, const PinRequest& request,
               CopyStats* stats) {
  CopyStats local;
  CopyStats& s = stats ? *stats : local;
  s = CopyStats{};
  const std::string what =
      "copy " + root.ToString() + " from backend " + from.name() + " to backend " + to.name();
  Capabilities caps = to.capabilities();
  if (caps.fetches_itself) {
    // The service pulls the DAG from the origins itself; sending blocks
    // would be wasted (it has no block API).
    return to.Pin(root, request).WithContext(what);
  }
  if (caps.read_only || !caps.stores_blocks) {
    return Status::Unsupported(what + ": backend " + to.name() + " (" + to.type() +
                               ") does not store blocks");
  }
  // Already pinned there (a copy resumed after a crash, a repeated job):
  // nothing to send.
  if (auto st = to.PinStatus(root); st.ok() && st->state == PinState::kPinned && !caps.cheap_has) {
    return Status::Ok();
  }
  Status st = Traverse(root, [&](const Cid& cid, Bytes* block) -> Result<bool> {
    bool present = false;
    if (caps.cheap_has) {
      ASSIGN_OR_RETURN(present, to.Has(cid));
    }
    if (present) {
      // A raw leaf has no links: presence is all we need.
      if (cid.codec() == kCodecRaw) {
        ++s.skipped;
        return true;
      }
      // A present dag-pb node still has to be read for its links; reading
      // it from the destination keeps the traffic local, and a damaged copy
      // there is replaced from the source below.
      Result<Bytes> mine = GetVerified(to, cid);
      if (mine.ok()) {
        ++s.skipped;
        *block = std::move(mine).value();
        return true;
      }
      if (mine.status().code() != StatusCode::kCorruption &&
          mine.status().code() != StatusCode::kNotFound) {
        return mine.status();
      }
    }
    ASSIGN_OR_RETURN(*block, GetVerified(from, cid));
    RETURN_IF_ERROR(to.Put(cid, *block));
    ++s.blocks;
    s.bytes += block->size();
    return true;
  });
  if (!st.ok()) return st.WithContext(what);
  return to.Pin(root, request).WithContext(what);
}

}  // namespace ipfs_kit::backends
