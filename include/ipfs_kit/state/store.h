// The daemon's durable state (DESIGN §2, §5): pin requests, the desired
// replication of each CID, locations (which backend holds which CID), backends
// added through the API, replication jobs and health history. One SQLite
// database in WAL mode (`$IPFS_KIT_PATH/state.db`); schema versioned, migrated
// forward on Open. Format: docs/formats/state.md.
//
// Durability: every mutating call is one transaction, committed with
// synchronous=FULL before it returns; an acknowledged pin survives kill -9.
// Invariants the schema enforces: one location row per (cid, backend) (a
// location is never doubled), one policy row per CID.
//
// Thread safety: all methods may be called from any thread (one connection,
// serialized by a mutex; SQLite's WAL lets other processes read meanwhile).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ipfs_kit/base/status.h"

namespace ipfs_kit::state {

// A pin request (the Pinning Service API's "pin status" object). Several
// requests may name the same CID; the CID's replication is the largest asked.
struct PinRecord {
  std::string request_id;  // assigned by AddPins when empty
  std::string cid;
  std::string name;
  std::string origins_json = "[]";  // JSON array of strings
  std::string meta_json = "{}";     // JSON object of string values
  int replication_min = 1;
  int replication_max = 1;
  std::string backends_json = "[]";  // backends asked for (empty: any)
  std::string status = "queued";     // queued | pinning | pinned | failed (of the CID)
  int64_t created_ms = 0;            // assigned by AddPins when 0
  std::string source;                // "api", "spool", "cli"
  std::string idempotency_key;       // optional: AddPins skips a key it has seen
  // Filled by PinsByCid only: pinned locations of the CID, and its size.
  int replicas = 0;
  int64_t size_bytes = 0;
};

// What the daemon wants for one CID, derived from its live pin requests.
struct CidRecord {
  std::string cid;
  int replication_min = 0;  // 0 with no live request: every location is trimmed
  int replication_max = 0;
  std::string backends_json = "[]";
  std::string origins_json = "[]";
  std::string status = "queued";  // queued | pinning | pinned | failed
  std::string error;
  int64_t size_bytes = 0;
  int attempts = 0;
  int64_t next_attempt_ms = 0;
  int64_t updated_ms = 0;
  int64_t mark = 0;  // bumped by every mark for reconcile (see UpdateCid)
};

struct LocationRecord {
  std::string cid;
  std::string backend;
  // pinning | pinned | failed | unexpectedly_unpinned | removing
  std::string state = "pinning";
  int64_t size_bytes = 0;
  int64_t verified_ms = 0;
  int attempts = 0;
  int64_t next_attempt_ms = 0;
  std::string error;
  int64_t updated_ms = 0;
};

// A backend added through the API (config-file backends are not stored).
struct BackendRecord {
  std::string name;
  std::string config_json;  // the BackendConfig as JSON
  int64_t added_ms = 0;
};

struct HealthRecord {
  std::string backend;
  int64_t at_ms = 0;
  std::string state;  // healthy | degraded | unhealthy | unknown
  std::string reason;
  double latency_ms = 0;
  bool ok = false;
  int64_t bytes_used = -1, bytes_free = -1, pin_count = -1;
};

// Filters of the Pinning Service API's GET /pins.
struct PinQuery {
  std::vector<std::string> cids;
  std::string name;
  std::string match = "exact";  // exact | iexact | partial | ipartial
  std::vector<std::string> statuses;
  std::optional<int64_t> before_ms, after_ms;             // created strictly before / after
  std::vector<std::pair<std::string, std::string>> meta;  // every pair must match
  int limit = 10;
};

struct PinPage {
  int64_t count = 0;               // all matches, not just this page
  std::vector<PinRecord> results;  // newest first
};

struct Counts {
  int64_t pins = 0, cids = 0, queued = 0, pinning = 0, pinned = 0, failed = 0;
  int64_t locations = 0, under_replicated = 0;
};

class Store {
 public:
  // Opens (creating and migrating) the database at `path`. kCorruption when
  // the file is not a database or has a newer schema than this build knows.
  static Result<std::unique_ptr<Store>> Open(const std::string& path);
  virtual ~Store() = default;

  virtual int schema_version() = 0;

