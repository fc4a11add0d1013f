// Directory import: the tree builder. Mirrors the JS importer's tree builder
// (which follows Kubo's MFS-based adder): entries are collected in a tree,
// files are imported as they are met, directories are built bottom-up at
// Finish(), and a directory becomes a HAMT shard when its estimated size
// exceeds shard_threshold.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ipfs_kit/dagpb/dag_pb.h"
#include "ipfs_kit/dagpb/proto_wire.h"
#include "ipfs_kit/unixfs/hamt.h"
#include "ipfs_kit/unixfs/importer.h"
#include "ipfs_kit/unixfs/unixfs_data.h"

namespace ipfs_kit::unixfs {

using multiformats::Cid;

namespace {

struct DirNode;
// A built entry (file, symlink, or already-built directory).
struct Built {
  Cid cid;
  uint64_t tsize = 0;
};
struct TreeEntry {
  std::variant<Built, std::unique_ptr<DirNode>> v;
};
struct DirNode {
  // Ordered by name bytes, which is also dag-pb's canonical link order.
  std::map<std::string, TreeEntry> children;
};

std::string ErrnoText() { return std::strerror(errno); }

// Holds a file descriptor and closes it.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

bool ByteLess(const std::string& a, const std::string& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return static_cast<uint8_t>(x) < static_cast<uint8_t>(y);
  });
}

}  // namespace

struct Importer::Impl {
  blockstore::Blockstore* store;
  ImportOptions o;
  ImportCallbacks cb;
  DirNode root;
  std::string last_top;  // name of the last top-level entry
  uint64_t bytes_before = 0;  // progress across files

  // The empty directory node, {Data: 08 01}, and its CID (made once).
  static inline const Bytes kEmptyDir{0x0a, 0x02, 0x08, 0x01};
  std::optional<Cid> empty_dir_cid;
  const Cid& EmptyDirCid() {
    if (!empty_dir_cid) empty_dir_cid = Cid::Sha256(o.cid_version, multiformats::kCodecDagPb, kEmptyDir);
    return *empty_dir_cid;
  }

  Status Emit(const Cid& cid, const Bytes& block) {
    if (store) return store->Put(cid, block);
    return Status::Ok();
  }

  void Report(const std::string& path, const Cid& cid, uint64_t size, bool dir) {
    if (cb.on_entry) cb.on_entry(AddedEntry{path, cid, size, dir});
  }

  Result<FileResult> File(int fd) {
    std::function<void(uint64_t)> progress;
    if (cb.on_bytes) {
      progress = [this](uint64_t n) { cb.on_bytes(bytes_before + n); };
    }
    auto r = ImportFile(fd, o, store, progress);
    if (r.ok()) bytes_before += r->content;
    return r;
  }

  Result<Built> Symlink(const std::string& target) {
    UnixfsData d;
    d.type = DataType::kSymlink;
    d.data = Bytes(target.begin(), target.end());
    dagpb::PbNode node;
    node.data = d.Encode();
    Bytes block = dagpb::Encode(node);
    Cid cid = Cid::Sha256(o.cid_version, multiformats::kCodecDagPb, block);
    RETURN_IF_ERROR(Emit(cid, block));
    return Built{cid, block.size()};
  }

