// Trustless (and browser) HTTP gateway for /ipfs/{cid}[/path] (DESIGN §7,
// issue 5): raw blocks, CARv1 streams with dag-scope / entity-bytes / dups,
// and plain UnixFS responses (file bytes with Range, index.html, directory
// listings). Headers, status codes and limits: docs/gateway.md.
//
// Where blocks come from: a StoreFactory makes, per request, the Blockstore
// that can reach the request's root CID (in ipfs-kit: the local store, then
// the backends the routing index names; client::OpenRoutedBlockstore). Every
// block taken from it is hashed and checked against its CID before use.
// GatewayOptions::local optionally names the store that lives on this
// machine: raw-block requests are then answered from it directly on the
// server thread, and with hash_on_read == false its blocks are served without
// re-hashing (as Kubo does with HashOnRead=false: the client verifies every
// block anyway). Blocks from anywhere else are always verified.
//
// Threading: Handle() is called on a server thread and never blocks it on a
// backend: apart from the local raw-block fast path (one file read) and
// answers that need no block at all (errors, 304, identity CIDs), the work is
// queued to `worker_threads` workers. CAR and large file bodies are
// http::BodyStream bodies produced on a thread of their own (at most
// `max_streams` at once; more get 503), paced by the client, and stopped when
// the client goes away. Memory per response is bounded by the stream buffer,
// one block, the DFS stack and (dups=n) the set of CIDs already sent.
//
// Lifetime: the Gateway must outlive the server that calls Handle (stop the
// server first). Destroying it cancels the bodies still streaming, answers
// queued requests with 503 and joins every thread it started.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/blockstore/blockstore.h"
#include "ipfs_kit/http/message.h"
#include "ipfs_kit/http/server.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::gateway {

// Makes the store a request reads through, given the request's root CID.
// Called on a worker thread, once per request that needs more than the local
// raw-block fast path; the store is used by that request only. An error
// answers 502 (kUnavailable: 504).
using StoreFactory =
    std::function<Result<std::unique_ptr<blockstore::Blockstore>>(const multiformats::Cid& root)>;

struct GatewayOptions {
  // The store on this machine (the repository's `local` flatfs blocks), or
  // nullptr. Not owned; must outlive the Gateway. It is consulted first for
  // every block; the factory's store is made only when a block is not in it.
  blockstore::Blockstore* local = nullptr;
  // false: blocks read from `local` are served as stored (Kubo's default
  // HashOnRead=false); true: they are re-hashed like every other block.
  bool hash_on_read = false;
  // Deepest DAG level walked (CAR export, file streaming, HAMT lookups).
  int max_dag_depth = 256;
  // Blocks larger than this are refused (502), wherever they come from.
  size_t max_block_size = blockstore::kMaxBlockSize;
  int worker_threads = 4;
  // CAR and large-file bodies streaming at once; beyond it: 503.
  int max_streams = 64;
  // Requests waiting for a worker; beyond it: 503.
  size_t max_queued = 4096;
  // Bytes a streaming body may buffer before its producer waits.
  size_t stream_buffer_bytes = 1 << 20;
  // Plain file bodies up to this size are sent whole; larger ones stream.
  size_t inline_file_bytes = 1 << 20;
  // Recently served raw blocks of up to 64 KiB from `local` are kept in
  // memory (with their header strings) up to this many bytes, each for at
  // most raw_cache_ttl_ms: a CID's bytes never change, so an entry is never
  // wrong; the TTL bounds how long a block removed from the local store may
  // still be served. 0 disables it.
  size_t raw_cache_bytes = 32 << 20;
  int raw_cache_ttl_ms = 5000;
  // Entries shown in a directory listing (a HAMT can hold millions).
  size_t max_listing_entries = 10000;
};

class Gateway {
 public:
  Gateway(StoreFactory factory, GatewayOptions options);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Answers one request whose path starts with "/ipfs/" (others get 404).
  // Thread-safe; returns at once, `respond` is called exactly once, possibly
  // later and from another thread.
  void Handle(http::Request request, http::Responder respond);

  // An http::Handler that calls Handle (the Gateway must outlive it).
  http::Handler AsHandler();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ipfs_kit::gateway
