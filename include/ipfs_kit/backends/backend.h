// Storage backends behind one interface, shared by the daemon (replication,
// repair, health) and the retrieval path (cat/get through the routing index).
// See DESIGN §4 and docs/backends.md.
//
// A backend holds blocks and/or pins:
//  - block stores (`local`, `s3`): Get/Put/Has/Delete of single blocks; a pin
//    is a record the backend keeps (local: repo pins, s3: an object under
//    pins/), so PinStatus is immediate;
//  - DAG holders (`kubo`, `ipfs-cluster`, `pinning-service`): Pin asks the
//    service to hold the whole DAG; kubo also takes and serves blocks, a
//    pinning service only fetches by itself from `origins` (asynchronous:
//    PinStatus reports queued/pinning until it is done);
//  - `gateway`: read-only, Get/Has only.
//
// Whole DAGs move as CAR files where a backend can (ExportCar/ImportCar:
// kubo's dag/export and dag/import, a gateway's ?format=car), else block by
// block; CopyDag picks the way from capabilities().
//
// Contract: Get returns the bytes as the backend gave them, unverified; every
// consumer goes through GetVerified (re-hash, kCorruption naming the CID).
// Every call may block on the network; implementations are thread-safe. A
// backend that cannot be reached answers kUnavailable; wrong credentials
// kPermissionDenied, both with a reason a user can act on.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::backends {

using multiformats::Cid;

// One backend's configuration, from the daemon's config file or the
// management API. `params` are type-specific (see docs/backends.md):
//   local:           path (default: the repository's blocks/)
//   s3:              endpoint, bucket, region, access_key, secret_key,
//                    addressing (path|virtual), prefix, multipart_threshold
//   kubo:            url (RPC API base, e.g. http://127.0.0.1:5001)
//   gateway:         url (trustless gateway base)
//   pinning-service: url (PSA base), token
//   ipfs-cluster:    url (REST API base), token (optional)
struct BackendConfig {
  std::string name;  // [a-z0-9][a-z0-9_-]{0,62}
  std::string type;
  std::map<std::string, std::string> params;
  std::vector<std::string> tags;
  int priority = 0;            // higher is preferred
  int64_t capacity_bytes = 0;  // 0: ask the backend (or unlimited)
};

struct Capabilities {
  bool read_only = false;       // gateway
  bool stores_blocks = true;    // Put/Delete of single blocks work
  bool fetches_itself = false;  // pinning-service: Pin makes the service fetch from origins
  bool async_pins = false;      // Pin returns before the pin is complete; poll PinStatus
  // Has() answers at once. False for nodes where asking about a missing block
  // waits (js-ipfs waits on bitswap until a timeout): copies then Put every
  // block instead (Put is idempotent) rather than asking first.
  bool cheap_has = true;
  // ExportCar may work: a whole DAG comes in one request (kubo: dag/export,
  // gateway: ?format=car). CopyDag reads sources this way, and falls back to
  // block-by-block reads when the answer is kUnsupported.
  bool car_export = false;
  // ImportCar works: blocks go in as CAR files (kubo: dag/import). CopyDag
  // sends blocks this way instead of one Put each.
  bool car_import = false;
};

enum class PinState { kAbsent, kQueued, kPinning, kPinned, kFailed };
const char* PinStateName(PinState s);

struct PinRequest {
  std::string name;
  std::vector<std::string> origins;  // multiaddrs or URLs the service may fetch from
  std::map<std::string, std::string> meta;
};

struct PinInfo {
  PinState state = PinState::kAbsent;
  std::string reason;  // for kFailed
};

// One health probe's findings (the monitor times the probe and keeps history).
struct Probe {
  std::optional<int64_t> bytes_used;
  std::optional<int64_t> bytes_free;
  std::optional<int64_t> pin_count;
  std::string detail;  // e.g. the peer id or version the backend reported
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const BackendConfig& config() const = 0;
  const std::string& name() const { return config().name; }
  const std::string& type() const { return config().type; }
  virtual Capabilities capabilities() const = 0;

  // Blocks. Get: kNotFound when absent.
  virtual Result<bool> Has(const Cid& cid) = 0;
  virtual Result<Bytes> Get(const Cid& cid) = 0;
  // Stores a block the caller has verified; overwrites (repair relies on it).
  // kUnsupported on backends that do not store single blocks.
  virtual Status Put(const Cid& cid, ByteView data) = 0;
  virtual Status Delete(const Cid& cid) = 0;

  // Pins (a root CID, recursive).
  virtual Status Pin(const Cid& root, const PinRequest& request) = 0;
  virtual Result<PinInfo> PinStatus(const Cid& root) = 0;
  // Unpinning an absent pin is OK (idempotent).
  virtual Status Unpin(const Cid& root) = 0;
  // Calls fn for each pinned root until it returns false.
  virtual Status ListPins(const std::function<bool(const Cid&)>& fn) = 0;

