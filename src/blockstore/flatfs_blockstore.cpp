// Kubo flatfs-compatible block directory. Format: docs/formats/blockstore.md.
//
// Concurrency model: there is no lock file. Every write lands in a temporary
// file private to the writer (unique name, O_EXCL) inside the destination
// shard directory and is published with rename(2), which is atomic on POSIX
// file systems. Two writers racing on the same block both rename complete
// files with identical content, so whichever wins, readers see a whole block.
#include "ipfs_kit/blockstore/flatfs_blockstore.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include "ipfs_kit/multiformats/multibase.h"

namespace ipfs_kit::blockstore {

using multiformats::DecodeBase;
using multiformats::EncodeBase;
using multiformats::kCodecRaw;
using multiformats::kIdentity;
using multiformats::Multibase;
using multiformats::Multihash;

namespace {

constexpr const char* kShardingSpec = "/repo/flatfs/shard/v1/next-to-last/2";
constexpr const char* kDataSuffix = ".data";
constexpr size_t kSuffixLen = 2;

constexpr const char* kReadme =
    "This is a repository of IPLD objects (blocks), laid out like Kubo's flatfs\n"
    "datastore so that Kubo and ipfs-kit can share it.\n"
    "\n"
    "Each block is a single file named <KEY>.data, where <KEY> is the RFC 4648\n"
    "base32 encoding (upper case, no padding) of the block's multihash.\n"
    "Files are placed in a directory named after the two characters that come\n"
    "before the last character of <KEY> (the \"next-to-last/2\" sharding\n"
    "function, recorded in the SHARDING file).\n"
    "\n"
    "For example, the raw block \"hello world\" (CIDv1\n"
    "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e) has the\n"
    "sha2-256 multihash key\n"
    "\n"
    "    CIQLSTJHXGJU2PQIUUXFFV62PWV7VREE57RXUU4A52IIR55M4LX432I\n"
    "\n"
    "and is stored at\n"
    "\n"
    "    32/CIQLSTJHXGJU2PQIUUXFFV62PWV7VREE57RXUU4A52IIR55M4LX432I.data\n"
    "\n"
    "Files whose names start with '.' are temporary files of writers in progress.\n";

std::string ErrnoText(int err) { return std::strerror(err); }

Status IoError(const std::string& what, const std::string& path, int err) {
  return Status::IOError(what + " " + path + ": " + ErrnoText(err));
}

// Closes an fd on scope exit; close errors after reads are irrelevant.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string Key(const Multihash& mh) { return EncodeBase(Multibase::kBase32Upper, mh.ToBytes()); }

int ShardIndex(const std::string& shard) {
  auto v = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= '2' && c <= '7') return 26 + (c - '2');
    return -1;
  };
  if (shard.size() != 2 || v(shard[0]) < 0 || v(shard[1]) < 0) return -1;
  return v(shard[0]) * 32 + v(shard[1]);
}

std::string ShardOf(const std::string& key) {
  // go-ds-flatfs pads short keys with '_' so every key has a shard.
  std::string padded = std::string(kSuffixLen + 1, '_') + key;
  return padded.substr(padded.size() - kSuffixLen - 1, kSuffixLen);
}


Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return Status::Ok();
  return IoError("cannot create directory", path, errno);
}

Status FsyncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", path, errno);
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return IoError("fsync failed on", path, errno);
  return Status::Ok();
}

