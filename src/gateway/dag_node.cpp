#include "dag_node.h"

namespace ipfs_kit::gateway {

using multiformats::Cid;
using unixfs::DataType;

uint64_t DagNode::FileSize() const {
  if (kind == NodeKind::kRaw) return content.size();
  if (kind != NodeKind::kFile) return 0;
  if (fs.filesize) return *fs.filesize;
  uint64_t size = content.size();
  for (uint64_t b : fs.blocksizes) size += b;
  return size;
}

Result<DagNode> DecodeDagNode(const Cid& cid, Bytes block) {
  DagNode n;
  n.cid = cid;
  n.block = std::move(block);
  if (cid.codec() == multiformats::kCodecRaw) {
    n.kind = NodeKind::kRaw;
    n.content = n.block;
    return n;
  }
  if (cid.codec() != multiformats::kCodecDagPb) return n;
  auto pb = dagpb::DecodeView(n.block);
  if (!pb.ok()) {
    return Status::Corruption("block " + cid.ToString() +
                              " is not valid dag-pb: " + pb.status().message());
  }
  n.is_dag_pb = true;
  n.pb = std::move(pb).value();
  if (!n.pb.data) return n;
  auto fs = unixfs::UnixfsData::DecodeView(*n.pb.data, &n.content);
  if (!fs.ok()) return n;
  n.fs = std::move(fs).value();
  switch (n.fs.type) {
    case DataType::kFile:
    case DataType::kRaw:
      n.kind = NodeKind::kFile;
      break;
    case DataType::kDirectory:
      n.kind = NodeKind::kDirectory;
      break;
    case DataType::kHamtShard:
      n.kind = NodeKind::kHamtShard;
      break;
    case DataType::kSymlink:
      n.kind = NodeKind::kSymlink;
      break;
    default:
      n.kind = NodeKind::kOther;
  }
  return n;
}

}  // namespace ipfs_kit::gateway
