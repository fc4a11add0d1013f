// VFS buckets: the operations, wired from the path checks (path.h), the
// bucket's files and lock (bucket_files.h, bucket_lock.h) and the tree
// editor (tree_editor.h). Every change follows one order, which is what
// makes a crash harmless: take the lock, read the root, build the new tree
// in memory, write its new blocks and sync the store, then replace the root
// file atomically. Layout on disk: docs/formats/vfs.md.
#include "ipfs_kit/vfs/vfs.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "bucket_files.h"
#include "bucket_lock.h"
#include "dag_copy.h"
#include "ipfs_kit/car/car.h"
#include "ipfs_kit/client/daemon_client.h"
#include "ipfs_kit/client/routed_blockstore.h"
#include "ipfs_kit/client/spool.h"
#include "ipfs_kit/dagpb/dag_pb.h"
#include "ipfs_kit/unixfs/exporter.h"
#include "ipfs_kit/unixfs/unixfs_data.h"
#include "ipfs_kit/vfs/path.h"
#include "produced_stream.h"
#include "tree_editor.h"
#include "unique_fd.h"

namespace ipfs_kit::vfs {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ErrnoText() { return std::strerror(errno); }

// Reads `fd` to its end, handing the bytes to `write`.
Status CopyFd(int fd, const ProducedStream::Write& write, const std::string& what) {
  std::vector<uint8_t> buf(256 * 1024);
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError("read " + what + ": " + ErrnoText());
    if (n == 0) return Status::Ok();
    RETURN_IF_ERROR(write(ByteView(buf.data(), static_cast<size_t>(n))));
  }
}

// A CarWriter that reports the bytes of blocks written so far.
class CountingCarWriter : public car::CarWriter {
 public:
  CountingCarWriter(car::CarWriter& inner, const ProgressFn& progress)
      : inner_(inner), progress_(progress) {}
  Status Put(const Cid& cid, ByteView data) override {
    RETURN_IF_ERROR(inner_.Put(cid, data));
    bytes_ += data.size();
    if (progress_) progress_(bytes_);
    return Status::Ok();
  }
  Status Finish() override { return inner_.Finish(); }

 private:
  car::CarWriter& inner_;
  const ProgressFn& progress_;
  uint64_t bytes_ = 0;
};

// What one block says about the entry it roots.
Result<EntryInfo> Describe(blockstore::Blockstore& store, const Cid& cid, const BucketPath& path) {
  EntryInfo e;
  e.path = path.ToString();
  e.name = path.Name();
  e.cid = cid;
  ASSIGN_OR_RETURN(Bytes block, blockstore::GetVerified(store, cid));
  if (cid.codec() == multiformats::kCodecRaw) {
    e.type = EntryType::kFile;
    e.size = e.cumulative_size = block.size();
    return e;
  }
  if (cid.codec() != multiformats::kCodecDagPb) {
    e.cumulative_size = block.size();
    return e;
  }
  auto node = dagpb::DecodeView(block);
  if (!node.ok()) return node.status().WithContext("block " + cid.ToString());
  e.cumulative_size = block.size();
  for (const auto& l : node->links) e.cumulative_size += l.tsize.value_or(0);
  e.blocks = node->links.size();
  if (!node->data) return e;
  ByteView payload;
  auto fs = unixfs::UnixfsData::DecodeView(*node->data, &payload);
  if (!fs.ok()) return e;
  switch (fs->type) {
    case unixfs::DataType::kFile:
    case unixfs::DataType::kRaw:
      e.type = EntryType::kFile;
      e.size = fs->filesize ? *fs->filesize : payload.size() + fs->ContentSize();
      break;
    case unixfs::DataType::kDirectory:
    case unixfs::DataType::kHamtShard:
      e.type = EntryType::kDirectory;
      break;
    case unixfs::DataType::kSymlink:
      e.type = EntryType::kSymlink;
      e.size = payload.size();
      break;
    default:
      break;
  }
  return e;
}

Cid EmptyDirectoryCid() {
  static const Bytes kEmptyDir{0x0a, 0x02, 0x08, 0x01};
  return Cid::Sha256(1, multiformats::kCodecDagPb, kEmptyDir);
}

// "/ipfs/CID[/path]" as given to Cp.
bool IsIpfsPath(std::string_view s) { return s.rfind("/ipfs/", 0) == 0; }

}  // namespace

