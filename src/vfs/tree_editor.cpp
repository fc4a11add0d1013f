#include "tree_editor.h"

namespace ipfs_kit::vfs {

using multiformats::Cid;

namespace {

std::string Prefix(const BucketPath& path, size_t n) {
  std::vector<std::string> c(path.components().begin(), path.components().begin() + n);
  return BucketPath(std::move(c)).ToString();
}

}  // namespace

TreeEditor::TreeEditor(blockstore::Blockstore& base, const unixfs::ImportOptions& options, Cid root)
    : base_(base), pending_(base), options_(options), root_(std::move(root)) {}

Result<bool> TreeEditor::IsDirectory(const Cid& cid) {
  ASSIGN_OR_RETURN(NodeShape shape, ShapeOf(pending_, cid));
  return shape.directory;
}

Result<std::optional<Link>> TreeEditor::Find(const BucketPath& path) {
  ASSIGN_OR_RETURN(uint64_t root_size, CumulativeSize(pending_, root_));
  Link cur{root_, root_size};
  const auto& comps = path.components();
  for (size_t i = 0; i < comps.size(); ++i) {
    ASSIGN_OR_RETURN(bool dir, IsDirectory(cur.cid));
    if (!dir) return Status::NotFound(Prefix(path, i) + " is not a directory");
    ASSIGN_OR_RETURN(DirEntries entries, ReadDirectory(pending_, cur.cid));
    auto it = entries.find(comps[i]);
    if (it == entries.end()) return std::optional<Link>();
    cur = it->second;
  }
  return std::optional<Link>(cur);
}

Result<Link> TreeEditor::Edit(const Cid& dir, const BucketPath& path, size_t depth,
                              const std::optional<Link>& value, bool parents) {
  ASSIGN_OR_RETURN(bool is_dir, IsDirectory(dir));
  if (!is_dir) return Status::InvalidArgument(Prefix(path, depth) + " is not a directory");
  ASSIGN_OR_RETURN(DirEntries entries, ReadDirectory(pending_, dir));
  const std::string& name = path.components()[depth];
  const bool last = depth + 1 == path.components().size();
  auto it = entries.find(name);
  if (last) {
    if (value) {
      entries[name] = *value;
    } else {
      if (it == entries.end()) return Status::NotFound(path.ToString() + " does not exist");
      entries.erase(it);
    }
  } else {
    Cid child;
    if (it != entries.end()) {
      child = it->second.cid;
    } else if (parents && value) {
      ASSIGN_OR_RETURN(Link empty, EmptyDirectory());
      child = empty.cid;
    } else {
      return Status::NotFound("directory " + Prefix(path, depth + 1) + " does not exist");
    }
    ASSIGN_OR_RETURN(Link built, Edit(child, path, depth + 1, value, parents));
    entries[name] = built;
  }
  return BuildDirectory(entries, options_, pending_);
}

Status TreeEditor::Set(const BucketPath& path, const Link& link, bool parents) {
  if (path.IsRoot()) return Status::InvalidArgument("the bucket root cannot be replaced");
  ASSIGN_OR_RETURN(Link root, Edit(root_, path, 0, link, parents));
  root_ = root.cid;
  return Status::Ok();
}

Status TreeEditor::Remove(const BucketPath& path) {
  if (path.IsRoot()) return Status::InvalidArgument("the bucket root cannot be removed");
  ASSIGN_OR_RETURN(Link root, Edit(root_, path, 0, std::nullopt, false));
  root_ = root.cid;
  return Status::Ok();
}

Result<Link> TreeEditor::EmptyDirectory() { return BuildDirectory({}, options_, pending_); }

Status TreeEditor::Flush() {
  RETURN_IF_ERROR(pending_.Flush(root_));
  return base_.Sync();
}

}  // namespace ipfs_kit::vfs
