// The `local` backend: a flatfs block directory (docs/formats/blockstore.md)
// and pin records as small files, in the layout repo::Repo::AddPin writes
// (docs/formats/repository.md), so pins made by `ipfs-kit add` and pins made
// through this backend are the same records.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <vector>

#include "backend_factories.h"
#include "ipfs_kit/blockstore/flatfs_blockstore.h"
#include "ipfs_kit/repo/repo.h"

namespace ipfs_kit::backends {
namespace {

using multiformats::kIdentity;

std::string Errno(int e) { return std::strerror(e); }

std::atomic<uint64_t> g_overwrite_counter{0};

// Replaces an existing block file atomically: a private temporary file in
// the same shard directory (dot-named like flatfs's own, so readers and
// listings ignore it), fsync, rename over the old file, fsync the directory.
// flatfs's Put skips existing files, which would make repair a no-op;
// deleting first would open a window where the block is missing.
Status OverwriteFile(const std::string& path, ByteView data) {
  size_t slash = path.find_last_of('/');
  std::string dir = path.substr(0, slash);
  std::string tmp = dir + "/.tmp-" + std::to_string(::getpid()) + "-" +
                    std::to_string(static_cast<long>(::syscall(SYS_gettid))) + "-repair-" +
                    std::to_string(g_overwrite_counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + Errno(errno));
  Status st;
  size_t off = 0;
  while (off < data.size() && st.ok()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) st = Status::IOError("write " + tmp + ": " + Errno(errno));
    if (n > 0) off += static_cast<size_t>(n);
  }
  if (st.ok() && ::fsync(fd) != 0) st = Status::IOError("fsync " + tmp + ": " + Errno(errno));
  if (::close(fd) != 0 && st.ok()) st = Status::IOError("close " + tmp + ": " + Errno(errno));
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = Status::IOError("cannot rename " + tmp + " to " + path + ": " + Errno(errno));
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return repo::FsyncDirectory(dir);
}

Status MakeDirs(const std::string& path) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos == path.size() || path[pos] == '/') {
      std::string part = path.substr(0, pos);
      if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
        return Status::IOError("cannot create directory " + part + ": " + Errno(errno));
      }
    }
  }
  return Status::Ok();
}

class LocalBackend : public Backend {
 public:
  LocalBackend(BackendConfig config, std::unique_ptr<repo::Repo> repo,
               std::unique_ptr<blockstore::FlatfsBlockstore> own_blocks, std::string blocks_dir,
               std::string pins_dir)
      : config_(std::move(config)),
        repo_(std::move(repo)),
        own_blocks_(std::move(own_blocks)),
        blocks_(repo_ ? &repo_->blocks() : own_blocks_.get()),
        blocks_dir_(std::move(blocks_dir)),
        pins_dir_(std::move(pins_dir)) {}

  const BackendConfig& config() const override { return config_; }
  Capabilities capabilities() const override { return Capabilities{}; }

  Result<bool> Has(const Cid& cid) override { return blocks_->Has(cid); }
  Result<Bytes> Get(const Cid& cid) override { return blocks_->Get(cid); }

  Status Put(const Cid& cid, ByteView data) override {
    if (cid.hash().code == kIdentity) return Status::Ok();
    ByteView parts[1] = {data};
    RETURN_IF_ERROR(blockstore::CheckedBlockSize(cid, parts).status());
    ASSIGN_OR_RETURN(bool exists, blocks_->Has(cid));
    if (!exists) {
      Status st = blocks_->Put(cid, data);
      if (!st.ok()) return st;
      return Status::Ok();
    }
    // Same multihash, but the stored bytes may be damaged: this is a repair.
    return OverwriteFile(blocks_->BlockPath(cid), data).WithContext("put block " + cid.ToString());
  }

  Status Delete(const Cid& cid) override {
    Status st = blocks_->Delete(cid);
    if (st.code() == StatusCode::kNotFound) return Status::Ok();  // already gone
    return st;
  }

  Status Pin(const Cid& root, const PinRequest& request) override {
    ASSIGN_OR_RETURN(bool has_root, blocks_->Has(root));
    if (!has_root) {
      return Status::NotFound("cannot pin " + root.ToString() + " on local backend " + name() +
                              ": its root block is not stored there (copy the DAG first)");
    }
    // The record promises the blocks survive a crash: make them durable
    // first (blocks are written without a per-block fsync).
    RETURN_IF_ERROR(blocks_->Sync());
    nlohmann::json j;
    j["cid"] = root.ToString();
    j["name"] = request.name;
    j["created"] = static_cast<int64_t>(std::time(nullptr));
    if (!request.origins.empty()) j["origins"] = request.origins;
    if (!request.meta.empty()) j["meta"] = request.meta;
    std::string record = j.dump() + "\n";
    return repo::WriteFileAtomic(PinPath(root), AsBytes(record))
        .WithContext("pin " + root.ToString() + " on local backend " + name());
  }