// Writes `parts` fully to fd, retrying on short writes and EINTR.
Status WriteAll(int fd, std::span<const ByteView> parts, const std::string& path) {
  std::vector<iovec> iov;
  iov.reserve(parts.size());
  for (ByteView p : parts) {
    if (p.empty()) continue;
    iov.push_back({const_cast<uint8_t*>(p.data()), p.size()});
  }
  size_t first = 0;
  while (first < iov.size()) {
    int count = static_cast<int>(std::min<size_t>(iov.size() - first, IOV_MAX));
    ssize_t n = ::writev(fd, iov.data() + first, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write failed on", path, errno);
    }
    size_t left = static_cast<size_t>(n);
    while (first < iov.size() && left >= iov[first].iov_len) {
      left -= iov[first].iov_len;
      ++first;
    }
    if (left > 0) {
      iov[first].iov_base = static_cast<uint8_t*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return Status::Ok();
}

// Writes a small file atomically (temp + rename); used for SHARDING/_README
// so a concurrent Open never reads a half-written SHARDING file.
Status WriteSmallFileAtomic(const std::string& dir, const std::string& name,
                            std::string_view content) {
  std::string tmp = dir + "/." + name + ".tmp-" + std::to_string(::getpid()) + "-" +
                    std::to_string(static_cast<long>(::syscall(SYS_gettid)));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create", tmp, errno);
  ByteView part[1] = {AsBytes(content)};
  Status st = WriteAll(fd, part, tmp);
  if (st.ok() && ::fsync(fd) != 0) st = IoError("fsync failed on", tmp, errno);
  if (::close(fd) != 0 && st.ok()) st = IoError("close failed on", tmp, errno);
  std::string final_path = dir + "/" + name;
  if (st.ok() && ::rename(tmp.c_str(), final_path.c_str()) != 0) {
    st = IoError("cannot rename into", final_path, errno);
  }
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

Result<std::string> ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path + " does not exist");
    return IoError("cannot open", path, errno);
  }
  FdCloser closer(fd);
  std::string out;
  char buf[512];
  while (out.size() < 4096) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("read failed on", path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::atomic<uint64_t> g_temp_counter{0};

}  // namespace

FlatfsBlockstore::FlatfsBlockstore(std::string root, FlatfsOptions options)
    : root_(std::move(root)), options_(options) {}

FlatfsBlockstore::~FlatfsBlockstore() = default;

Result<std::unique_ptr<FlatfsBlockstore>> FlatfsBlockstore::Open(const std::string& root_in,
                                                                 FlatfsOptions options) {
  std::string root = root_in;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root.empty()) return Status::InvalidArgument("flatfs: empty root path");

  // mkdir -p: create each missing component.
  for (size_t pos = 1; pos <= root.size(); ++pos) {
    if (pos == root.size() || root[pos] == '/') {
      RETURN_IF_ERROR(MakeDir(root.substr(0, pos)));
    }
  }
  struct stat st;
  if (::stat(root.c_str(), &st) != 0) return IoError("cannot stat", root, errno);
  if (!S_ISDIR(st.st_mode))
    return Status::InvalidArgument("flatfs: " + root + " is not a directory");

  std::string sharding_path = root + "/SHARDING";
  Result<std::string> sharding = ReadSmallFile(sharding_path);
  if (sharding.ok()) {
    std::string spec = *sharding;
    while (!spec.empty() && (spec.back() == '\n' || spec.back() == ' ' || spec.back() == '\r')) {
      spec.pop_back();
    }
    if (spec != kShardingSpec) {
      return Status::Unsupported("flatfs: " + sharding_path + " names sharding function \"" + spec +
                                 "\", only \"" + kShardingSpec + "\" is supported");
    }
  } else if (sharding.status().code() == StatusCode::kNotFound) {
    RETURN_IF_ERROR(WriteSmallFileAtomic(root, "SHARDING", std::string(kShardingSpec) + "\n"));
  } else {
    return sharding.status();
  }
  if (::access((root + "/_README").c_str(), F_OK) != 0) {
    RETURN_IF_ERROR(WriteSmallFileAtomic(root, "_README", kReadme));
  }
  return std::unique_ptr<FlatfsBlockstore>(new FlatfsBlockstore(std::move(root), options));
}

std::string FlatfsBlockstore::BlockPath(const Cid& cid) const {
  std::string key = Key(cid.hash());
  return root_ + "/" + ShardOf(key) + "/" + key + kDataSuffix;
}

