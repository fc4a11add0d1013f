// UnixFS exporter. Blocks are fetched and verified through GetVerified; file
// content is streamed child by child, with the next few children of a node
// prefetched (and verified) on a small pool so hashing overlaps output.
#include "ipfs_kit/unixfs/exporter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <future>
#include <random>
#include <set>

#include "ipfs_kit/dagpb/dag_pb.h"
#include "ipfs_kit/unixfs/hamt.h"
#include "thread_pool.h"

namespace ipfs_kit::unixfs {

using multiformats::Cid;

const char* EntryKindName(EntryKind k) {
  switch (k) {
    case EntryKind::kFile: return "file";
    case EntryKind::kDirectory: return "directory";
    case EntryKind::kSymlink: return "symlink";
    case EntryKind::kRaw: return "raw";
    case EntryKind::kOther: return "other";
  }
  return "other";
}

Status ValidateEntryName(std::string_view name) {
  if (name.empty() || name == "." || name == "..") {
    return Status::Corruption("unsafe entry name \"" + std::string(name) + "\"");
  }
  if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
    return Status::Corruption("unsafe entry name \"" + std::string(name) +
                              "\" (contains '/' or NUL)");
  }
  if (name.size() > kMaxPathComponentBytes) {
    return Status::Corruption("entry name longer than 255 bytes");
  }
  return Status::Ok();
}

namespace {

// A decoded dag-pb + UnixFS node, or a raw block.
// Views point into `block`; moving a Node keeps them valid (the vector's
// heap buffer moves with it).
struct Node {
  Cid cid;
  Bytes block;
  ByteView content;  // raw block: all of it; UnixFS node: its Data payload
  dagpb::PbNodeView pb;
  UnixfsData fs;  // `data` left empty: see `content`
  bool is_raw = false;
};

std::string Describe(const Cid& c) { return c.ToString(); }

}  // namespace

struct Exporter::Impl {
  blockstore::Blockstore& store;
  std::unique_ptr<ThreadPool> pool;

  Result<Node> Load(const Cid& cid) {
    ASSIGN_OR_RETURN(Bytes b, blockstore::GetVerified(store, cid));
    return Decode(cid, std::move(b));
  }

  static Result<Node> Decode(const Cid& cid, Bytes b) {
    Node n;
    n.cid = cid;
    n.block = std::move(b);
    if (cid.codec() == multiformats::kCodecRaw) {
      n.is_raw = true;
      n.content = n.block;
      return n;
    }
    if (cid.codec() != multiformats::kCodecDagPb) {
      return Status::Unsupported("block " + Describe(cid) + " has codec " +
                                 std::string(multiformats::CodecName(cid.codec()).empty()
                                                 ? std::to_string(cid.codec())
                                                 : multiformats::CodecName(cid.codec())) +
                                 ", not a UnixFS node");
    }
    auto pb = dagpb::DecodeView(n.block);
    if (!pb.ok()) return pb.status().WithContext("block " + Describe(cid) + " is not valid dag-pb");
    n.pb = std::move(pb).value();
    if (!n.pb.data) return Status::Corruption("dag-pb node " + Describe(cid) + " has no UnixFS data");
    auto fs = UnixfsData::DecodeView(*n.pb.data, &n.content);
    if (!fs.ok()) return fs.status().WithContext("node " + Describe(cid));
    n.fs = std::move(fs).value();
    return n;
  }

  // Finds `name` in a directory node (flat or HAMT). nullopt if absent.
  Result<std::optional<Cid>> Lookup(const Node& dir, const std::string& name, int depth) {
    if (depth > kMaxDagDepth) return Status::Corruption("HAMT deeper than the limit");
    if (dir.fs.type == DataType::kDirectory) {
      for (const auto& l : dir.pb.links) {
        if (l.name && *l.name == name) return std::optional<Cid>(l.hash);
      }
      return std::optional<Cid>();
    }
    if (dir.fs.type != DataType::kHamtShard) {
      return Status::InvalidArgument("not a directory: " + Describe(dir.cid));
    }
    RETURN_IF_ERROR(CheckShard(dir));
    uint32_t idx = HamtIndex(AsBytes(name), depth, 8);
    const std::string prefix = HamtSlotLabel(idx);
    for (const auto& l : dir.pb.links) {
      if (!l.name || l.name->compare(0, 2, prefix) != 0) continue;
      if (l.name->size() == 2) {
        ASSIGN_OR_RETURN(Node sub, Load(l.hash));
        if (sub.is_raw || sub.fs.type != DataType::kHamtShard) {
          return Status::Corruption("HAMT link " + Describe(l.hash) + " is not a shard");
        }
        return Lookup(sub, name, depth + 1);
      }
      if (l.name->substr(2) == name) return std::optional<Cid>(l.hash);
    }
    return std::optional<Cid>();
  }