  Result<PinInfo> PinStatus(const Cid& root) override {
    PinInfo info;
    std::string path = PinPath(root);
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) {
      info.state = PinState::kPinned;
    } else if (errno != ENOENT) {
      return Status::IOError("cannot stat pin record " + path + ": " + Errno(errno));
    }
    return info;
  }

  Status Unpin(const Cid& root) override {
    std::string path = PinPath(root);
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT) return Status::Ok();
      return Status::IOError("cannot remove pin record " + path + ": " + Errno(errno));
    }
    return repo::FsyncDirectory(pins_dir_);
  }

  Status ListPins(const std::function<bool(const Cid&)>& fn) override {
    ASSIGN_OR_RETURN(std::vector<Cid> pins, ReadPins());
    for (const Cid& c : pins) {
      if (!fn(c)) break;
    }
    return Status::Ok();
  }

  Result<Probe> Check() override {
    if (::access(blocks_dir_.c_str(), R_OK | W_OK | X_OK) != 0) {
      return Status::IOError("local backend " + name() + ": block directory " + blocks_dir_ +
                             " is not usable: " + Errno(errno));
    }
    if (::access(pins_dir_.c_str(), R_OK | W_OK | X_OK) != 0) {
      return Status::IOError("local backend " + name() + ": pin directory " + pins_dir_ +
                             " is not usable: " + Errno(errno));
    }
    struct statvfs vfs;
    if (::statvfs(blocks_dir_.c_str(), &vfs) != 0) {
      return Status::IOError("local backend " + name() + ": statvfs " + blocks_dir_ + ": " +
                             Errno(errno));
    }
    Probe probe;
    // The file system's figures: blocks share it with everything else on
    // it, and summing block sizes would read every directory each probe.
    probe.bytes_free = static_cast<int64_t>(vfs.f_bavail) * static_cast<int64_t>(vfs.f_frsize);
    probe.bytes_used =
        static_cast<int64_t>(vfs.f_blocks - vfs.f_bfree) * static_cast<int64_t>(vfs.f_frsize);
    ASSIGN_OR_RETURN(std::vector<Cid> pins, ReadPins());
    probe.pin_count = static_cast<int64_t>(pins.size());
    probe.detail = "flatfs at " + blocks_dir_;
    return probe;
  }

 private:
  // Records are named by the root's CIDv1 (base32), as Repo::AddPin does,
  // so the v0 and v1 forms of one root are one pin.
  std::string PinPath(const Cid& cid) const { return pins_dir_ + "/" + cid.ToV1().ToString(); }

  Result<std::vector<Cid>> ReadPins() const {
    DIR* dir = ::opendir(pins_dir_.c_str());
    if (dir == nullptr) {
      return Status::IOError("cannot list pin records in " + pins_dir_ + ": " + Errno(errno));
    }
    std::vector<Cid> out;
    errno = 0;
    while (dirent* e = ::readdir(dir)) {
      std::string_view n = e->d_name;
      // Temporary files of writers in progress contain a '.'; a CID never does.
      if (n.empty() || n.find('.') != std::string_view::npos) continue;
      Result<Cid> cid = Cid::Parse(n);
      if (cid.ok()) out.push_back(std::move(cid).value());
    }
    int err = errno;
    ::closedir(dir);
    if (err != 0)
      return Status::IOError("cannot list pin records in " + pins_dir_ + ": " + Errno(err));
    std::sort(out.begin(), out.end());
    return out;
  }

  BackendConfig config_;
  std::unique_ptr<repo::Repo> repo_;  // set when the backend is the repository's blocks/
  std::unique_ptr<blockstore::FlatfsBlockstore> own_blocks_;  // set for a custom path
  blockstore::FlatfsBlockstore* blocks_;
  std::string blocks_dir_;
  std::string pins_dir_;
};

}  // namespace

Result<std::unique_ptr<Backend>> NewLocalBackend(const BackendConfig& c,
                                                 const std::string& repo_path) {
  auto param = [&](const std::string& k) -> std::string {
    auto it = c.params.find(k);
    return it == c.params.end() ? std::string() : it->second;
  };
  std::string path = param("path");
  std::string pins = param("pins_path");
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path.empty()) {
    if (repo_path.empty()) {
      return Status::InvalidArgument("backends." + c.name +
                                     ".params.path: missing, and no repository to default to");
    }
    // The repository's own blocks/ and pins/: open it as every command does
    // (creates it, checks its version).
    Result<std::unique_ptr<repo::Repo>> r = repo::Repo::Open(repo_path);
    if (!r.ok()) return r.status().WithContext("backends." + c.name);
    std::string blocks_dir = (*r)->path() + "/blocks";
    if (pins.empty()) pins = (*r)->path() + "/pins";
    RETURN_IF_ERROR(MakeDirs(pins).WithContext("backends." + c.name + ".params.pins_path"));
    return std::unique_ptr<Backend>(
        new LocalBackend(c, std::move(r).value(), nullptr, blocks_dir, pins));
  }
  Result<std::unique_ptr<blockstore::FlatfsBlockstore>> blocks =
      blockstore::FlatfsBlockstore::Open(path);
  if (!blocks.ok()) return blocks.status().WithContext("backends." + c.name + ".params.path");
  // A store of its own keeps its pins inside it (flatfs ignores a "pins"
  // entry: shard directories have two-character names).
  if (pins.empty()) pins = path + "/pins";
  RETURN_IF_ERROR(MakeDirs(pins).WithContext("backends." + c.name + ".params.pins_path"));
  return std::unique_ptr<Backend>(
      new LocalBackend(c, nullptr, std::move(blocks).value(), path, pins));
}

}  // namespace ipfs_kit::backends