  // One health probe: OK when the backend answers and is usable; the error
  // (kUnavailable, kPermissionDenied, ...) names the reason.
  virtual Result<Probe> Check() = 0;

  // Whole DAGs as CAR files (capabilities().car_export / car_import).
  //
  // ExportCar: the DAG of `root` in one request, read as it arrives (see
  // ReadDagCar): every block is verified against its CID before on_block
  // sees it (kCorruption naming the CID and the backend), the CAR's root
  // must be `root`, and every block must be linked from one sent before it.
  // on_block sees each block of the DAG once, identity CIDs never, in the
  // order sent (DFS pre-order from kubo and gateways: the WalkDag order). An
  // error from on_block stops the transfer and is returned. OK means
  // on_block has seen the whole DAG. kUnsupported: no CAR from this backend
  // (the type, or a node or gateway without CAR support, or an answer that
  // is not a CAR): read block by block instead.
  virtual Status ExportCar(const Cid& root,
                           const std::function<Status(const Cid&, ByteView)>& on_block) {
    (void)root;
    (void)on_block;
    return Status::Unsupported("backend " + name() + " (" + type() + ") does not export CARs");
  }
  // ImportCar: stores every block of a CAR (v1 or v2), each verified before
  // it is sent (a block that does not match its CID is kCorruption). Does
  // not pin: call Pin once the whole DAG is there. A failure may leave some
  // blocks stored (valid content). kUnsupported: Put the blocks instead.
  virtual Status ImportCar(std::string_view car) {
    (void)car;
    return Status::Unsupported("backend " + name() + " (" + type() + ") does not import CARs");
  }
};

// Makes a backend from its configuration; kInvalidArgument naming the key
// ("backends.NAME.params.bucket: missing") for a bad config. `repo_path` is
// the repository (the local backend's default home).
Result<std::unique_ptr<Backend>> MakeBackend(const BackendConfig& config,
                                             const std::string& repo_path);
// The backend types MakeBackend knows.
const std::vector<std::string>& BackendTypes();

// Get + re-hash: kCorruption "block CID from backend NAME does not match its
// hash" on a mismatch.
Result<Bytes> GetVerified(Backend& backend, const Cid& cid);

struct CopyStats {
  uint64_t blocks = 0;
  uint64_t bytes = 0;
  uint64_t skipped = 0;  // already present on the destination
};

// Makes `to` hold the whole DAG of `root`, then pins it there:
//  - block-storing destinations get every block read from `from` (verified),
//    walking dag-pb links (raw leaves have none), then Pin. A source with
//    car_export is read in one ExportCar request (block by block if it
//    answers kUnsupported before any block); a destination with car_import
//    gets the blocks as CAR files of up to ~8 MiB (one Put each if it
//    answers kUnsupported);
//  - a destination that fetches by itself gets Pin with `request.origins`.
// Returns when the pin is requested (async destinations: poll PinStatus).
Status CopyDag(Backend& from, Backend& to, const Cid& root, const PinRequest& request,
               CopyStats* stats = nullptr);

// Every block of the DAG under `root` on `backend`, in DFS pre-order (the
// CAR order), each verified; stops early when fn returns false.
Status WalkDag(Backend& backend, const Cid& root,
               const std::function<bool(const Cid&, const Bytes&)>& fn);

// For ExportCar implementations: reads the CAR that `produce` streams and
// hands the DAG of `root` to on_block with ExportCar's guarantees.
//
// `produce` runs on a thread of its own and feeds the CAR's bytes, as they
// arrive, to the sink it is given (e.g. as http::ClientRequest::on_body);
// the sink returns false once the reader has stopped, and `produce` should
// then stop too. Its Status is the transfer's: an error it returns (an HTTP
// error, a broken stream) is the result unless the reader stopped first.
// Meanwhile the calling thread reads the stream with car::CarReader (one
// block in memory at a time, each re-hashed) and calls on_block. `what`
// names the transfer in messages, e.g. "export of CID from kubo backend N".
//
// Refused, with the transfer named:
//  - kUnsupported: a stream that does not start with a CAR header (the
//    backend answered something else than a CAR); a codec other than dag-pb
//    and raw (its links cannot be followed, as in WalkDag);
//  - kCorruption: a CAR whose roots are not exactly `root` (up to CID
//    version); a block that does not match its CID; a block no earlier
//    block links to; more blocks than the DAG's links account for
//    (duplicates are skipped, within that bound);
//  - kNotFound: a CAR that ends before the DAG is complete (naming a
//    missing CID);
//  - the reader's own errors for a malformed stream (kInvalidArgument
//    "truncated section ..." for a CAR cut inside a section).
using CarSink = std::function<bool(std::string_view bytes)>;
Status ReadDagCar(const std::string& what, const Cid& root,
                  const std::function<Status(const CarSink& sink)>& produce,
                  const std::function<Status(const Cid&, ByteView)>& on_block);

}  // namespace ipfs_kit::backends
