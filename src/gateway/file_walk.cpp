// An explicit stack instead of recursion, so a deep (hostile) DAG costs heap,
// not C++ stack. Children are pushed in reverse so the first is visited next:
// content order, which is also the DFS pre-order a CAR is written in.
#include "file_walk.h"

#include <algorithm>
#include <vector>

namespace ipfs_kit::gateway {

using multiformats::Cid;

namespace {

struct Pending {
  Cid cid;
  uint64_t offset;
  int depth;
};

// Pushes the children of `n` (content starting at `offset`) that meet
// [from, end), last first.
Status PushChildren(const DagNode& n, uint64_t offset, int depth, uint64_t from, uint64_t end,
                    std::vector<Pending>& stack) {
  if (n.kind != NodeKind::kFile || n.pb.links.empty()) return Status::Ok();
  if (n.fs.blocksizes.size() != n.pb.links.size()) {
    return Status::Corruption("file node " + n.cid.ToString() + " has " +
                              std::to_string(n.pb.links.size()) + " links but " +
                              std::to_string(n.fs.blocksizes.size()) + " blocksizes");
  }
  uint64_t pos = offset + n.content.size();
  std::vector<Pending> children;
  for (size_t i = 0; i < n.pb.links.size(); ++i) {
    uint64_t start = pos, stop = pos + n.fs.blocksizes[i];
    if (stop < start) return Status::Corruption("file node " + n.cid.ToString() + " overflows");
    pos = stop;
    if (stop <= from || start >= end) continue;
    children.push_back({n.pb.links[i].hash, start, depth + 1});
  }
  for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(std::move(*it));
  return Status::Ok();
}

}  // namespace

Status WalkFileRange(BlockSource& source, const DagNode& root, uint64_t from, uint64_t end,
                     int max_depth, const FileVisitor& visit) {
  if (root.kind != NodeKind::kRaw && root.kind != NodeKind::kFile) {
    return Status::InvalidArgument(root.cid.ToString() + " is not a file");
  }
  RETURN_IF_ERROR(visit(root, 0));
  std::vector<Pending> stack;
  RETURN_IF_ERROR(PushChildren(root, 0, 0, from, end, stack));
  while (!stack.empty()) {
    Pending p = std::move(stack.back());
    stack.pop_back();
    if (p.depth > max_depth) return Status::Corruption("file DAG deeper than the limit");
    ASSIGN_OR_RETURN(Bytes b, source.Get(p.cid));
    ASSIGN_OR_RETURN(DagNode n, DecodeDagNode(p.cid, std::move(b)));
    if (n.kind != NodeKind::kRaw && n.kind != NodeKind::kFile) {
      return Status::Corruption("file child " + p.cid.ToString() + " is not a file node");
    }
    RETURN_IF_ERROR(visit(n, p.offset));
    RETURN_IF_ERROR(PushChildren(n, p.offset, p.depth, from, end, stack));
  }
  return Status::Ok();
}

Status ReadFileRange(BlockSource& source, const DagNode& root, uint64_t from, uint64_t end,
                     int max_depth, const std::function<bool(ByteView)>& sink) {
  return WalkFileRange(source, root, from, end, max_depth,
                       [&](const DagNode& n, uint64_t offset) -> Status {
                         uint64_t a = std::max(from, offset);
                         uint64_t b = std::min<uint64_t>(end, offset + n.content.size());
                         if (a >= b) return Status::Ok();
                         if (!sink(n.content.subspan(a - offset, b - a))) {
                           return Status::Unavailable("client went away");
                         }
                         return Status::Ok();
                       });
}

}  // namespace ipfs_kit::gateway
