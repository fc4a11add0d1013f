// VFS buckets: named, mutable UnixFS trees kept in the repository, like
// Kubo's MFS (`ipfs files`). Every change yields a new root CID; `Commit`
// records the current root in the bucket's history with a time and a
// message; `Pin` hands the committed root to the daemon. Concepts and the
// CLI/REST/MCP surfaces: docs/vfs.md; files on disk: docs/formats/vfs.md.
//
// Content. Blocks live in the repository's blockstore (`blocks/`). Files are
// imported with the unixfs-v1-2025 profile (CIDv1, raw leaves, 1 MiB chunks,
// 1024 links); directories are dag-pb UnixFS directories, HAMT-sharded by the
// importer's rule. So a tree built here has the root CID that
// `ipfs-kit add -r --profile unixfs-v1-2025` gives for the same tree on disk.
//
// Threading and processes. A Vfs is safe to use from many threads, and many
// processes may use one repository at once. Every change to a bucket takes
// the bucket's lock (flock on vfs/<bucket>/lock), so changes are serialized
// across threads and processes and none is lost. Reads take no lock: they
// read the bucket's root file once (it is replaced atomically) and then only
// immutable blocks, so a read sees one consistent tree.
//
// Failures. Bad names and paths are kInvalidArgument naming the problem;
// a missing bucket or path is kNotFound; a name that is taken is
// kAlreadyExists; a daemon that does not answer a pin is kUnavailable
// ("daemon unavailable: ..."). A failed change leaves the bucket's root as it
// was (blocks it stored may remain, unreferenced). A crash at any moment
// leaves the previous root or the new one, never a torn file: new blocks are
// synced before the root file that names them is renamed into place.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"
#include "ipfs_kit/blockstore/blockstore.h"
#include "ipfs_kit/multiformats/cid.h"
#include "ipfs_kit/repo/repo.h"
#include "ipfs_kit/unixfs/importer.h"

namespace ipfs_kit::vfs {

using multiformats::Cid;

inline constexpr size_t kMaxCommitMessageBytes = 1024;

enum class EntryType { kFile, kDirectory, kSymlink, kOther };
const char* EntryTypeName(EntryType t);  // "file", "directory", "symlink", "other"

// What `stat` and `ls` tell about one entry.
struct EntryInfo {
  std::string path;  // "/a/b" inside the bucket ("/" for the root)
  std::string name;  // last component ("" for the root)
  Cid cid;
  EntryType type = EntryType::kOther;
  uint64_t size = 0;             // file bytes (symlinks: target length); 0 for directories
  uint64_t cumulative_size = 0;  // bytes of every block of the entry's DAG
  uint64_t blocks = 0;           // links of the entry's root node
};

// The outcome of a change: the bucket's new root and, where there is one,
// the entry that was made or moved.
struct Change {
  Cid root;
  std::optional<EntryInfo> entry;
};

struct CommitRecord {
  uint64_t seq = 0;  // 1 for the first commit of a bucket
  Cid cid;
  int64_t time_ms = 0;  // Unix milliseconds
  std::string message;
  std::optional<Cid> parent;  // the previous commit's root
};

struct CommitOutcome {
  CommitRecord commit;
  bool created = false;  // false: the root was already committed, nothing recorded
};

struct BucketInfo {
  std::string name;
  Cid root;                // current (working) root
  bool dirty = false;      // root differs from the last commit (or there is none)
  int64_t updated_ms = 0;  // when the root last changed
  std::optional<CommitRecord> last_commit;
};

// Where the bytes of a write come from. `bytes` must stay valid for the call.
struct WriteSource {
  enum class Kind { kBytes, kFd, kLocalPath };
  Kind kind = Kind::kBytes;
  ByteView bytes;
  int fd = -1;             // read until EOF, not closed
  std::string local_path;  // a regular file