Result<bool> FlatfsBlockstore::Has(const Cid& cid) {
  if (cid.hash().code == kIdentity) return true;
  std::string path = BlockPath(cid);
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return IoError("cannot stat block " + cid.ToString() + " at", path, errno);
}

Result<Bytes> FlatfsBlockstore::Get(const Cid& cid) {
  if (cid.hash().code == kIdentity) return cid.hash().digest;
  std::string path = BlockPath(cid);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::NotFound("block " + cid.ToString() + " not found (" + path + ")");
    }
    return IoError("cannot open block " + cid.ToString() + " at", path, errno);
  }
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return IoError("cannot stat block " + cid.ToString() + " at", path, errno);
  if (static_cast<uint64_t>(st.st_size) > kMaxBlockSize) {
    return Status::Corruption("block " + cid.ToString() + " at " + path + " is " +
                              std::to_string(st.st_size) + " bytes, over the " +
                              std::to_string(kMaxBlockSize) + "-byte block limit");
  }
  // Read to EOF rather than trusting st_size alone, but never past the cap.
  Bytes data(static_cast<size_t>(st.st_size) + 1);
  size_t have = 0;
  for (;;) {
    if (have == data.size()) {
      if (data.size() > kMaxBlockSize) {
        return Status::Corruption("block " + cid.ToString() + " at " + path +
                                  " grew past the block limit while being read");
      }
      data.resize(std::min(data.size() * 2, kMaxBlockSize + 1));
    }
    ssize_t n = ::read(fd, data.data() + have, data.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read block " + cid.ToString() + " at", path, errno);
    }
    if (n == 0) break;
    have += static_cast<size_t>(n);
  }
  data.resize(have);
  return data;
}

Result<uint64_t> FlatfsBlockstore::Size(const Cid& cid) {
  if (cid.hash().code == kIdentity) return static_cast<uint64_t>(cid.hash().digest.size());
  std::string path = BlockPath(cid);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::NotFound("block " + cid.ToString() + " not found (" + path + ")");
    }
    return IoError("cannot stat block " + cid.ToString() + " at", path, errno);
  }
  return static_cast<uint64_t>(st.st_size);
}

Status FlatfsBlockstore::PutParts(const Cid& cid, std::span<const ByteView> parts) {
  if (cid.hash().code == kIdentity) return Status::Ok();
  RETURN_IF_ERROR(CheckedBlockSize(cid, parts).status());
  std::string key = Key(cid.hash());
  std::string shard_dir = root_ + "/" + ShardOf(key);
  std::string path = shard_dir + "/" + key + kDataSuffix;

  // Content addressing makes an existing file the same block: skip the write.
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return Status::Ok();

  // Shard directories are never removed, so each needs one mkdir per process.
  bool created_shard = false;
  const int shard_index = ShardIndex(ShardOf(key));
  const bool known =
      shard_index >= 0 && shard_known_[shard_index].load(std::memory_order_relaxed);
  if (!known) {
    if (::mkdir(shard_dir.c_str(), 0755) == 0) {
      created_shard = true;
    } else if (errno != EEXIST) {
      return IoError("cannot create shard directory for block " + cid.ToString() + ":", shard_dir,
                     errno);
    }
    if (shard_index >= 0) shard_known_[shard_index].store(true, std::memory_order_relaxed);
  }

  // pid + tid + counter is unique among live writers; O_EXCL guards against a
  // stale file left by a crashed process whose pid was reused.
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp = shard_dir + "/.tmp-" + std::to_string(::getpid()) + "-" +
          std::to_string(static_cast<long>(::syscall(SYS_gettid))) + "-" +
          std::to_string(g_temp_counter.fetch_add(1, std::memory_order_relaxed));
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) {
      return IoError("cannot create temporary file for block " + cid.ToString() + ":", tmp, errno);
    }
  }
  if (fd < 0)
    return IoError("cannot create temporary file for block " + cid.ToString() + ":", tmp, EEXIST);

  Status status = WriteAll(fd, parts, tmp);
  if (status.ok() && options_.sync_each_put && ::fsync(fd) != 0) {
    status = IoError("fsync failed on", tmp, errno);
  }
  // close() can report delayed write errors (NFS); treat them as failures.
  if (::close(fd) != 0 && status.ok()) status = IoError("close failed on", tmp, errno);
  if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    status = IoError("cannot rename block " + cid.ToString() + " into", path, errno);
  }
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    return status.WithContext("put block " + cid.ToString());
  }
  if (options_.sync_each_put) {
    // The rename is durable only once the directory entry is.
    RETURN_IF_ERROR(FsyncPath(shard_dir));
    if (created_shard) RETURN_IF_ERROR(FsyncPath(root_));
  }
  return Status::Ok();
}