const char* EntryTypeName(EntryType t) {
  switch (t) {
    case EntryType::kFile:
      return "file";
    case EntryType::kDirectory:
      return "directory";
    case EntryType::kSymlink:
      return "symlink";
    case EntryType::kOther:
      return "other";
  }
  return "other";
}

WriteSource WriteSource::FromBytes(ByteView b) {
  WriteSource s;
  s.kind = Kind::kBytes;
  s.bytes = b;
  return s;
}

WriteSource WriteSource::FromFd(int fd) {
  WriteSource s;
  s.kind = Kind::kFd;
  s.fd = fd;
  return s;
}

WriteSource WriteSource::FromLocalPath(std::string path) {
  WriteSource s;
  s.kind = Kind::kLocalPath;
  s.local_path = std::move(path);
  return s;
}

struct Vfs::Impl {
  std::string vfs_dir;
  VfsOptions options;
  std::atomic<uint64_t> counter{0};

  std::string TempName(const std::string& kind, std::string_view bucket) {
    return vfs_dir + "/." + kind + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter.fetch_add(1)) + "-" + std::string(bucket);
  }

  Result<std::string> BucketDir(std::string_view bucket) {
    RETURN_IF_ERROR(ValidateBucketName(bucket));
    return vfs_dir + "/" + std::string(bucket);
  }

  // Removes temporary bucket directories whose process is gone.
  void CleanUp() {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(vfs_dir, ec)) {
      std::string name = e.path().filename().string();
      size_t prefix = name.rfind(".tmp-", 0) == 0 ? 5 : name.rfind(".deleted-", 0) == 0 ? 9 : 0;
      if (prefix == 0) continue;
      pid_t pid = static_cast<pid_t>(std::atol(name.c_str() + prefix));
      if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH)) {
        std::error_code ignored;
        std::filesystem::remove_all(e.path(), ignored);
      }
    }
  }
};

Vfs::Vfs(std::unique_ptr<repo::Repo> repo, VfsOptions options)
    : repo_(std::move(repo)), impl_(new Impl{repo_->path() + "/vfs", std::move(options)}) {}

Vfs::~Vfs() = default;

Result<std::unique_ptr<Vfs>> Vfs::Open(const std::string& repo_path, VfsOptions options) {
  ASSIGN_OR_RETURN(std::unique_ptr<repo::Repo> repo, repo::Repo::Open(repo_path));
  const std::string dir = repo->path() + "/vfs";
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::IOError("cannot create " + dir + ": " + ErrnoText());
  }
  std::unique_ptr<Vfs> v(new Vfs(std::move(repo), std::move(options)));
  v->impl_->CleanUp();
  return v;
}

unixfs::ImportOptions Vfs::FileImportOptions() {
  auto o = unixfs::ProfileOptions("unixfs-v1-2025");
  return o.value();
}

// ---- buckets

Result<BucketInfo> Vfs::CreateBucket(std::string_view bucket) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  struct stat st;
  if (::stat((dir + "/root").c_str(), &st) == 0) {
    return Status::AlreadyExists("bucket \"" + std::string(bucket) + "\" already exists");
  }
  // The bucket is assembled under a temporary name and renamed into place,
  // so a crash never leaves a bucket without its root or history.
  const Cid empty = EmptyDirectoryCid();
  RETURN_IF_ERROR(repo_->blocks().Put(empty, Bytes{0x0a, 0x02, 0x08, 0x01}));
  RETURN_IF_ERROR(repo_->blocks().Sync());
  const std::string tmp = impl_->TempName("tmp", bucket);
  if (::mkdir(tmp.c_str(), 0755) != 0)
    return Status::IOError("cannot create " + tmp + ": " + ErrnoText());
  Status s = BucketFiles::Initialize(tmp, RootRecord{empty, NowMs()});
  if (s.ok() && ::rename(tmp.c_str(), dir.c_str()) != 0) {
    if (errno == EEXIST || errno == ENOTEMPTY) {
      s = Status::AlreadyExists("bucket \"" + std::string(bucket) + "\" already exists");
    } else {
      s = Status::IOError("cannot rename " + tmp + " to " + dir + ": " + ErrnoText());
    }
  }
  if (!s.ok()) {
    std::error_code ec;
    std::filesystem::remove_all(tmp, ec);
    return s;
  }
  RETURN_IF_ERROR(repo::FsyncDirectory(impl_->vfs_dir));
  return GetBucket(bucket);
}

