// The lock that serializes changes to one bucket across threads and
// processes: flock(LOCK_EX) on vfs/<bucket>/lock (docs/formats/vfs.md).
//
// flock locks belong to an open file description, so two threads of one
// process that each open the file exclude each other just as two processes
// do. The lock goes with the process: a crashed holder leaves no stale lock.
#pragma once

#include <string>

#include "ipfs_kit/base/status.h"

namespace ipfs_kit::vfs {

class BucketLock {
 public:
  // Blocks until the lock of the bucket directory `dir` is held. A bucket
  // deleted (its directory renamed away) while this call waited is kNotFound
  // naming `bucket`, as is a directory without a lock file.
  static Result<BucketLock> Acquire(const std::string& dir, const std::string& bucket);

  BucketLock(BucketLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  BucketLock& operator=(BucketLock&&) = delete;
  BucketLock(const BucketLock&) = delete;
  ~BucketLock();

 private:
  explicit BucketLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace ipfs_kit::vfs