  Result<Built> ImportRegular(const std::string& fs_path, const std::string& rel) {
    int fd = ::open(fs_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOError("cannot open " + fs_path + ": " + ErrnoText());
    Fd guard(fd);
    auto r = File(fd);
    if (!r.ok()) return r.status().WithContext(fs_path);
    Report(rel, r->cid, r->content, false);
    return Built{r->cid, r->tsize};
  }

  // Walks a directory on disk into `node`.
  Status Walk(const std::string& fs_path, const std::string& rel, DirNode& node) {
    DIR* d = ::opendir(fs_path.c_str());
    if (!d) return Status::IOError("cannot read directory " + fs_path + ": " + ErrnoText());
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      if (!o.hidden && n[0] == '.') continue;
      names.push_back(std::move(n));
    }
    ::closedir(d);
    std::sort(names.begin(), names.end(), ByteLess);
    for (const auto& n : names) {
      std::string child_fs = fs_path + "/" + n;
      std::string child_rel = rel + "/" + n;
      struct stat st;
      if (::lstat(child_fs.c_str(), &st) != 0) {
        return Status::IOError("cannot stat " + child_fs + ": " + ErrnoText());
      }
      if (S_ISDIR(st.st_mode)) {
        auto sub = std::make_unique<DirNode>();
        RETURN_IF_ERROR(Walk(child_fs, child_rel, *sub));
        node.children[n] = TreeEntry{std::move(sub)};
      } else if (S_ISREG(st.st_mode)) {
        ASSIGN_OR_RETURN(Built b, ImportRegular(child_fs, child_rel));
        node.children[n] = TreeEntry{b};
      } else if (S_ISLNK(st.st_mode)) {
        std::string target(st.st_size > 0 ? st.st_size : 4096, '\0');
        ssize_t len = ::readlink(child_fs.c_str(), target.data(), target.size());
        if (len < 0) return Status::IOError("cannot read symlink " + child_fs + ": " + ErrnoText());
        target.resize(len);
        ASSIGN_OR_RETURN(Built b, Symlink(target));
        Report(child_rel, b.cid, 0, false);
        node.children[n] = TreeEntry{b};
      } else {
        return Status::Unsupported("cannot add " + child_fs +
                                   ": not a regular file, directory or symlink");
      }
    }
    return Status::Ok();
  }

  // Size estimate that decides sharding. Like the JS importer, only entries
  // that are already built count (files, symlinks, empty directories);
  // sub-directories with content are not yet built when the estimate is
  // taken, so they add nothing.
  uint64_t Estimate(const DirNode& dir) {
    uint64_t size = 0;
    if (o.shard_strategy == ShardStrategy::kBlockBytes) {
      size = 4;  // PBNode Data field holding UnixFS {Type: Directory}: 0a 02 08 01
    }
    for (const auto& [name, e] : dir.children) {
      const Built* b = std::get_if<Built>(&e.v);
      Cid cid;
      uint64_t tsize = 0;
      if (b) {
        cid = b->cid;
        tsize = b->tsize;
      } else {
        const DirNode& sub = *std::get<std::unique_ptr<DirNode>>(e.v);
        if (!sub.children.empty()) continue;
        // An empty directory counts as the built leaf entry it will be.
        cid = EmptyDirCid();
        tsize = kEmptyDir.size();
      }
      if (o.shard_strategy == ShardStrategy::kLinksBytes) {
        size += name.size() + cid.ByteLength();
      } else {
        size += dagpb::EncodedLinkSize(dagpb::PbLink{cid, name, tsize});
      }
    }
    return size;
  }

  Result<Built> BuildDir(DirNode& dir, const std::string& rel) {
    std::vector<HamtEntry> entries;
    entries.reserve(dir.children.size());
    const bool shard = Estimate(dir) > o.shard_threshold;
    for (auto& [name, e] : dir.children) {
      Built b;
      if (auto* sub = std::get_if<std::unique_ptr<DirNode>>(&e.v)) {
        ASSIGN_OR_RETURN(b, BuildDir(**sub, rel.empty() ? name : rel + "/" + name));
      } else {
        b = std::get<Built>(e.v);
      }
      entries.push_back(HamtEntry{name, b.cid, b.tsize});
    }
    Built out;
    if (shard) {
      ASSIGN_OR_RETURN(BuiltNode n, BuildHamt(entries, o.cid_version, nullptr,
                                              [this](const Cid& c, const Bytes& blk) {
                                                return Emit(c, blk);
                                              }));
      out = Built{n.cid, n.tsize};
    } else {
      UnixfsData d;
      d.type = DataType::kDirectory;
      dagpb::PbNode node;
      uint64_t tsum = 0;
      for (auto& e : entries) {
        node.links.push_back({e.cid, e.name, e.tsize});
        tsum += e.tsize;
      }
      node.data = d.Encode();
      Bytes block = dagpb::Encode(node);
      Cid cid = Cid::Sha256(o.cid_version, multiformats::kCodecDagPb, block);
      RETURN_IF_ERROR(Emit(cid, block));
      out = Built{cid, block.size() + tsum};
    }
    if (!rel.empty()) Report(rel, out.cid, out.tsize, true);
    return out;
  }
};