  static Status CheckShard(const Node& n) {
    if (n.fs.hash_type.value_or(0) != kHamtHashMurmur3 || n.fs.fanout.value_or(0) != 256) {
      return Status::Unsupported("HAMT shard " + Describe(n.cid) +
                                 " uses an unsupported hash or fanout");
    }
    return Status::Ok();
  }

  Status ListInto(const Node& dir, std::vector<DirEntry>& out, int depth) {
    if (depth > kMaxDagDepth) return Status::Corruption("HAMT deeper than the limit");
    if (dir.fs.type == DataType::kDirectory) {
      for (const auto& l : dir.pb.links) {
        out.push_back(DirEntry{l.name.value_or(""), l.hash, l.tsize.value_or(0)});
      }
      return Status::Ok();
    }
    RETURN_IF_ERROR(CheckShard(dir));
    for (const auto& l : dir.pb.links) {
      if (!l.name || l.name->size() < 2) {
        return Status::Corruption("HAMT shard " + Describe(dir.cid) + " has a malformed link name");
      }
      if (l.name->size() == 2) {
        ASSIGN_OR_RETURN(Node sub, Load(l.hash));
        if (sub.is_raw || sub.fs.type != DataType::kHamtShard) {
          return Status::Corruption("HAMT link " + Describe(l.hash) + " is not a shard");
        }
        RETURN_IF_ERROR(ListInto(sub, out, depth + 1));
      } else {
        out.push_back(DirEntry{l.name->substr(2), l.hash, l.tsize.value_or(0)});
      }
    }
    return Status::Ok();
  }

  // Streams [offset, end) of the file rooted at `n` (offsets relative to n).
  Status Stream(const Node& n, uint64_t offset, uint64_t end,
                const std::function<Status(ByteView)>& sink, int depth) {
    if (depth > kMaxDagDepth) return Status::Corruption("file DAG deeper than the limit");
    if (offset >= end) return Status::Ok();
    if (n.is_raw) {
      if (offset < n.content.size()) {
        uint64_t stop = std::min<uint64_t>(end, n.content.size());
        return sink(n.content.subspan(offset, stop - offset));
      }
      return Status::Ok();
    }
    if (n.fs.type != DataType::kFile && n.fs.type != DataType::kRaw) {
      return Status::InvalidArgument(Describe(n.cid) + " is a " + DataTypeName(n.fs.type) +
                                     ", not a file");
    }
    uint64_t pos = 0;
    if (!n.content.empty()) {
      const ByteView d = n.content;
      if (offset < d.size()) {
        uint64_t stop = std::min<uint64_t>(end, d.size());
        RETURN_IF_ERROR(sink(d.subspan(offset, stop - offset)));
      }
      pos = d.size();
    }
    if (n.pb.links.empty()) return Status::Ok();
    if (n.fs.blocksizes.size() != n.pb.links.size()) {
      return Status::Corruption("file node " + Describe(n.cid) + " has " +
                                std::to_string(n.pb.links.size()) + " links but " +
                                std::to_string(n.fs.blocksizes.size()) + " blocksizes");
    }
    // Children overlapping the range, fetched ahead in parallel.
    struct Want {
      size_t index;
      uint64_t start;
    };
    std::vector<Want> wants;
    for (size_t i = 0; i < n.pb.links.size(); ++i) {
      uint64_t s = pos, e = pos + n.fs.blocksizes[i];
      pos = e;
      if (e <= offset || s >= end) continue;
      wants.push_back({i, s});
    }
    const size_t window = pool ? pool->size() * 4 : 0;
    std::deque<std::future<Result<Node>>> ahead;
    size_t next_fetch = 0;
    auto fetch = [this](Cid c) { return Load(c); };
    for (size_t w = 0; w < wants.size(); ++w) {
      while (pool && next_fetch < wants.size() && next_fetch < w + window) {
        Cid c = n.pb.links[wants[next_fetch].index].hash;
        ahead.push_back(pool->Submit([fetch, c] { return fetch(c); }));
        ++next_fetch;
      }
      Result<Node> child = Status::Internal("unset");
      if (pool) {
        child = ahead.front().get();
        ahead.pop_front();
      } else {
        child = Load(n.pb.links[wants[w].index].hash);
      }
      if (!child.ok()) {
        for (auto& f : ahead) f.wait();
        return child.status();
      }
      uint64_t s = wants[w].start;
      uint64_t child_off = offset > s ? offset - s : 0;
      Status st = Stream(*child, child_off, end - s, sink, depth + 1);
      if (!st.ok()) {
        for (auto& f : ahead) f.wait();
        return st;
      }
    }
    return Status::Ok();
  }

