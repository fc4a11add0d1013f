// Internal: one block as the gateway walks it: raw, dag-pb with UnixFS data,
// dag-pb without (kind kOther), or another codec (kOther, no links known).
#pragma once

#include <cstdint>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"
#include "ipfs_kit/dagpb/dag_pb.h"
#include "ipfs_kit/multiformats/cid.h"
#include "ipfs_kit/unixfs/unixfs_data.h"

namespace ipfs_kit::gateway {

enum class NodeKind { kRaw, kFile, kDirectory, kHamtShard, kSymlink, kOther };

// Views (`pb`, `content`) point into `block`; moving a DagNode keeps them
// valid (the vector's buffer moves with it).
struct DagNode {
  DagNode() = default;
  DagNode(DagNode&&) = default;
  DagNode& operator=(DagNode&&) = default;
  DagNode(const DagNode&) = delete;  // the views would point into the original
  DagNode& operator=(const DagNode&) = delete;

  multiformats::Cid cid;
  Bytes block;
  NodeKind kind = NodeKind::kOther;
  bool is_dag_pb = false;
  dagpb::PbNodeView pb;   // dag-pb only
  unixfs::UnixfsData fs;  // UnixFS only; `data` left empty, see `content`
  ByteView content;       // raw: the block; UnixFS: its Data payload

  // File content bytes (raw, UnixFS File/Raw); 0 otherwise.
  uint64_t FileSize() const;
};

// Decodes `block` of `cid`. Fails (kCorruption naming the CID) only for
// dag-pb that does not decode; dag-pb without or with undecodable UnixFS data
// and other codecs give kOther.
Result<DagNode> DecodeDagNode(const multiformats::Cid& cid, Bytes block);

}  // namespace ipfs_kit::gateway
