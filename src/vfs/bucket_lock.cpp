#include "bucket_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ipfs_kit::vfs {

Result<BucketLock> BucketLock::Acquire(const std::string& dir, const std::string& bucket) {
  const std::string path = dir + "/lock";
  // A delete renames the bucket's directory while holding this lock; a
  // waiter then holds the lock of a directory that is gone. Comparing the
  // locked file with the one at `path` afterwards catches that. A bucket
  // deleted and made again in between is simply locked anew.
  for (int attempt = 0; attempt < 8; ++attempt) {
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) {
        return Status::NotFound("no bucket named \"" + bucket + "\"");
      }
      return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
    }
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        int e = errno;
        ::close(fd);
        return Status::IOError("cannot lock " + path + ": " + std::strerror(e));
      }
    }
    struct stat held, now;
    if (::fstat(fd, &held) == 0 && ::stat(path.c_str(), &now) == 0 && held.st_dev == now.st_dev &&
        held.st_ino == now.st_ino) {
      return BucketLock(fd);
    }
    ::close(fd);
  }
  return Status::NotFound("bucket \"" + bucket + "\" was deleted while waiting for its lock");
}

BucketLock::~BucketLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace ipfs_kit::vfs
