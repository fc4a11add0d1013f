// ExportDag: Kubo `ipfs dag export` block order.
//
// Kubo (go-car's traversal) visits links depth-first in link order and writes
// each block the first time it is reached. An explicit stack replaces
// recursion so a deep DAG cannot overflow the C++ stack: pop a CID, skip it if
// already written, write it, then push its links in reverse so the first link
// is visited next.
#include <cstdio>
#include <string>
#include <unordered_set>
#include <vector>

#include "ipfs_kit/car/car.h"
#include "ipfs_kit/dagpb/dag_pb.h"

namespace ipfs_kit::car {

using multiformats::kCodecDagPb;
using multiformats::kCodecRaw;
using multiformats::kIdentity;

Status ExportDag(blockstore::Blockstore& store, const Cid& root, CarWriter& writer) {
  std::vector<Cid> stack{root};
  // Keyed by the full CID, as go-car does: the same bytes under a v0 and a v1
  // CID are two sections.
  std::unordered_set<Cid> seen;
  while (!stack.empty()) {
    Cid cid = std::move(stack.back());
    stack.pop_back();
    if (cid.hash().code == kIdentity) continue;  // inline data, never exported
    if (!seen.insert(cid).second) continue;
    if (cid.codec() != kCodecDagPb && cid.codec() != kCodecRaw) {
      std::string name(multiformats::CodecName(cid.codec()));
      if (name.empty()) {
        char hex[24];
        std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(cid.codec()));
        name = hex;
      }
      return Status::Unsupported("dag export: block " + cid.ToString() + " has codec " + name +
                                 "; only dag-pb and raw DAGs can be exported");
    }
    Result<Bytes> data = blockstore::GetVerified(store, cid);
    if (!data.ok()) return data.status().WithContext("dag export");
    RETURN_IF_ERROR(writer.Put(cid, *data));
    if (cid.codec() == kCodecRaw) continue;
    Result<dagpb::PbNode> node = dagpb::Decode(*data);
    if (!node.ok()) {
      return Status(node.status().code(), "dag export: block " + cid.ToString() +
                                              " is not valid dag-pb: " + node.status().message());
    }
    for (auto it = node->links.rbegin(); it != node->links.rend(); ++it) {
      stack.push_back(it->hash);
    }
  }
  return Status::Ok();
}

}  // namespace ipfs_kit::car