  // --- pin requests -----------------------------------------------------------
  // Stores requests in ONE transaction (the group commit of the API), updating
  // each CID's policy. Fills request_id/created_ms; a request whose
  // idempotency_key was seen before is not added again and the earlier record
  // is returned in its place.
  virtual Result<std::vector<PinRecord>> AddPins(std::vector<PinRecord> pins) = 0;
  virtual Result<std::optional<PinRecord>> GetPin(const std::string& request_id) = 0;
  // Removes a request; its CID's policy is recomputed (and the CID marked for
  // reconcile). kNotFound when absent.
  virtual Status DeletePin(const std::string& request_id) = 0;
  // Replaces a request by a new one (new request id), in one transaction.
  virtual Result<PinRecord> ReplacePin(const std::string& request_id, PinRecord pin) = 0;
  virtual Result<PinPage> ListPins(const PinQuery& q) = 0;
  // Every request, oldest first, page by page (index publishing, export).
  virtual Status ForEachPin(const std::function<bool(const PinRecord&)>& fn) = 0;
  // Up to `limit` requests after (cid, request_id) in that order, each with
  // its CID's pinned-location count and size (index publishing, streamed).
  virtual Result<std::vector<PinRecord>> PinsByCid(const std::string& after_cid,
                                                   const std::string& after_id, int limit) = 0;

  // --- CIDs (policy and status) -------------------------------------------------
  virtual Result<std::optional<CidRecord>> GetCid(const std::string& cid) = 0;
  // CIDs marked for reconcile whose next attempt is due, oldest mark first.
  virtual Result<std::vector<CidRecord>> DueCids(int64_t now_ms, int limit) = 0;
  // Marks CIDs for reconcile (e.g. every CID on a backend that went unhealthy).
  virtual Status MarkDirty(const std::vector<std::string>& cids) = 0;
  // At start: marks the CIDs a restart must look at again — not settled as
  // pinned, with a location still in motion (a copy or trim the last daemon
  // did not finish) or failed, or with a location on a backend not in
  // `known_backends` (removed while the daemon was down). Settled CIDs stay
  // settled: health transitions mark those whose backends changed.
  virtual Status MarkUnsettled(const std::vector<std::string>& known_backends) = 0;
  // Records the outcome of reconciling a CID: status, error, size, attempts
  // and when to look again (0 with clear_dirty: settled until marked again).
  // `dirty` is cleared only if the row was not marked again since `c` was
  // read (c.mark): a change made meanwhile is never lost.
  virtual Status UpdateCid(const CidRecord& c, bool clear_dirty) = 0;
  // Many outcomes in one transaction (one fsync per reconcile batch).
  virtual Status UpdateCids(const std::vector<std::pair<CidRecord, bool>>& updates) = 0;
  // Drops a CID with no live request and no location left.
  virtual Status DropCidIfUnused(const std::string& cid) = 0;

  // --- locations ------------------------------------------------------------------
  virtual Result<std::vector<LocationRecord>> Locations(const std::string& cid) = 0;
  // Inserts or updates the (cid, backend) row. With `only_if_absent`, an
  // existing row is left alone and false is returned.
  virtual Result<bool> PutLocation(const LocationRecord& l, bool only_if_absent = false) = 0;
  virtual Status DeleteLocation(const std::string& cid, const std::string& backend) = 0;
  virtual Status ForEachLocation(const std::function<bool(const LocationRecord&)>& fn) = 0;
  // Up to `limit` locations after (cid, backend) in that order.
  virtual Result<std::vector<LocationRecord>> LocationsAfter(const std::string& after_cid,
                                                             const std::string& after_backend,
                                                             int limit) = 0;
  virtual Result<std::vector<std::string>> CidsOnBackend(const std::string& backend) = 0;
  // Locations in `state` whose verified_ms is oldest (indexed): the verify
  // loop samples "pinned" ones, GET /replication lists "failed" ones.
  virtual Result<std::vector<LocationRecord>> LocationsInState(const std::string& state,
                                                               int limit) = 0;
  Result<std::vector<LocationRecord>> LeastRecentlyVerified(int limit) {
    return LocationsInState("pinned", limit);
  }
  // Locations per backend: (backend, count, bytes).
  virtual Result<std::vector<std::tuple<std::string, int64_t, int64_t>>> LocationTotals() = 0;

  // --- backends added through the API ---------------------------------------------
  virtual Status PutBackend(const BackendRecord& b) = 0;
  virtual Status DeleteBackend(const std::string& name) = 0;
  virtual Result<std::vector<BackendRecord>> Backends() = 0;

  // --- health history ---------------------------------------------------------------
  // Appends a probe and keeps at most `keep` rows per backend.
  virtual Status AddHealth(const HealthRecord& h, int keep) = 0;
  virtual Result<std::vector<HealthRecord>> Health(const std::string& backend, int limit) = 0;

  virtual Result<Counts> GetCounts() = 0;
};

// Unix time in milliseconds (the store's clock).
int64_t NowMs();
// A new random request id (32 hex digits, from /dev/urandom).
std::string NewRequestId();

}  // namespace ipfs_kit::state