Status Vfs::DeleteBucket(std::string_view bucket) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  const std::string gone = impl_->TempName("deleted", bucket);
  {
    ASSIGN_OR_RETURN(BucketLock lock, BucketLock::Acquire(dir, std::string(bucket)));
    if (::rename(dir.c_str(), gone.c_str()) != 0) {
      return Status::IOError("cannot rename " + dir + ": " + ErrnoText());
    }
    RETURN_IF_ERROR(repo::FsyncDirectory(impl_->vfs_dir));
  }
  std::error_code ec;
  std::filesystem::remove_all(gone, ec);  // what is left is cleaned up by a later Open
  return Status::Ok();
}

Result<BucketInfo> Vfs::GetBucket(std::string_view bucket) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  BucketFiles files(dir, std::string(bucket));
  ASSIGN_OR_RETURN(RootRecord root, files.ReadRoot());
  ASSIGN_OR_RETURN(std::optional<CommitRecord> last, files.LastCommit());
  BucketInfo info;
  info.name = std::string(bucket);
  info.root = root.root;
  info.updated_ms = root.updated_ms;
  info.dirty = (last ? last->cid : EmptyDirectoryCid()) != root.root;
  info.last_commit = std::move(last);
  return info;
}

Result<std::vector<BucketInfo>> Vfs::ListBuckets() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(impl_->vfs_dir, ec)) {
    std::string name = e.path().filename().string();
    if (ValidateBucketName(name).ok()) names.push_back(std::move(name));
  }
  if (ec) return Status::IOError("cannot list " + impl_->vfs_dir + ": " + ec.message());
  std::sort(names.begin(), names.end());
  std::vector<BucketInfo> out;
  for (const auto& n : names) {
    auto info = GetBucket(n);
    if (info.ok()) {
      out.push_back(std::move(info).value());
    } else if (info.status().code() != StatusCode::kNotFound) {  // deleted meanwhile: skip
      return info.status();
    }
  }
  return out;
}

// ---- changes

namespace {

// Runs `edit` on the bucket's tree under its lock and installs the result.
Result<Change> Mutate(repo::Repo& repo, const std::string& dir, std::string_view bucket,
                      const std::function<Status(TreeEditor&)>& edit, const BucketPath* entry) {
  ASSIGN_OR_RETURN(BucketLock lock, BucketLock::Acquire(dir, std::string(bucket)));
  BucketFiles files(dir, std::string(bucket));
  ASSIGN_OR_RETURN(RootRecord before, files.ReadRoot());
  TreeEditor editor(repo.blocks(), Vfs::FileImportOptions(), before.root);
  RETURN_IF_ERROR(edit(editor));
  Change change;
  change.root = editor.root();
  if (editor.root() != before.root) {
    RETURN_IF_ERROR(editor.Flush());  // blocks durable before the root names them
    RETURN_IF_ERROR(files.WriteRoot(RootRecord{editor.root(), NowMs()}));
  }
  if (entry) {
    ASSIGN_OR_RETURN(std::optional<Link> l, editor.Find(*entry));
    if (l) {
      ASSIGN_OR_RETURN(EntryInfo info, Describe(repo.blocks(), l->cid, *entry));
      change.entry = std::move(info);
    }
  }
  return change;
}

// Where Mv/Cp put `name` given `to`: into `to` when it is a directory.
Result<BucketPath> Destination(TreeEditor& ed, const BucketPath& to, const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<Link> at, ed.Find(to));
  if (at) {
    ASSIGN_OR_RETURN(bool dir, ed.IsDirectory(at->cid));
    if (dir) return to.Child(name);
  }
  return to;
}

Result<Link> ImportFrom(int fd, blockstore::Blockstore& store, const ProgressFn& progress) {
  ASSIGN_OR_RETURN(unixfs::FileResult f,
                   unixfs::ImportFile(fd, Vfs::FileImportOptions(), &store, progress));
  return Link{f.cid, f.tsize};
}