Importer::Importer(blockstore::Blockstore* store, ImportOptions options, ImportCallbacks callbacks)
    : impl_(new Impl{store, options, std::move(callbacks), {}, {}, 0, {}}) {}

Importer::~Importer() = default;

Status Importer::AddPath(const std::string& path) {
  RETURN_IF_ERROR(ValidateOptions(impl_->o));
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound("cannot add " + path + ": " + ErrnoText());
  }
  // Base name as Kubo prints it: trailing slashes removed, "." resolved.
  std::string clean = path;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  std::string base = clean.substr(clean.find_last_of('/') == std::string::npos
                                      ? 0
                                      : clean.find_last_of('/') + 1);
  if (base.empty() || base == "." || base == "..") {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf) == nullptr) {
      return Status::IOError("cannot resolve " + path + ": " + ErrnoText());
    }
    std::string abs = buf;
    base = abs == "/" ? "" : abs.substr(abs.find_last_of('/') + 1);
    if (base.empty()) return Status::InvalidArgument("cannot add the root directory /");
  }
  if (impl_->root.children.count(base)) {
    return Status::InvalidArgument("two arguments have the same name: " + base);
  }
  if (S_ISDIR(st.st_mode)) {
    if (!impl_->o.recursive) {
      return Status::InvalidArgument(path + " is a directory, use -r to add directories");
    }
    auto sub = std::make_unique<DirNode>();
    RETURN_IF_ERROR(impl_->Walk(path, base, *sub));
    impl_->root.children[base] = TreeEntry{std::move(sub)};
  } else if (S_ISREG(st.st_mode)) {
    ASSIGN_OR_RETURN(Built b, impl_->ImportRegular(path, base));
    impl_->root.children[base] = TreeEntry{b};
  } else {
    return Status::Unsupported("cannot add " + path + ": not a regular file or directory");
  }
  impl_->last_top = base;
  return Status::Ok();
}

Status Importer::AddStream(int fd) {
  RETURN_IF_ERROR(ValidateOptions(impl_->o));
  auto r = impl_->File(fd);
  if (!r.ok()) return r.status().WithContext("stdin");
  std::string name = r->cid.ToString();
  impl_->Report(name, r->cid, r->content, false);
  impl_->root.children[name] = TreeEntry{Built{r->cid, r->tsize}};
  impl_->last_top = name;
  return Status::Ok();
}

Result<Cid> Importer::Finish() {
  auto& root = impl_->root;
  if (root.children.empty()) return Status::InvalidArgument("nothing to add");
  if (impl_->o.wrap) {
    ASSIGN_OR_RETURN(Built b, impl_->BuildDir(root, ""));
    impl_->Report("", b.cid, b.tsize, true);
    return b.cid;
  }
  Cid last;
  for (auto& [name, e] : root.children) {
    Built b;
    if (auto* sub = std::get_if<std::unique_ptr<DirNode>>(&e.v)) {
      ASSIGN_OR_RETURN(b, impl_->BuildDir(**sub, name));
    } else {
      b = std::get<Built>(e.v);
    }
    if (name == impl_->last_top) last = b.cid;
  }
  return last;
}

}  // namespace ipfs_kit::unixfs
