#include "ipfs_kit/repo/repo.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

namespace ipfs_kit::repo {

namespace {

std::string Errno() { return std::strerror(errno); }

Status MkdirP(const std::string& path) {
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    cur = path.substr(0, pos);
    if (cur.empty()) continue;
    if (::mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::IOError("cannot create " + cur + ": " + Errno());
    }
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::IOError(path + " exists and is not a directory");
  }
  return Status::Ok();
}


}  // namespace

std::string DefaultRepoPath() {
  if (const char* p = std::getenv("IPFS_KIT_PATH"); p && *p) return p;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.ipfs-kit";
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path + " does not exist");
    return Status::IOError("cannot open " + path + ": " + Errno());
  }
  std::string out;
  char buf[4096];
  Status st;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      st = Status::IOError("cannot read " + path + ": " + Errno());
      break;
    }
    if (n == 0) break;
    out.append(buf, n);
    if (out.size() > max_bytes) {
      st = Status::InvalidArgument(path + " is larger than " + std::to_string(max_bytes) + " bytes");
      break;
    }
  }
  ::close(fd);
  if (!st.ok()) return st;
  return out;
}

Status FsyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + dir + ": " + Errno());
  int rc = ::fsync(fd);
  int e = errno;
  ::close(fd);
  if (rc != 0) return Status::IOError("fsync " + dir + ": " + std::strerror(e));
  return Status::Ok();
}

Status WriteFileAtomic(const std::string& path, ByteView data) {
  static std::atomic<uint64_t> counter{0};
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + Errno());
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Status::IOError("write " + tmp + ": " + Errno());
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    off += n;
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Status::IOError("cannot sync " + tmp + ": " + Errno());
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Status::IOError("cannot rename " + tmp + ": " + Errno());
    ::unlink(tmp.c_str());
    return s;
  }
  return FsyncDirectory(dir);
}

Result<std::unique_ptr<Repo>> Repo::Open(const std::string& path, bool* created) {
  if (path.empty()) return Status::InvalidArgument("empty repository path");
  std::string version_file = path + "/version";
  auto v = ReadSmallFile(version_file);
  bool fresh = false;
  if (!v.ok()) {
    if (v.status().code() != StatusCode::kNotFound) return v.status();
    RETURN_IF_ERROR(MkdirP(path));
    RETURN_IF_ERROR(MkdirP(path + "/pins"));
    fresh = true;
  } else {
    int ver = std::atoi(v->c_str());
    if (ver != kRepoVersion) {
      return Status::Unsupported("repository " + path + " has version \"" + *v +
                                 "\", this ipfs-kit uses " + std::to_string(kRepoVersion));
    }
    RETURN_IF_ERROR(MkdirP(path + "/pins"));
  }
  auto blocks = blockstore::FlatfsBlockstore::Open(path + "/blocks");
  if (!blocks.ok()) return blocks.status();
  if (fresh) {
    std::string ver = std::to_string(kRepoVersion) + "\n";
    RETURN_IF_ERROR(WriteFileAtomic(version_file, AsBytes(ver)));
  }
  if (created) *created = fresh;
  return std::unique_ptr<Repo>(new Repo(path, std::move(blocks).value()));
}

std::string Repo::PinPath(const multiformats::Cid& cid) const {
  return path_ + "/pins/" + cid.ToV1().ToString();
}

Status Repo::AddPin(const multiformats::Cid& cid, const std::string& name) {
  nlohmann::json j;
  j["cid"] = cid.ToString();
  j["name"] = name;
  j["created"] = static_cast<int64_t>(std::time(nullptr));
  std::string s = j.dump() + "\n";
  return WriteFileAtomic(PinPath(cid), AsBytes(s));
}

}  // namespace ipfs_kit::repo
