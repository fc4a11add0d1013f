// The files of one bucket in the repository (docs/formats/vfs.md):
//   vfs/<bucket>/root     the current root, replaced atomically
//   vfs/<bucket>/history  commits, one JSON line each, appended and fsynced
//   vfs/<bucket>/lock     flock target (bucket_lock.h)
//
// Reading needs no lock. Writing (WriteRoot, AppendCommit) is for the holder
// of the bucket's lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/vfs/vfs.h"

namespace ipfs_kit::vfs {

struct RootRecord {
  Cid root;
  int64_t updated_ms = 0;
};

class BucketFiles {
 public:
  BucketFiles(std::string dir, std::string bucket)
      : dir_(std::move(dir)), bucket_(std::move(bucket)) {}

  const std::string& dir() const { return dir_; }

  // kNotFound (naming the bucket) when the bucket does not exist;
  // kCorruption naming the file when it cannot be parsed.
  Result<RootRecord> ReadRoot() const;
  Status WriteRoot(const RootRecord& record) const;

  // Every commit, oldest first. A last line without its newline is a torn
  // append (a crash mid-write) and is not a commit.
  Result<std::vector<CommitRecord>> ReadHistory() const;
  // The newest commit, reading only the end of the file.
  Result<std::optional<CommitRecord>> LastCommit() const;
  // Appends one line and fsyncs; a torn last line is cut off first.
  Status AppendCommit(const CommitRecord& record) const;

  // The files a new bucket starts with, written into `dir` (a fresh
  // directory that is renamed into place afterwards).
  static Status Initialize(const std::string& dir, const RootRecord& record);

  static std::string EncodeRoot(const RootRecord& r);
  static std::string EncodeCommit(const CommitRecord& c);  // one line, '\n' included
  static Result<CommitRecord> DecodeCommit(std::string_view line);

 private:
  std::string RootPath() const { return dir_ + "/root"; }
  std::string HistoryPath() const { return dir_ + "/history"; }
  Result<std::vector<CommitRecord>> ParseLines(std::string_view text, size_t first_line) const;
  std::string dir_, bucket_;
};

}  // namespace ipfs_kit::vfs