  static uint64_t FileSize(const Node& n) {
    if (n.is_raw) return n.content.size();
    if (n.fs.filesize) return *n.fs.filesize;
    uint64_t size = n.content.size();
    for (uint64_t b : n.fs.blocksizes) size += b;
    return size;
  }

  Status WriteFile(const Node& n, const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return Status::IOError("cannot create " + path + ": " + std::strerror(errno));
    Status st = Stream(n, 0, UINT64_MAX, [&](ByteView b) -> Status {
      size_t off = 0;
      while (off < b.size()) {
        ssize_t w = ::write(fd, b.data() + off, b.size() - off);
        if (w < 0) {
          if (errno == EINTR) continue;
          return Status::IOError("write " + path + ": " + std::strerror(errno));
        }
        off += w;
      }
      return Status::Ok();
    }, 0);
    if (n.fs.mode && !n.is_raw) ::fchmod(fd, *n.fs.mode & 07777);
    if (::close(fd) != 0 && st.ok()) st = Status::IOError("close " + path + ": " + std::strerror(errno));
    return st;
  }

  Status GetInto(const Cid& cid, const std::string& path, int depth) {
    if (depth > kMaxDagDepth) return Status::Corruption("directory tree deeper than the limit");
    if (path.size() > kMaxPathBytes) {
      return Status::InvalidArgument("output path longer than " + std::to_string(kMaxPathBytes) +
                                     " bytes: " + path.substr(0, 80) + "...");
    }
    ASSIGN_OR_RETURN(Node n, Load(cid));
    if (n.is_raw || n.fs.type == DataType::kFile || n.fs.type == DataType::kRaw) {
      return WriteFile(n, path);
    }
    if (n.fs.type == DataType::kSymlink) {
      std::string target(AsString(n.content));
      if (::symlink(target.c_str(), path.c_str()) != 0) {
        return Status::IOError("cannot create symlink " + path + ": " + std::strerror(errno));
      }
      return Status::Ok();
    }
    if (!n.fs.IsDirectory()) {
      return Status::Unsupported(Describe(cid) + " is a " + DataTypeName(n.fs.type) +
                                 " node, which cannot be written to disk");
    }
    std::vector<DirEntry> entries;
    RETURN_IF_ERROR(ListInto(n, entries, 0));
    std::set<std::string> seen;
    for (const auto& e : entries) {
      Status v = ValidateEntryName(e.name);
      if (!v.ok()) return v.WithContext("refusing directory " + Describe(cid));
      if (!seen.insert(e.name).second) {
        return Status::Corruption("directory " + Describe(cid) + " lists \"" + e.name + "\" twice");
      }
    }
    if (::mkdir(path.c_str(), 0755) != 0) {
      return Status::IOError("cannot create directory " + path + ": " + std::strerror(errno));
    }
    for (const auto& e : entries) RETURN_IF_ERROR(GetInto(e.cid, path + "/" + e.name, depth + 1));
    if (n.fs.mode) ::chmod(path.c_str(), *n.fs.mode & 07777);
    return Status::Ok();
  }
};

Exporter::Exporter(blockstore::Blockstore& store, unsigned prefetch_threads)
    : impl_(new Impl{store, prefetch_threads > 0 ? std::make_unique<ThreadPool>(prefetch_threads)
                                                 : nullptr}) {}

Exporter::~Exporter() = default;

