// Internal: writes a CARv1 response (header, path blocks, then the terminal
// entity per dag-scope / entity-bytes) to a sink as blocks are fetched.
// Order is always DFS pre-order (which also satisfies order=unk); with
// dups=n each CID is written once, tracked in a set for the response's
// lifetime (the only state that grows with the DAG).
#pragma once

#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "block_source.h"
#include "dag_node.h"
#include "ipfs_kit/gateway/request.h"

namespace ipfs_kit::gateway {

class CarStreamer {
 public:
  // Receives the body in chunks; returns false once the client has gone.
  using Sink = std::function<bool(std::string chunk)>;

  CarStreamer(BlockSource& source, const CarParams& params, int max_depth, Sink sink,
              size_t flush_bytes = 64 << 10);

  Status WriteHeader(const std::vector<multiformats::Cid>& roots);
  // One block, skipped when dups=n and already written. Identity CIDs are
  // never written (their data is in the CID).
  Status WriteBlock(const multiformats::Cid& cid, ByteView data);
  // The terminal entity: the block (dag-scope=block), the file's blocks (all
  // of them, or those holding entity-bytes) or a HAMT's shards
  // (dag-scope=entity), or the whole DAG below it (dag-scope=all; dag-pb and
  // raw only, another codec below a dag-pb node is kUnsupported).
  Status WriteEntity(const DagNode& terminal);
  // Sends what is buffered.
  Status Finish();

  // kUnavailable from the sink's refusal: the client is gone.
  static bool IsClientGone(const Status& s);

 private:
  Status WriteAll(const DagNode& terminal);
  Status WriteShards(const DagNode& terminal);
  Status WriteFileRange(const DagNode& terminal);
  Status Flush();

  BlockSource& source_;
  CarParams params_;
  int max_depth_;
  Sink sink_;
  size_t flush_bytes_;
  std::string out_;
  std::unordered_set<std::string> seen_;  // binary CIDs written (dups=n)
};

}  // namespace ipfs_kit::gateway