// Imports the bytes `produce` writes.
Result<Link> ImportProduced(ProducedStream::Producer produce, blockstore::Blockstore& store,
                            const ProgressFn& progress) {
  ASSIGN_OR_RETURN(std::unique_ptr<ProducedStream> stream,
                   ProducedStream::Start(std::move(produce)));
  Result<Link> imported = ImportFrom(stream->fd(), store, progress);
  Status produced = stream->Finish();
  // A producer that failed ended the stream early: the import saw a short file.
  if (!produced.ok() && imported.ok()) return produced;
  return imported;
}

Status OpenLocalFile(const std::string& path, int* fd) {
  *fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (*fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no local file " + path);
    return Status::IOError("cannot open " + path + ": " + ErrnoText());
  }
  struct stat st;
  if (::fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(*fd);
    *fd = -1;
    return Status::InvalidArgument(path + " is not a regular file");
  }
  return Status::Ok();
}

// Writes the source's bytes through `write`.
Status WriteSourceBytes(const WriteSource& src, const ProducedStream::Write& write) {
  switch (src.kind) {
    case WriteSource::Kind::kBytes:
      return write(src.bytes);
    case WriteSource::Kind::kFd:
      return CopyFd(src.fd, write, "input");
    case WriteSource::Kind::kLocalPath: {
      int fd;
      RETURN_IF_ERROR(OpenLocalFile(src.local_path, &fd));
      UniqueFd guard(fd);
      return CopyFd(fd, write, src.local_path);
    }
  }
  return Status::Internal("unknown write source");
}

// The new file's whole content: straight from the source (replace).
Result<Link> ImportSource(const WriteSource& src, blockstore::Blockstore& store,
                          const ProgressFn& progress) {
  if (src.kind == WriteSource::Kind::kFd) return ImportFrom(src.fd, store, progress);
  if (src.kind == WriteSource::Kind::kLocalPath) {
    int fd;
    RETURN_IF_ERROR(OpenLocalFile(src.local_path, &fd));
    UniqueFd guard(fd);
    auto r = ImportFrom(fd, store, progress);
    if (!r.ok()) return r.status().WithContext(src.local_path);
    return r;
  }
  // Copied here: the producer thread must not outlive the caller's bytes,
  // and ImportProduced joins it before returning.
  ByteView bytes = src.bytes;
  return ImportProduced([bytes](const ProducedStream::Write& w) { return w(bytes); }, store,
                        progress);
}

}  // namespace

Result<Change> Vfs::Mkdir(std::string_view bucket, std::string_view path, bool parents) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  ASSIGN_OR_RETURN(BucketPath p, ParsePath(path));
  return Mutate(
      *repo_, dir, bucket,
      [&](TreeEditor& ed) -> Status {
        ASSIGN_OR_RETURN(std::optional<Link> at, ed.Find(p));
        if (at) {
          ASSIGN_OR_RETURN(bool is_dir, ed.IsDirectory(at->cid));
          if (parents && is_dir) return Status::Ok();  // mkdir -p of an existing directory
          return Status::AlreadyExists(p.ToString() + " already exists");
        }
        ASSIGN_OR_RETURN(Link empty, ed.EmptyDirectory());
        return ed.Set(p, empty, parents);
      },
      &p);
}