Status FlatfsBlockstore::Delete(const Cid& cid) {
  if (cid.hash().code == kIdentity) return Status::Ok();  // never stored
  std::string path = BlockPath(cid);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::NotFound("block " + cid.ToString() + " not found (" + path + ")");
    }
    return IoError("cannot delete block " + cid.ToString() + " at", path, errno);
  }
  return Status::Ok();
}

Status FlatfsBlockstore::List(const std::function<bool(const Cid&)>& fn) {
  DIR* root_dir = ::opendir(root_.c_str());
  if (root_dir == nullptr) return IoError("cannot list", root_, errno);
  // Collect shard names first so the callback runs with one directory open.
  std::vector<std::string> shards;
  errno = 0;
  while (dirent* e = ::readdir(root_dir)) {
    std::string name = e->d_name;
    if (name.size() != kSuffixLen || name[0] == '.') continue;
    shards.push_back(name);
  }
  int err = errno;
  ::closedir(root_dir);
  if (err != 0) return IoError("cannot list", root_, err);
  std::sort(shards.begin(), shards.end());

  for (const std::string& shard : shards) {
    std::string dir_path = root_ + "/" + shard;
    DIR* dir = ::opendir(dir_path.c_str());
    if (dir == nullptr) {
      if (errno == ENOTDIR || errno == ENOENT) continue;
      return IoError("cannot list", dir_path, errno);
    }
    std::vector<Cid> cids;
    errno = 0;
    while (dirent* e = ::readdir(dir)) {
      std::string_view name = e->d_name;
      // Temp files start with '.', so they fail the suffix or decode checks.
      if (name.empty() || name[0] == '.') continue;
      if (name.size() <= std::strlen(kDataSuffix) || !name.ends_with(kDataSuffix)) continue;
      std::string key(name.substr(0, name.size() - std::strlen(kDataSuffix)));
      if (ShardOf(key) != shard) continue;  // not where this store would put it
      Result<Bytes> mh_bytes = DecodeBase(Multibase::kBase32Upper, key);
      if (!mh_bytes.ok()) continue;
      Result<Multihash> mh = Multihash::FromBytes(*mh_bytes);
      if (!mh.ok()) continue;
      cids.emplace_back(1, kCodecRaw, std::move(*mh));
    }
    err = errno;
    ::closedir(dir);
    if (err != 0) return IoError("cannot list", dir_path, err);
    for (const Cid& c : cids) {
      if (!fn(c)) return Status::Ok();
    }
  }
  return Status::Ok();
}

Status FlatfsBlockstore::Sync() {
  int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", root_, errno);
  FdCloser closer(fd);
  // syncfs flushes the whole file system holding the store: one call instead
  // of one fsync per block written by a bulk import.
  if (::syncfs(fd) != 0) return IoError("syncfs failed on", root_, errno);
  return Status::Ok();
}

}  // namespace ipfs_kit::blockstore
