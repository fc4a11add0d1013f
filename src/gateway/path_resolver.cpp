#include "path_resolver.h"

#include "ipfs_kit/unixfs/hamt.h"

namespace ipfs_kit::gateway {

using multiformats::Cid;

namespace {

// Path blocks whose bytes are kept for the CAR; the rest is re-fetched.
constexpr size_t kKeptPathBytes = 8 << 20;

void Record(std::vector<PathBlock>* blocks, size_t* kept, const DagNode& n) {
  if (blocks == nullptr) return;
  PathBlock b{n.cid, std::nullopt};
  if (*kept + n.block.size() <= kKeptPathBytes) {
    *kept += n.block.size();
    b.data = n.block;
  }
  blocks->push_back(std::move(b));
}

Status CheckShard(const DagNode& n) {
  if (n.fs.hash_type.value_or(0) != unixfs::kHamtHashMurmur3 || n.fs.fanout.value_or(0) != 256) {
    return Status::Unsupported("HAMT shard " + n.cid.ToString() +
                               " uses a hash or fanout other than murmur3-x64-64/256");
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<Cid>> LookupEntry(BlockSource& source, const DagNode& dir,
                                       const std::string& name, int max_depth,
                                       std::vector<PathBlock>* blocks, size_t* kept) {
  if (dir.kind != NodeKind::kHamtShard) {
    for (const auto& l : dir.pb.links) {
      if (l.name && *l.name == name) return std::optional<Cid>(l.hash);
    }
    return std::optional<Cid>();
  }
  size_t no_budget = 0;
  if (kept == nullptr) kept = &no_budget;
  const DagNode* shard = &dir;
  DagNode sub;
  for (int depth = 0;; ++depth) {
    if (depth > max_depth) return Status::Corruption("HAMT deeper than the limit");
    RETURN_IF_ERROR(CheckShard(*shard));
    const std::string label = unixfs::HamtSlotLabel(unixfs::HamtIndex(AsBytes(name), depth, 8));
    std::optional<Cid> next_shard;
    for (const auto& l : shard->pb.links) {
      if (!l.name || l.name->compare(0, 2, label) != 0) continue;
      if (l.name->size() == 2) {
        next_shard = l.hash;
        break;
      }
      if (std::string_view(*l.name).substr(2) == name) return std::optional<Cid>(l.hash);
    }
    if (!next_shard) return std::optional<Cid>();
    ASSIGN_OR_RETURN(Bytes b, source.Get(*next_shard));
    ASSIGN_OR_RETURN(DagNode n, DecodeDagNode(*next_shard, std::move(b)));
    if (n.kind != NodeKind::kHamtShard) {
      return Status::Corruption("HAMT link " + next_shard->ToString() + " is not a shard");
    }
    Record(blocks, kept, n);
    sub = std::move(n);
    shard = &sub;
  }
}

Result<ResolvedPath> ResolvePath(BlockSource& source, const Cid& root,
                                 const std::vector<std::string>& segments, int max_depth) {
  ResolvedPath out;
  out.segment_cids.push_back(root);
  ASSIGN_OR_RETURN(Bytes b, source.Get(root));
  ASSIGN_OR_RETURN(DagNode cur, DecodeDagNode(root, std::move(b)));
  std::string walked = "/ipfs/" + root.ToString();
  size_t kept = 0;
  for (const std::string& name : segments) {
    bool walkable = cur.kind == NodeKind::kDirectory || cur.kind == NodeKind::kHamtShard ||
                    (cur.is_dag_pb && cur.kind == NodeKind::kOther);
    if (!walkable) {
      return Status::NotFound("cannot resolve \"" + name + "\": " + walked + " is not a directory");
    }
    Record(&out.blocks, &kept, cur);
    ASSIGN_OR_RETURN(std::optional<Cid> next,
                     LookupEntry(source, cur, name, max_depth, &out.blocks, &kept));
    if (!next) return Status::NotFound("no link named \"" + name + "\" under " + walked);
    walked += "/" + name;
    ASSIGN_OR_RETURN(Bytes nb, source.Get(*next));
    ASSIGN_OR_RETURN(cur, DecodeDagNode(*next, std::move(nb)));
    out.segment_cids.push_back(*next);
  }
  out.terminal = std::move(cur);
  return out;
}

}  // namespace ipfs_kit::gateway