Result<Change> Vfs::Write(std::string_view bucket, std::string_view path, const WriteSource& source,
                          const WriteOptions& options, const ProgressFn& progress) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  ASSIGN_OR_RETURN(BucketPath p, ParsePath(path));
  if (p.IsRoot()) return Status::InvalidArgument("cannot write to the bucket root: name a file");
  if (options.append && options.offset) {
    return Status::InvalidArgument("append and offset cannot be used together");
  }
  if (options.truncate && !options.offset) {
    return Status::InvalidArgument("truncate applies to a write at an offset");
  }
  if (source.kind == WriteSource::Kind::kLocalPath && source.local_path.empty()) {
    return Status::InvalidArgument("empty local path");
  }
  blockstore::Blockstore& store = repo_->blocks();
  auto check_target = [&](TreeEditor& ed, std::optional<Link>* at) -> Status {
    ASSIGN_OR_RETURN(*at, ed.Find(p));
    if (*at) {
      ASSIGN_OR_RETURN(bool is_dir, ed.IsDirectory((*at)->cid));
      if (is_dir) return Status::InvalidArgument(p.ToString() + " is a directory");
    } else if (!options.create) {
      return Status::NotFound(p.ToString() + " does not exist (and create is off)");
    }
    return Status::Ok();
  };

  if (!options.append && !options.offset) {
    // Replacing: the content does not depend on the tree, so the import
    // (the long part) runs before the lock is taken.
    ASSIGN_OR_RETURN(Link file, ImportSource(source, store, progress));
    return Mutate(
        *repo_, dir, bucket,
        [&](TreeEditor& ed) -> Status {
          std::optional<Link> at;
          RETURN_IF_ERROR(check_target(ed, &at));
          return ed.Set(p, file, options.parents);
        },
        &p);
  }
  // Appending or writing at an offset: old head + new bytes + old tail,
  // composed while the importer reads it, under the lock so that
  // concurrent appends all land.
  return Mutate(
      *repo_, dir, bucket,
      [&](TreeEditor& ed) -> Status {
        std::optional<Link> at;
        RETURN_IF_ERROR(check_target(ed, &at));
        uint64_t old_size = 0;
        if (at) {
          ASSIGN_OR_RETURN(EntryInfo info, Describe(store, at->cid, p));
          if (info.type != EntryType::kFile) {
            return Status::InvalidArgument(p.ToString() + " is a " + EntryTypeName(info.type) +
                                           ", not a file");
          }
          old_size = info.size;
        }
        const uint64_t offset = options.append ? old_size : *options.offset;
        if (offset > old_size) {
          return Status::InvalidArgument("offset " + std::to_string(offset) +
                                         " is past the end of " + p.ToString() + " (" +
                                         std::to_string(old_size) + " bytes)");
        }
        std::optional<Cid> old;
        if (at) old = at->cid;
        const bool keep_tail = !options.truncate;
        auto produce = [&store, old, offset, keep_tail,
                        &source](const ProducedStream::Write& w) -> Status {
          uint64_t written = 0;
          auto counting = [&](ByteView b) {
            written += b.size();
            return w(b);
          };
          unixfs::Exporter exporter(store, 2);
          if (old && offset > 0) RETURN_IF_ERROR(exporter.Cat(*old, 0, offset, w));
          RETURN_IF_ERROR(WriteSourceBytes(source, counting));
          if (old && keep_tail)
            RETURN_IF_ERROR(exporter.Cat(*old, offset + written, std::nullopt, w));
          return Status::Ok();
        };
        ASSIGN_OR_RETURN(Link file, ImportProduced(produce, store, progress));
        return ed.Set(p, file, options.parents);
      },
      &p);
}

Result<Change> Vfs::Rm(std::string_view bucket, std::string_view path, bool recursive) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  ASSIGN_OR_RETURN(BucketPath p, ParsePath(path));
  if (p.IsRoot()) return Status::InvalidArgument("the bucket root cannot be removed");
  return Mutate(
      *repo_, dir, bucket,
      [&](TreeEditor& ed) -> Status {
        ASSIGN_OR_RETURN(std::optional<Link> at, ed.Find(p));
        if (!at) return Status::NotFound(p.ToString() + " does not exist");
        ASSIGN_OR_RETURN(bool is_dir, ed.IsDirectory(at->cid));
        if (is_dir && !recursive) {
          return Status::InvalidArgument(p.ToString() +
                                         " is a directory: remove it recursively (-r)");
        }
        return ed.Remove(p);
      },
      nullptr);
}

Result<Change> Vfs::Mv(std::string_view bucket, std::string_view from, std::string_view to) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  ASSIGN_OR_RETURN(BucketPath src, ParsePath(from));
  ASSIGN_OR_RETURN(BucketPath dst, ParsePath(to));
  if (src.IsRoot()) return Status::InvalidArgument("the bucket root cannot be moved");
  BucketPath final_dst;
  return Mutate(
      *repo_, dir, bucket,
      [&](TreeEditor& ed) -> Status {
        ASSIGN_OR_RETURN(std::optional<Link> moving, ed.Find(src));
        if (!moving) return Status::NotFound(src.ToString() + " does not exist");
        ASSIGN_OR_RETURN(final_dst, Destination(ed, dst, src.Name()));
        if (final_dst == src) {
          return Status::InvalidArgument("source and destination are the same: " + src.ToString());
        }
        if (final_dst.IsWithin(src)) {
          return Status::InvalidArgument("cannot move " + src.ToString() + " into itself (" +
                                         final_dst.ToString() + ")");
        }
        ASSIGN_OR_RETURN(std::optional<Link> taken, ed.Find(final_dst));
        if (taken) return Status::AlreadyExists(final_dst.ToString() + " already exists");
        RETURN_IF_ERROR(ed.Remove(src));
        return ed.Set(final_dst, *moving, false);
      },
      &final_dst);
}

