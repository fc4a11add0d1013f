// Changes to one bucket's tree, worked out in memory: each edit rebuilds
// the directories from the changed entry up to the root. New directory
// blocks stay pending (pending_blockstore.h) until Flush writes the ones the
// final root reaches and syncs the store. Not thread-safe: one editor per
// change, used under the bucket's lock.
#pragma once

#include <optional>

#include "directory_builder.h"
#include "ipfs_kit/vfs/path.h"
#include "pending_blockstore.h"

namespace ipfs_kit::vfs {

class TreeEditor {
 public:
  TreeEditor(blockstore::Blockstore& base, const unixfs::ImportOptions& options,
             multiformats::Cid root);

  const multiformats::Cid& root() const { return root_; }
  // Reads see pending blocks too.
  blockstore::Blockstore& store() { return pending_; }

  // The entry at `path` (the root is an entry too), or nullopt. kNotFound
  // when a parent on the way is not a directory.
  Result<std::optional<Link>> Find(const BucketPath& path);
  Result<bool> IsDirectory(const multiformats::Cid& cid);

  // Sets the entry at `path` (not the root) to `link`, replacing what was
  // there. Missing parents are made when `parents`, else kNotFound.
  Status Set(const BucketPath& path, const Link& link, bool parents);
  // Removes the entry at `path` (not the root); kNotFound when absent.
  Status Remove(const BucketPath& path);
  // An empty directory (its block pending).
  Result<Link> EmptyDirectory();

  // Writes the new blocks the root reaches and syncs the base store, so a
  // root file naming root() may be written next.
  Status Flush();

 private:
  Result<Link> Edit(const multiformats::Cid& dir, const BucketPath& path, size_t depth,
                    const std::optional<Link>& value, bool parents);
  blockstore::Blockstore& base_;
  PendingBlockstore pending_;
  unixfs::ImportOptions options_;
  multiformats::Cid root_;
};

}  // namespace ipfs_kit::vfs
