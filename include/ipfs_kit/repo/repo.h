// The on-disk repository ($IPFS_KIT_PATH, default ~/.ipfs-kit); see
// docs/formats/repository.md.
//
// Open() creates the repository on first use (every command that needs it
// does). This part of it: `version`, `blocks/` (the local flatfs
// blockstore) and `pins/` (local pin records written by add and dag import;
// the daemon takes these over later).
#pragma once

#include <memory>
#include <string>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/blockstore/flatfs_blockstore.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::repo {

inline constexpr int kRepoVersion = 1;

// $IPFS_KIT_PATH, else $HOME/.ipfs-kit.
std::string DefaultRepoPath();

class Repo {
 public:
  // Opens (creating when missing) the repository at `path`. *created is set
  // when this call created it.
  static Result<std::unique_ptr<Repo>> Open(const std::string& path, bool* created = nullptr);

  const std::string& path() const { return path_; }
  blockstore::FlatfsBlockstore& blocks() { return *blocks_; }

  // Records a pin (atomically: temp file, fsync, rename). Idempotent.
  Status AddPin(const multiformats::Cid& cid, const std::string& name);

 private:
  Repo(std::string path, std::unique_ptr<blockstore::FlatfsBlockstore> blocks)
      : path_(std::move(path)), blocks_(std::move(blocks)) {}
  std::string PinPath(const multiformats::Cid& cid) const;
  std::string path_;
  std::unique_ptr<blockstore::FlatfsBlockstore> blocks_;
};

// Reads a small file whole (at most `max_bytes`; longer is kInvalidArgument).
// kNotFound if it does not exist.
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes = 1 << 20);
// fsync of a directory, making renames and creations in it durable.
Status FsyncDirectory(const std::string& dir);

// Writes `data` to `path` atomically: a unique temp file in the same
// directory, fsync, rename, fsync of the directory.
Status WriteFileAtomic(const std::string& path, ByteView data);

}  // namespace ipfs_kit::repo
