#include "car_streamer.h"

#include "file_walk.h"
#include "ipfs_kit/car/car.h"
#include "ipfs_kit/multiformats/varint.h"

namespace ipfs_kit::gateway {

using multiformats::Cid;

namespace {

constexpr std::string_view kClientGone = "client went away";

}  // namespace

CarStreamer::CarStreamer(BlockSource& source, const CarParams& params, int max_depth, Sink sink,
                         size_t flush_bytes)
    : source_(source),
      params_(params),
      max_depth_(max_depth),
      sink_(std::move(sink)),
      flush_bytes_(flush_bytes) {}

bool CarStreamer::IsClientGone(const Status& s) {
  return s.code() == StatusCode::kUnavailable && s.message() == kClientGone;
}

Status CarStreamer::Flush() {
  if (out_.empty()) return Status::Ok();
  std::string chunk;
  chunk.swap(out_);
  if (!sink_(std::move(chunk))) return Status::Unavailable(std::string(kClientGone));
  return Status::Ok();
}

Status CarStreamer::WriteHeader(const std::vector<Cid>& roots) {
  Bytes h = car::EncodeHeaderV1(roots);
  out_.append(AsString(h));
  return Status::Ok();
}

Status CarStreamer::WriteBlock(const Cid& cid, ByteView data) {
  if (cid.hash().code == multiformats::kIdentity) return Status::Ok();
  Bytes prefix;
  cid.AppendTo(prefix);
  if (!params_.dups) {
    if (!seen_.emplace(AsString(prefix)).second) return Status::Ok();
  }
  Bytes len;
  multiformats::AppendUvarint(len, prefix.size() + data.size());
  out_.append(AsString(len));
  out_.append(AsString(prefix));
  out_.append(AsString(data));
  if (out_.size() >= flush_bytes_) return Flush();
  return Status::Ok();
}

Status CarStreamer::Finish() { return Flush(); }

Status CarStreamer::WriteEntity(const DagNode& terminal) {
  switch (params_.scope) {
    case DagScope::kBlock:
      return WriteBlock(terminal.cid, terminal.block);
    case DagScope::kAll:
      return WriteAll(terminal);
    case DagScope::kEntity:
      break;
  }
  switch (terminal.kind) {
    case NodeKind::kFile:
      if (params_.entity_bytes) return WriteFileRange(terminal);
      return WriteAll(terminal);
    case NodeKind::kHamtShard:
      return WriteShards(terminal);
    default:
      return WriteBlock(terminal.cid, terminal.block);
  }
}

Status CarStreamer::WriteFileRange(const DagNode& terminal) {
  const uint64_t size = terminal.FileSize();
  const EntityBytes& eb = *params_.entity_bytes;
  // Resolve negative and open ends against the size (both inclusive).
  int64_t from = eb.from, to = eb.to ? *eb.to : static_cast<int64_t>(size) - 1;
  if (from < 0) from = std::max<int64_t>(0, static_cast<int64_t>(size) + from);
  if (to < 0) to = static_cast<int64_t>(size) + to;
  if (size == 0 || static_cast<uint64_t>(from) >= size || to < from) {
    // Nothing of the entity in range: the spec's answer is dag-scope=block.
    return WriteBlock(terminal.cid, terminal.block);
  }
  uint64_t end = std::min<uint64_t>(static_cast<uint64_t>(to) + 1, size);
  return WalkFileRange(source_, terminal, static_cast<uint64_t>(from), end, max_depth_,
                       [this](const DagNode& n, uint64_t) { return WriteBlock(n.cid, n.block); });
}

Status CarStreamer::WriteShards(const DagNode& terminal) {
  RETURN_IF_ERROR(WriteBlock(terminal.cid, terminal.block));
  struct Pending {
    Cid cid;
    int depth;
  };
  std::vector<Pending> stack;
  auto push_subshards = [&stack](const DagNode& n, int depth) {
    for (auto it = n.pb.links.rbegin(); it != n.pb.links.rend(); ++it) {
      if (it->name && it->name->size() == 2) stack.push_back({it->hash, depth + 1});
    }
  };
  push_subshards(terminal, 0);
  while (!stack.empty()) {
    Pending p = std::move(stack.back());
    stack.pop_back();
    if (p.depth > max_depth_) return Status::Corruption("HAMT deeper than the limit");
    ASSIGN_OR_RETURN(Bytes b, source_.Get(p.cid));
    ASSIGN_OR_RETURN(DagNode n, DecodeDagNode(p.cid, std::move(b)));
    if (n.kind != NodeKind::kHamtShard) {
      return Status::Corruption("HAMT link " + p.cid.ToString() + " is not a shard");
    }
    RETURN_IF_ERROR(WriteBlock(n.cid, n.block));
    push_subshards(n, p.depth);
  }
  return Status::Ok();
}

Status CarStreamer::WriteAll(const DagNode& terminal) {
  struct Pending {
    Cid cid;
    int depth;
  };
  std::vector<Pending> stack;
  auto visit = [&](const Cid& cid, ByteView block, int depth) -> Status {
    RETURN_IF_ERROR(WriteBlock(cid, block));
    if (cid.codec() == multiformats::kCodecRaw) return Status::Ok();
    if (cid.codec() != multiformats::kCodecDagPb) {
      return Status::Unsupported("block " + cid.ToString() + " has codec " +
                                 std::string(multiformats::CodecName(cid.codec())) +
                                 "; only dag-pb and raw DAGs can be walked");
    }
    auto pb = dagpb::DecodeView(block);
    if (!pb.ok()) {
      return Status::Corruption("block " + cid.ToString() +
                                " is not valid dag-pb: " + pb.status().message());
    }
    for (auto it = pb->links.rbegin(); it != pb->links.rend(); ++it) {
      stack.push_back({it->hash, depth + 1});
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(visit(terminal.cid, terminal.block, 0));
  while (!stack.empty()) {
    Pending p = std::move(stack.back());
    stack.pop_back();
    if (p.cid.hash().code == multiformats::kIdentity) continue;
    if (p.depth > max_depth_) return Status::Corruption("DAG deeper than the limit");
    if (!params_.dups) {
      Bytes key;
      p.cid.AppendTo(key);
      // Already written: so was everything below it.
      if (seen_.count(std::string(AsString(key))) != 0) continue;
    }
    ASSIGN_OR_RETURN(Bytes b, source_.Get(p.cid));
    RETURN_IF_ERROR(visit(p.cid, b, p.depth));
  }
  return Status::Ok();
}

}  // namespace ipfs_kit::gateway