Result<Cid> Exporter::Resolve(std::string_view path) {
  if (path.size() > kMaxPathBytes) {
    return Status::InvalidArgument("path longer than " + std::to_string(kMaxPathBytes) + " bytes");
  }
  if (path.rfind("/ipfs/", 0) == 0) path.remove_prefix(6);
  size_t slash = path.find('/');
  ASSIGN_OR_RETURN(Cid cur, Cid::Parse(path.substr(0, slash)));
  if (slash == std::string_view::npos) return cur;
  std::string_view rest = path.substr(slash + 1);
  std::string walked = cur.ToString();
  while (!rest.empty()) {
    size_t s = rest.find('/');
    std::string name(rest.substr(0, s));
    rest = s == std::string_view::npos ? std::string_view() : rest.substr(s + 1);
    if (name.empty()) continue;  // tolerate "a//b" and a trailing slash
    if (name.size() > kMaxPathComponentBytes) {
      return Status::InvalidArgument("path component longer than 255 bytes");
    }
    ASSIGN_OR_RETURN(Node n, impl_->Load(cur));
    if (n.is_raw || !n.fs.IsDirectory()) {
      return Status::NotFound("cannot resolve \"" + name + "\": " + walked + " is not a directory");
    }
    ASSIGN_OR_RETURN(std::optional<Cid> next, impl_->Lookup(n, name, 0));
    if (!next) return Status::NotFound("no link named \"" + name + "\" under " + walked);
    cur = *next;
    walked += "/" + name;
  }
  return cur;
}

Result<NodeInfo> Exporter::Stat(const Cid& cid) {
  ASSIGN_OR_RETURN(Node n, impl_->Load(cid));
  NodeInfo info;
  info.cid = cid;
  if (n.is_raw) {
    info.kind = EntryKind::kRaw;
    info.size = n.content.size();
    return info;
  }
  info.mode = n.fs.mode;
  info.mtime = n.fs.mtime;
  switch (n.fs.type) {
    case DataType::kFile:
    case DataType::kRaw:
      info.kind = EntryKind::kFile;
      info.size = Impl::FileSize(n);
      break;
    case DataType::kDirectory:
    case DataType::kHamtShard:
      info.kind = EntryKind::kDirectory;
      break;
    case DataType::kSymlink:
      info.kind = EntryKind::kSymlink;
      info.symlink_target = std::string(AsString(n.content));
      info.size = info.symlink_target.size();
      break;
    default:
      info.kind = EntryKind::kOther;
  }
  return info;
}

Result<std::vector<DirEntry>> Exporter::List(const Cid& dir) {
  ASSIGN_OR_RETURN(Node n, impl_->Load(dir));
  if (n.is_raw || !n.fs.IsDirectory()) {
    return Status::InvalidArgument(dir.ToString() + " is not a directory");
  }
  std::vector<DirEntry> out;
  RETURN_IF_ERROR(impl_->ListInto(n, out, 0));
  return out;
}

Status Exporter::Cat(const Cid& file, uint64_t offset, std::optional<uint64_t> length,
                     const std::function<Status(ByteView)>& sink) {
  ASSIGN_OR_RETURN(Node n, impl_->Load(file));
  if (!n.is_raw && n.fs.IsDirectory()) {
    return Status::InvalidArgument(file.ToString() + " is a directory, not a file");
  }
  if (!n.is_raw && n.fs.type == DataType::kSymlink) {
    return Status::InvalidArgument(file.ToString() + " is a symlink, not a file");
  }
  uint64_t end = UINT64_MAX;
  if (length) end = *length > UINT64_MAX - offset ? UINT64_MAX : offset + *length;
  return impl_->Stream(n, offset, end, sink, 0);
}

Status Exporter::Get(const Cid& cid, const std::string& out_path) {
  if (out_path.empty()) return Status::InvalidArgument("empty output path");
  struct stat st;
  if (::lstat(out_path.c_str(), &st) == 0) {
    return Status::AlreadyExists("output path " + out_path + " already exists");
  }
  // Build beside the destination, then rename: a failure leaves nothing at
  // out_path and the temporary tree is removed.
  std::string tmp = out_path + ".ipfs-kit-tmp-" + std::to_string(::getpid());
  std::error_code ec;
  std::filesystem::remove_all(tmp, ec);
  Status s = impl_->GetInto(cid, tmp, 0);
  if (s.ok() && ::rename(tmp.c_str(), out_path.c_str()) != 0) {
    s = Status::IOError("cannot rename into " + out_path + ": " + std::strerror(errno));
  }
  if (!s.ok()) std::filesystem::remove_all(tmp, ec);
  return s;
}

}  // namespace ipfs_kit::unixfs