Result<Change> Vfs::Cp(std::string_view bucket, std::string_view from, std::string_view to,
                       bool parents) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  ASSIGN_OR_RETURN(BucketPath dst, ParsePath(to));
  std::optional<Link> external;
  std::string name;
  BucketPath src;
  if (IsIpfsPath(from)) {
    // The source is outside the bucket: fetch and verify its blocks into the
    // local store first (no lock is needed for that).
    std::string_view rest = from.substr(6);
    if (rest.size() > unixfs::kMaxPathBytes) {
      return Status::InvalidArgument("source path longer than " +
                                     std::to_string(unixfs::kMaxPathBytes) + " bytes");
    }
    if (rest.find('\0') != std::string_view::npos) {
      return Status::InvalidArgument("source path contains a NUL byte");
    }
    size_t slash = rest.find('/');
    ASSIGN_OR_RETURN(Cid root, Cid::Parse(rest.substr(0, slash)));
    std::unique_ptr<blockstore::Blockstore> source;
    if (impl_->options.open_source) {
      ASSIGN_OR_RETURN(source, impl_->options.open_source(root));
    } else {
      ASSIGN_OR_RETURN(source, client::OpenRoutedBlockstore(repo_->path(), repo_->blocks(), root));
    }
    unixfs::Exporter exporter(*source, 0);
    ASSIGN_OR_RETURN(Cid target, exporter.Resolve(rest));
    ASSIGN_OR_RETURN(unixfs::NodeInfo node, exporter.Stat(target));
    if (node.kind == unixfs::EntryKind::kOther) {
      return Status::Unsupported(target.ToString() + " is not a UnixFS file, directory or symlink");
    }
    RETURN_IF_ERROR(CopyDag(*source, repo_->blocks(), target));
    ASSIGN_OR_RETURN(uint64_t tsize, CumulativeSize(repo_->blocks(), target));
    external = Link{target, tsize};
    // Named by the last path component, or by the CID for a bare CID.
    std::string_view tail = rest;
    while (!tail.empty() && tail.back() == '/') tail.remove_suffix(1);
    size_t last = tail.rfind('/');
    name = last == std::string_view::npos ? root.ToString() : std::string(tail.substr(last + 1));
    RETURN_IF_ERROR(ParsePath("/" + name).status());
  } else {
    ASSIGN_OR_RETURN(src, ParsePath(from));
    name = src.Name();
  }
  BucketPath final_dst;
  return Mutate(
      *repo_, dir, bucket,
      [&](TreeEditor& ed) -> Status {
        Link copying;
        if (external) {
          copying = *external;
        } else {
          ASSIGN_OR_RETURN(std::optional<Link> at, ed.Find(src));
          if (!at) return Status::NotFound(src.ToString() + " does not exist");
          copying = *at;
        }
        if (name.empty()) {  // copying the root itself: `to` names the copy
          final_dst = dst;
        } else {
          ASSIGN_OR_RETURN(final_dst, Destination(ed, dst, name));
        }
        if (final_dst.IsRoot()) return Status::InvalidArgument("cannot copy over the bucket root");
        ASSIGN_OR_RETURN(std::optional<Link> taken, ed.Find(final_dst));
        if (taken) return Status::AlreadyExists(final_dst.ToString() + " already exists");
        return ed.Set(final_dst, copying, parents);
      },
      &final_dst);
}

// ---- reads

namespace {

Result<std::pair<Cid, BucketPath>> ResolveIn(repo::Repo& repo, const std::string& dir,
                                             std::string_view bucket, std::string_view path) {
  ASSIGN_OR_RETURN(BucketPath p, ParsePath(path));
  BucketFiles files(dir, std::string(bucket));
  ASSIGN_OR_RETURN(RootRecord root, files.ReadRoot());
  TreeEditor ed(repo.blocks(), Vfs::FileImportOptions(), root.root);
  ASSIGN_OR_RETURN(std::optional<Link> at, ed.Find(p));
  if (!at)
    return Status::NotFound(p.ToString() + " does not exist in bucket \"" + std::string(bucket) +
                            "\"");
  return std::make_pair(at->cid, p);
}

}  // namespace