  static WriteSource FromBytes(ByteView b);
  static WriteSource FromFd(int fd);
  static WriteSource FromLocalPath(std::string path);
};

struct WriteOptions {
  bool parents = false;  // create missing parent directories
  bool create = true;    // false: the file must exist
  // Where the new bytes go. Default: they replace the file's content.
  // append: after the current end. offset: over the content from `offset`
  // (which must be <= the current size), keeping what lies past the written
  // bytes unless `truncate`.
  bool append = false;
  std::optional<uint64_t> offset;
  bool truncate = false;
};

// How Pin treats a daemon that does not answer.
enum class PinWhenDown {
  kFail,   // return kUnavailable "daemon unavailable: ..."
  kSpool,  // write the request to $IPFS_KIT_PATH/spool/ (as `add` does)
};

struct PinOutcome {
  Cid cid;  // the committed root, as CIDv1
  bool spooled = false;
  std::string request_id;  // the daemon's, when it answered
  std::string status;      // the daemon's pin status ("queued", ...) or "spooled"
};

struct VfsOptions {
  // Opens the blocks behind `/ipfs/CID` sources of Cp. Default: the local
  // store, then the backends the routing index names for the CID
  // (client::OpenRoutedBlockstore). Blocks copied are verified and stored
  // in the local store.
  std::function<Result<std::unique_ptr<blockstore::Blockstore>>(const Cid& root)> open_source;
  // Registers a pin with the daemon and returns its PinStatus JSON text.
  // Default: client::DaemonClient::ForRepo(repo).AddPin(cid, name, 0, 0, {}).
  std::function<Result<std::string>(const std::string& cid, const std::string& name)> submit_pin;
};

// Reports bytes written so far by a long write or export.
using ProgressFn = std::function<void(uint64_t bytes)>;

class Vfs {
 public:
  // Opens the VFS of the repository at `repo_path` (created when missing);
  // removes what crashed processes left behind (temporary bucket
  // directories whose process is gone).
  static Result<std::unique_ptr<Vfs>> Open(const std::string& repo_path, VfsOptions options = {});
  ~Vfs();
  Vfs(const Vfs&) = delete;
  Vfs& operator=(const Vfs&) = delete;

  repo::Repo& repo() { return *repo_; }
  // The import options every file write uses (the unixfs-v1-2025 profile).
  static unixfs::ImportOptions FileImportOptions();

  // Buckets. A new bucket's root is the empty directory.
  Result<BucketInfo> CreateBucket(std::string_view bucket);
  // Removes the bucket's root and history (not its blocks, which other
  // buckets or pins may share). kNotFound when there is no such bucket.
  Status DeleteBucket(std::string_view bucket);
  Result<std::vector<BucketInfo>> ListBuckets();  // by name
  Result<BucketInfo> GetBucket(std::string_view bucket);

  // Tree operations. Paths are checked with ParsePath.
  Result<Change> Mkdir(std::string_view bucket, std::string_view path, bool parents);
  Result<Change> Write(std::string_view bucket, std::string_view path, const WriteSource& source,
                       const WriteOptions& options, const ProgressFn& progress = {});
  // Streams bytes [offset, offset+length) of the file at `path` to `sink`.
  Status Read(std::string_view bucket, std::string_view path, uint64_t offset,
              std::optional<uint64_t> length, const std::function<Status(ByteView)>& sink);
  // A directory's entries in name order; a file lists as itself.
  Result<std::vector<EntryInfo>> Ls(std::string_view bucket, std::string_view path);
  Result<EntryInfo> Stat(std::string_view bucket, std::string_view path);
  // Directories need `recursive`. The root cannot be removed.
  Result<Change> Rm(std::string_view bucket, std::string_view path, bool recursive);
  // Moves `from` to `to`; when `to` is an existing directory, into it under
  // from's name. The destination must not exist; a directory cannot move
  // into itself.
  Result<Change> Mv(std::string_view bucket, std::string_view from, std::string_view to);
  // Copies like Mv. `from` is a path in the bucket or "/ipfs/CID[/path]"
  // (a UnixFS file or directory; its blocks are fetched through
  // options.open_source, verified, and stored locally first).
  Result<Change> Cp(std::string_view bucket, std::string_view from, std::string_view to,
                    bool parents = false);

  // Records the current root in the history (message <= 1024 bytes of
  // UTF-8). When the root is already the last commit, nothing is recorded
  // and that commit is returned with created = false.
  Result<CommitOutcome> Commit(std::string_view bucket, std::string_view message);
  // Newest first; at most `limit` records (0: all).
  Result<std::vector<CommitRecord>> History(std::string_view bucket, size_t limit = 0);

  // The root an export names: `ref` empty is the current root, else a CID
  // that is the current root or one in the bucket's history.
  Result<Cid> ExportRoot(std::string_view bucket, std::string_view ref);
  // Writes the DAG under `root` as a CAR v1 (Kubo's `dag export` order).
  Status ExportCar(const Cid& root, FILE* out, const ProgressFn& progress = {});
  // Same into a local file, atomically: nothing is left at `out_path` on
  // failure. kAlreadyExists when it exists and !overwrite.
  Status ExportCarToFile(const Cid& root, const std::string& out_path, bool overwrite,
                         const ProgressFn& progress = {});

  // Pins the bucket's last commit (kNotFound when it has none): records it
  // locally (pins/) and registers it with the daemon under `name` (default
  // "vfs:<bucket>").
  Result<PinOutcome> Pin(std::string_view bucket, std::string_view name, PinWhenDown when_down);

 private:
  struct Impl;
  Vfs(std::unique_ptr<repo::Repo> repo, VfsOptions options);
  std::unique_ptr<repo::Repo> repo_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ipfs_kit::vfs
