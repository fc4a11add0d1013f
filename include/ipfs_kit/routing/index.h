// The routing index: three Parquet files the daemon publishes and every
// client reads directly (DESIGN §6). Format: docs/formats/routing-index.md.
//
//   $IPFS_KIT_PATH/index/manifest.json         {"generation": N, "files": {...}}
//   $IPFS_KIT_PATH/index/pins-<N>.parquet       sorted by cid
//   $IPFS_KIT_PATH/index/locations-<N>.parquet  sorted by cid (then backend)
//   $IPFS_KIT_PATH/index/backends-<N>.parquet   sorted by name
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ipfs_kit/base/status.h"

namespace ipfs_kit::routing {

struct PinRow {
  std::string cid;
  std::optional<std::string> name;
  int64_t size_bytes = 0;
  std::string pin_type = "recursive";  // recursive | direct
  std::string status = "queued";       // queued | pinning | pinned | failed
  int32_t replication_min = 1;
  int32_t replication_max = 1;
  int32_t replicas = 0;
  int64_t created_at_ms = 0;  // unix milliseconds, UTC
  int64_t updated_at_ms = 0;
};

struct LocationRow {
  std::string cid;
  std::string backend;
  std::string state = "pinned";  // pinning | pinned | failed | unexpectedly_unpinned
  int64_t size_bytes = 0;
  std::optional<int64_t> verified_at_ms;
};

struct BackendRow {
  std::string name;
  std::string type;               // local | s3 | kubo | gateway | pinning-service | ipfs-cluster
  std::string state = "unknown";  // healthy | degraded | unhealthy | unknown
  std::optional<std::string> reason;
  double latency_ms_p50 = 0;
  double latency_ms_p99 = 0;
  double error_rate = 0;
  int64_t bytes_used = 0;
  int64_t bytes_free = 0;
  int64_t pin_count = 0;
  int32_t priority = 0;  // higher is preferred
  int64_t checked_at_ms = 0;
};

struct IndexWriterOptions {
  size_t rows_per_group = 32768;
  double bloom_fpp = 0.02;
  // Generations kept besides the newest, so readers that read an older
  // manifest can still open its files.
  int keep_generations = 2;
};

// Publishes whole generations atomically: the three files are written under
// new names and fsynced, then the manifest is replaced by rename (and the
// directory fsynced). A reader sees either the old or the new generation.
// One writer per index directory (the daemon holds the repository lock).
class IndexWriter {
 public:
  IndexWriter(std::string index_dir, IndexWriterOptions options = {});
  // Sorts (copies of) the rows and publishes generation current+1. Returns it.
  Result<uint64_t> Publish(std::vector<PinRow> pins, std::vector<LocationRow> locations,
                           std::vector<BackendRow> backends);

  // The same, streaming: rows are pulled a batch at a time, already sorted
  // (pins by cid, locations by cid then backend), so memory stays about one
  // row group whatever the index size. A source appends its next rows to
  // *out and returns false once it has none left. Rows out of order are
  // kInvalidArgument and nothing is published.
  using PinSource = std::function<Result<bool>(std::vector<PinRow>* out)>;
  using LocationSource = std::function<Result<bool>(std::vector<LocationRow>* out)>;
  Result<uint64_t> PublishSorted(const PinSource& pins, const LocationSource& locations,
                                 std::vector<BackendRow> backends);

 private:
  std::string dir_;
  IndexWriterOptions o_;
};

// A location of a CID joined with its backend's health, as lookup returns it.
struct Route {
  LocationRow location;
  // The backend's row in the same generation (shares that generation's
  // memory; null if the backend is not in the index).
  std::shared_ptr<const BackendRow> backend;
};

struct BackendStats {
  BackendRow backend;
  int64_t pins = 0;   // locations in the index on this backend
  int64_t bytes = 0;  // their size_bytes
};

// Reads the newest generation; notices newer ones (checked at most every
// `recheck_ms`) and switches to them without blocking lookups in progress.
// Thread-safe. Never contacts the daemon.
class RouteReader {
 public:
  struct Options {
    int recheck_ms = 200;
    // Decoded row groups kept per file; 0 keeps every group once decoded
    // (long-lived readers: the daemon, the MCP server, benchmarks).
    size_t cached_groups = 0;
  };
  static Result<std::unique_ptr<RouteReader>> Open(const std::string& index_dir, Options options);
  static Result<std::unique_ptr<RouteReader>> Open(const std::string& index_dir) {
    return Open(index_dir, Options{});
  }
  ~RouteReader();

  uint64_t generation() const;
  // Locations of `cid` (exact string match on the CID text), best first:
  // locations in state "pinned" before others, then healthy backends, then
  // lower p50 latency, then higher priority.
  Result<std::vector<Route>> Lookup(const std::string& cid);
  Result<std::optional<PinRow>> GetPin(const std::string& cid);
  // Backends a new pin of `size` bytes would go to: healthy, bytes_free >=
  // size, fewest pins, then fewest bytes used, then higher priority.
  Result<std::vector<BackendRow>> Suggest(int64_t size, size_t n);
  Result<std::vector<BackendStats>> Stats();

 private:
  struct Impl;
  explicit RouteReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes a synthetic index (for tests and benchmarks): `pins` pins with about
// `locations_per_pin` locations each over `backends` backends; deterministic
// for a seed.
Result<uint64_t> GenerateSyntheticIndex(const std::string& index_dir, size_t pins,
                                        size_t locations_per_pin, size_t backends, uint32_t seed,
                                        IndexWriterOptions options = {});

}  // namespace ipfs_kit::routing