Status Vfs::Read(std::string_view bucket, std::string_view path, uint64_t offset,
                 std::optional<uint64_t> length, const std::function<Status(ByteView)>& sink) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  ASSIGN_OR_RETURN(auto at, ResolveIn(*repo_, dir, bucket, path));
  ASSIGN_OR_RETURN(EntryInfo info, Describe(repo_->blocks(), at.first, at.second));
  if (info.type != EntryType::kFile) {
    return Status::InvalidArgument(at.second.ToString() + " is a " + EntryTypeName(info.type) +
                                   ", not a file");
  }
  if (offset > info.size) {
    return Status::InvalidArgument("offset " + std::to_string(offset) + " is past the end of " +
                                   at.second.ToString() + " (" + std::to_string(info.size) +
                                   " bytes)");
  }
  unixfs::Exporter exporter(repo_->blocks(), 2);
  return exporter.Cat(at.first, offset, length, sink);
}

Result<EntryInfo> Vfs::Stat(std::string_view bucket, std::string_view path) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  ASSIGN_OR_RETURN(auto at, ResolveIn(*repo_, dir, bucket, path));
  return Describe(repo_->blocks(), at.first, at.second);
}

Result<std::vector<EntryInfo>> Vfs::Ls(std::string_view bucket, std::string_view path) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  ASSIGN_OR_RETURN(auto at, ResolveIn(*repo_, dir, bucket, path));
  ASSIGN_OR_RETURN(EntryInfo self, Describe(repo_->blocks(), at.first, at.second));
  if (self.type != EntryType::kDirectory) return std::vector<EntryInfo>{self};
  ASSIGN_OR_RETURN(DirEntries entries, ReadDirectory(repo_->blocks(), at.first));
  std::vector<EntryInfo> out;
  out.reserve(entries.size());
  for (const auto& [name, l] : entries) {
    ASSIGN_OR_RETURN(EntryInfo e, Describe(repo_->blocks(), l.cid, at.second.Child(name)));
    out.push_back(std::move(e));
  }
  return out;
}

// ---- history

Result<CommitOutcome> Vfs::Commit(std::string_view bucket, std::string_view message) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  if (message.size() > kMaxCommitMessageBytes) {
    return Status::InvalidArgument("commit message longer than " +
                                   std::to_string(kMaxCommitMessageBytes) + " bytes");
  }
  if (!IsValidUtf8(message)) return Status::InvalidArgument("commit message is not valid UTF-8");
  ASSIGN_OR_RETURN(BucketLock lock, BucketLock::Acquire(dir, std::string(bucket)));
  BucketFiles files(dir, std::string(bucket));
  ASSIGN_OR_RETURN(RootRecord root, files.ReadRoot());
  ASSIGN_OR_RETURN(std::optional<CommitRecord> last, files.LastCommit());
  if (last && last->cid == root.root) return CommitOutcome{*last, false};
  CommitRecord c;
  c.seq = last ? last->seq + 1 : 1;
  c.cid = root.root;
  c.time_ms = NowMs();
  c.message = std::string(message);
  if (last) c.parent = last->cid;
  RETURN_IF_ERROR(files.AppendCommit(c));
  return CommitOutcome{std::move(c), true};
}

Result<std::vector<CommitRecord>> Vfs::History(std::string_view bucket, size_t limit) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  BucketFiles files(dir, std::string(bucket));
  ASSIGN_OR_RETURN(std::vector<CommitRecord> all, files.ReadHistory());
  std::reverse(all.begin(), all.end());
  if (limit > 0 && all.size() > limit) all.resize(limit);
  return all;
}

// ---- export and pin

Result<Cid> Vfs::ExportRoot(std::string_view bucket, std::string_view ref) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  BucketFiles files(dir, std::string(bucket));
  ASSIGN_OR_RETURN(RootRecord root, files.ReadRoot());
  if (ref.empty()) return root.root;
  ASSIGN_OR_RETURN(Cid want, Cid::Parse(ref));
  if (want.ToV1() == root.root.ToV1()) return root.root;
  ASSIGN_OR_RETURN(std::vector<CommitRecord> all, files.ReadHistory());
  for (const auto& c : all) {
    if (c.cid.ToV1() == want.ToV1()) return c.cid;
  }
  return Status::NotFound(std::string(ref) + " is not the root or a commit of bucket \"" +
                          std::string(bucket) + "\"");
}

