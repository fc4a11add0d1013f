// Content operations shared by the MCP tools, the REST API and the CLI:
// add, cat, stat, ls, get, CAR export and import over one repository.
//
// Reads never need the daemon (DESIGN §1): a path's root CID is looked up in
// the local store first, then at the backends the routing index names
// (client/routed_blockstore.h); every block is verified against its CID.
// Adds write to the local store and submit a pin to the daemon, or spool it
// when the daemon is down (client/pin_submit.h).
//
// Thread safety: a Content may be used from several threads at once (each
// call opens its own routed store; the local blockstore is thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"
#include "ipfs_kit/blockstore/blockstore.h"
#include "ipfs_kit/multiformats/cid.h"
#include "ipfs_kit/repo/repo.h"
#include "ipfs_kit/unixfs/exporter.h"

namespace ipfs_kit::ops {

struct AddOptions {
  int cid_version = 1;  // 1: CIDv1 with raw leaves (Kubo's --cid-version=1)
  std::string chunker;  // "size-N"; empty: 256 KiB
  bool pin = true;      // record the pin locally and submit it to the daemon (or spool)
  std::string pin_name;
  bool wrap = false;  // wrap a path in a directory (-w)
};

struct AddResult {
  multiformats::Cid cid;
  uint64_t size = 0;      // content bytes (files); cumulative DAG bytes (directories)
  std::string pin_state;  // "queued" (daemon has it), "spooled" (daemon down), "" (not pinned)
  nlohmann::json ToJson() const;
};

// progress(bytes_done, bytes_total or 0 when unknown)
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

class Content {
 public:
  // Opens (creating when missing) the repository at `repo_path`.
  static Result<std::unique_ptr<Content>> Open(const std::string& repo_path);

  const std::string& repo_path() const { return repo_->path(); }
  repo::Repo& repo() { return *repo_; }

  Result<AddResult> AddBytes(ByteView data, const AddOptions& options,
                             const ProgressFn& progress = {});
  // A file or (recursively) a directory from the local disk.
  Result<AddResult> AddPath(const std::string& path, const AddOptions& options,
                            const ProgressFn& progress = {});

  // The blocks behind a path ("CID", "CID/a/b", "/ipfs/CID/..."): the local
  // store, then the backends holding the path's root.
  Result<std::unique_ptr<blockstore::Blockstore>> StoreFor(std::string_view path);

  // A path resolved once: the blocks behind it, an exporter over them and
  // the CID it names. Callers that need several answers about one path
  // (stat, then cat or ls) resolve it once and pass the Resolved.
  struct Resolved {
    std::unique_ptr<blockstore::Blockstore> store;
    std::unique_ptr<unixfs::Exporter> exporter;
    multiformats::Cid cid;
  };
  Result<Resolved> Resolve(std::string_view path);

  // Streams file bytes [offset, offset+length) of the file at `path`.
  Status Cat(std::string_view path, uint64_t offset, std::optional<uint64_t> length,
             const std::function<Status(ByteView)>& sink);
  Status Cat(Resolved& r, uint64_t offset, std::optional<uint64_t> length,
             const std::function<Status(ByteView)>& sink);
  // {cid, type: file|directory|symlink|raw|other, size, block_size, entries?, mode?, mtime?}
  Result<nlohmann::json> Stat(std::string_view path);
  Result<nlohmann::json> Stat(Resolved& r);
  // {cid, entries:[{name, cid, size, type}]}; a file lists itself.
  Result<nlohmann::json> Ls(std::string_view path);
  Result<nlohmann::json> Ls(Resolved& r);
  // Writes the tree at `path` to `out_path` (which must not exist).
  Result<nlohmann::json> Get(std::string_view path, const std::string& out_path);
  // Writes the DAG under `path`'s CID to `out_path` as a CARv1 (atomically).
  Result<nlohmann::json> CarExport(std::string_view path, const std::string& out_path);
  // Imports every block of a CAR file (verified) into the local store and
  // pins its roots as `add` does when `pin`.
  Result<nlohmann::json> CarImport(const std::string& car_path, bool pin);

 private:
  explicit Content(std::unique_ptr<repo::Repo> repo) : repo_(std::move(repo)) {}
  Result<AddResult> Pin(AddResult r, const AddOptions& options);
  std::unique_ptr<repo::Repo> repo_;
};

// The root CID of a path ("CID...", "/ipfs/CID..."); kInvalidArgument
// naming the path when it does not start with a CID.
Result<multiformats::Cid> RootOf(std::string_view path);

}  // namespace ipfs_kit::ops
