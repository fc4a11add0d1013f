#include "directory_builder.h"

#include <vector>

#include "ipfs_kit/dagpb/dag_pb.h"
#include "ipfs_kit/unixfs/exporter.h"
#include "ipfs_kit/unixfs/hamt.h"
#include "ipfs_kit/unixfs/unixfs_data.h"

namespace ipfs_kit::vfs {
namespace {

using multiformats::Cid;

uint64_t LinkEstimate(const unixfs::ImportOptions& o, const std::string& name, const Link& l) {
  if (o.shard_strategy == unixfs::ShardStrategy::kLinksBytes)
    return name.size() + l.cid.ByteLength();
  return dagpb::EncodedLinkSize(dagpb::PbLink{l.cid, name, l.tsize});
}

// The importer's estimate (Importer::Impl::Estimate) for the same entries.
Result<bool> ShouldShard(const DirEntries& entries, const unixfs::ImportOptions& o,
                         blockstore::Blockstore& store) {
  const uint64_t base = o.shard_strategy == unixfs::ShardStrategy::kBlockBytes ? 4 : 0;
  uint64_t all = base;
  for (const auto& [name, l] : entries) all += LinkEstimate(o, name, l);
  if (all <= o.shard_threshold) return false;  // counting fewer entries cannot exceed it
  uint64_t counted = base;
  for (const auto& [name, l] : entries) {
    ASSIGN_OR_RETURN(NodeShape shape, ShapeOf(store, l.cid));
    if (!(shape.directory && shape.has_entries)) counted += LinkEstimate(o, name, l);
  }
  return counted > o.shard_threshold;
}

}  // namespace

Result<Link> BuildDirectory(const DirEntries& entries, const unixfs::ImportOptions& options,
                            blockstore::Blockstore& store) {
  ASSIGN_OR_RETURN(bool shard, ShouldShard(entries, options, store));
  if (shard) {
    std::vector<unixfs::HamtEntry> hamt;
    hamt.reserve(entries.size());
    for (const auto& [name, l] : entries) hamt.push_back({name, l.cid, l.tsize});
    ASSIGN_OR_RETURN(unixfs::BuiltNode n,
                     unixfs::BuildHamt(hamt, options.cid_version, nullptr,
                                       [&store](const Cid& c, const Bytes& block) {
                                         return store.Put(c, block);
                                       }));
    return Link{n.cid, n.tsize};
  }
  unixfs::UnixfsData d;
  d.type = unixfs::DataType::kDirectory;
  dagpb::PbNode node;
  uint64_t sum = 0;
  node.links.reserve(entries.size());
  for (const auto& [name, l] : entries) {
    node.links.push_back({l.cid, name, l.tsize});
    sum += l.tsize;
  }
  node.data = d.Encode();
  Bytes block = dagpb::Encode(node);
  if (block.size() > blockstore::kMaxBlockSize) {
    return Status::InvalidArgument("directory too large for one block (" +
                                   std::to_string(entries.size()) + " entries)");
  }
  Cid cid = Cid::Sha256(options.cid_version, multiformats::kCodecDagPb, block);
  RETURN_IF_ERROR(store.Put(cid, block));
  return Link{cid, block.size() + sum};
}

Result<DirEntries> ReadDirectory(blockstore::Blockstore& store, const Cid& dir) {
  unixfs::Exporter exporter(store, 0);
  ASSIGN_OR_RETURN(std::vector<unixfs::DirEntry> list, exporter.List(dir));
  DirEntries out;
  for (auto& e : list) out[std::move(e.name)] = Link{e.cid, e.tsize};
  return out;
}

Result<NodeShape> ShapeOf(blockstore::Blockstore& store, const Cid& cid) {
  NodeShape shape;
  if (cid.codec() != multiformats::kCodecDagPb) return shape;
  ASSIGN_OR_RETURN(Bytes block, blockstore::GetVerified(store, cid));
  ASSIGN_OR_RETURN(dagpb::PbNodeView node, dagpb::DecodeView(block));
  if (!node.data) return shape;
  ByteView payload;
  auto fs = unixfs::UnixfsData::DecodeView(*node.data, &payload);
  shape.directory = fs.ok() && fs->IsDirectory();
  shape.has_entries = shape.directory && !node.links.empty();
  return shape;
}

Result<uint64_t> CumulativeSize(blockstore::Blockstore& store, const Cid& cid) {
  ASSIGN_OR_RETURN(Bytes block, blockstore::GetVerified(store, cid));
  if (cid.codec() != multiformats::kCodecDagPb) return static_cast<uint64_t>(block.size());
  ASSIGN_OR_RETURN(dagpb::PbNodeView node, dagpb::DecodeView(block));
  uint64_t sum = block.size();
  for (const auto& l : node.links) sum += l.tsize.value_or(0);
  return sum;
}

}  // namespace ipfs_kit::vfs