Status Vfs::ExportCar(const Cid& root, FILE* out, const ProgressFn& progress) {
  ASSIGN_OR_RETURN(std::unique_ptr<car::CarWriter> writer, car::CarWriter::Create(out, {root}));
  CountingCarWriter counting(*writer, progress);
  RETURN_IF_ERROR(car::ExportDag(repo_->blocks(), root, counting));
  return counting.Finish();
}

Status Vfs::ExportCarToFile(const Cid& root, const std::string& out_path, bool overwrite,
                            const ProgressFn& progress) {
  if (out_path.empty()) return Status::InvalidArgument("empty output path");
  struct stat st;
  if (::lstat(out_path.c_str(), &st) == 0) {
    if (!overwrite) return Status::AlreadyExists("output path " + out_path + " already exists");
    if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(out_path + " is not a regular file");
  }
  const std::string tmp =
      out_path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(impl_->counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + ErrnoText());
  FILE* f = ::fdopen(fd, "wb");
  if (!f) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return Status::IOError("fdopen " + tmp + ": " + ErrnoText());
  }
  Status s = ExportCar(root, f, progress);
  if (s.ok() && std::fflush(f) != 0) s = Status::IOError("write " + tmp + ": " + ErrnoText());
  if (s.ok() && ::fsync(fd) != 0) s = Status::IOError("fsync " + tmp + ": " + ErrnoText());
  if (std::fclose(f) != 0 && s.ok()) s = Status::IOError("close " + tmp + ": " + ErrnoText());
  if (s.ok() && ::rename(tmp.c_str(), out_path.c_str()) != 0) {
    s = Status::IOError("cannot rename " + tmp + " to " + out_path + ": " + ErrnoText());
  }
  if (!s.ok()) ::unlink(tmp.c_str());
  return s;
}

Result<PinOutcome> Vfs::Pin(std::string_view bucket, std::string_view name, PinWhenDown when_down) {
  ASSIGN_OR_RETURN(std::string dir, impl_->BucketDir(bucket));
  BucketFiles files(dir, std::string(bucket));
  ASSIGN_OR_RETURN(std::optional<CommitRecord> last, files.LastCommit());
  if (!last) {
    return Status::NotFound("bucket \"" + std::string(bucket) +
                            "\" has no commit to pin: commit it first");
  }
  PinOutcome out;
  out.cid = last->cid.ToV1();
  const std::string pin_name = name.empty() ? "vfs:" + std::string(bucket) : std::string(name);
  const std::string cid_text = out.cid.ToString();
  RETURN_IF_ERROR(repo_->AddPin(out.cid, pin_name));
  Result<std::string> answer = Status::Internal("unset");
  if (impl_->options.submit_pin) {
    answer = impl_->options.submit_pin(cid_text, pin_name);
  } else {
    auto c = client::DaemonClient::ForRepo(repo_->path());
    if (c.ok()) {
      auto j = c->AddPin(cid_text, pin_name, 0, 0, {});
      answer = j.ok() ? Result<std::string>(j->dump()) : Result<std::string>(j.status());
    } else {
      answer = c.status();
    }
  }
  if (answer.ok()) {
    nlohmann::json j = nlohmann::json::parse(*answer, nullptr, false);
    if (j.is_object()) {
      if (j.contains("requestid") && j["requestid"].is_string()) {
        out.request_id = j["requestid"].get<std::string>();
      }
      if (j.contains("status") && j["status"].is_string())
        out.status = j["status"].get<std::string>();
    }
    return out;
  }
  if (answer.status().code() != StatusCode::kUnavailable || when_down != PinWhenDown::kSpool) {
    return answer.status();
  }
  client::SpooledPin p;
  p.cid = cid_text;
  p.name = pin_name;
  ASSIGN_OR_RETURN(std::string file, client::WriteSpool(repo_->path(), p));
  out.spooled = true;
  out.status = "spooled";
  out.request_id = file;
  return out;
}

}  // namespace ipfs_kit::vfs
