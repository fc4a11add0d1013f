// WalkDag and CopyDag: whole-DAG operations over any Backend; ReadDagCar:
// the reading side of Backend::ExportCar.
//
// Both walks use the traversal of `ipfs dag export` (see
// src/car/export_dag.cpp): depth-first, links in order, each CID visited
// once, with an explicit stack so a deep DAG cannot overflow the C++ stack.
// Only dag-pb nodes have links (raw leaves have none); any other codec is
// refused rather than silently treated as a leaf, since skipping its links
// would copy an incomplete DAG.
//
// A DAG that arrives as a CAR (ExportCar) is held to the same standard: the
// CAR is read as it streams in, every block re-hashed by car::CarReader, and
// DagTracker checks that each block is linked from one before it and that
// nothing linked is missing at the end, so a CAR can neither slip foreign
// blocks in nor leave part of the DAG out.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "ipfs_kit/backends/backend.h"
#include "ipfs_kit/car/car.h"
#include "ipfs_kit/dagpb/dag_pb.h"
#include "ipfs_kit/multiformats/varint.h"

namespace ipfs_kit::backends {
namespace {

using multiformats::kCodecDagPb;
using multiformats::kCodecRaw;
using multiformats::kIdentity;

std::string CodecText(uint64_t codec) {
  std::string name(multiformats::CodecName(codec));
  if (!name.empty()) return name;
  char hex[24];
  std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(codec));
  return hex;
}

// Called once per non-identity CID in DFS pre-order. Returns false to stop
// the walk; for a dag-pb CID it must leave the block's verified bytes in
// *block so the links can be followed.
using Visit = std::function<Result<bool>(const Cid& cid, Bytes* block)>;

Status Traverse(const Cid& root, const Visit& visit) {
  std::vector<Cid> stack{root};
  // Keyed by the full CID, as go-car's export: the same bytes under a v0
  // and a v1 CID are two entries (a block store keeps them once anyway).
  std::unordered_set<Cid> seen;
  while (!stack.empty()) {
    Cid cid = std::move(stack.back());
    stack.pop_back();
    if (!seen.insert(cid).second) continue;
    if (cid.codec() != kCodecDagPb && cid.codec() != kCodecRaw) {
      return Status::Unsupported("block " + cid.ToString() + " has codec " +
                                 CodecText(cid.codec()) +
                                 "; only dag-pb and raw DAGs can be walked");
    }
    Bytes block;
    if (cid.hash().code == kIdentity) {
      // Inline data is never stored or visited, but an inline dag-pb node
      // can still link to stored blocks.
      block = cid.hash().digest;
    } else {
      ASSIGN_OR_RETURN(bool go_on, visit(cid, &block));
      if (!go_on) return Status::Ok();
    }
    if (cid.codec() == kCodecRaw) continue;
    Result<dagpb::PbNodeView> node = dagpb::DecodeView(block);
    if (!node.ok()) {
      return Status::Corruption("block " + cid.ToString() +
                                " is not valid dag-pb: " + node.status().message());
    }
    for (auto it = node->links.rbegin(); it != node->links.rend(); ++it) {
      stack.push_back(it->hash);
    }
  }
  return Status::Ok();
}

bool Walkable(const Cid& cid) { return cid.codec() == kCodecDagPb || cid.codec() == kCodecRaw; }

// Checks a stream of blocks against the DAG they claim to be. Every link of
// a block received (and the root) makes its target wanted; a block must be
// wanted, or be one received before (a duplicate). Each link is also one
// section's worth of budget: a gateway may repeat a block wherever it is
// linked (dups=y), but no more often, so a stream cannot go on forever.
// Keyed by the full CID, as Traverse.
class DagTracker {
 public:
  explicit DagTracker(std::string what) : what_(std::move(what)) {}

  // One link to `cid` (or the root). Inline (identity) nodes are expanded
  // here, since nothing is stored for them.
  Status Link(const Cid& cid) {
    std::vector<Cid> stack{cid};
    while (!stack.empty()) {
      Cid c = std::move(stack.back());
      stack.pop_back();
      ++budget_;
      if (c.hash().code != kIdentity) {
        if (!received_.contains(c)) wanted_.insert(std::move(c));
        continue;
      }
      RETURN_IF_ERROR(CheckCodec(c));
      if (c.codec() == kCodecRaw) continue;
      ASSIGN_OR_RETURN(dagpb::PbNodeView node, Decode(c, c.hash().digest));
      for (const auto& link : node.links) stack.push_back(link.hash);
    }
    return Status::Ok();
  }

  // One block of the stream, verified by the reader. Returns whether it is
  // new (to be handed on); a duplicate or an inline block is not.
  Result<bool> Take(const Cid& cid, ByteView data) {
    if (budget_ == 0) {
      return Status::Corruption("CAR " + what_ + ": block " + cid.ToString() +
                                " is one more than the DAG's links account for");
    }
    --budget_;
    // Inline data: its links were followed when it was linked.
    if (cid.hash().code == kIdentity) return false;
    bool fresh = wanted_.erase(cid) > 0;
    if (!fresh && !received_.contains(cid)) {
      return Status::Corruption("CAR " + what_ + ": block " + cid.ToString() +
                                " is not linked from any block before it (not part of the DAG)");
    }
    if (fresh) received_.insert(cid);
    RETURN_IF_ERROR(CheckCodec(cid));
    if (cid.codec() == kCodecDagPb) {
      ASSIGN_OR_RETURN(dagpb::PbNodeView node, Decode(cid, data));
      for (const auto& link : node.links) RETURN_IF_ERROR(Link(link.hash));
    }
    return fresh;
  }

  // At the end of the stream: everything linked has arrived.
  Status Finish() const {
    if (wanted_.empty()) return Status::Ok();
    return Status::NotFound("CAR " + what_ + " ends without block " + wanted_.begin()->ToString() +
                            " of the DAG (" + std::to_string(wanted_.size()) + " blocks missing)");
  }

 private:
  Status CheckCodec(const Cid& cid) const {
    if (Walkable(cid)) return Status::Ok();
    return Status::Unsupported("CAR " + what_ + ": block " + cid.ToString() + " has codec " +
                               CodecText(cid.codec()) + "; only dag-pb and raw DAGs can be walked");
  }
  Result<dagpb::PbNodeView> Decode(const Cid& cid, ByteView data) const {
    Result<dagpb::PbNodeView> node = dagpb::DecodeView(data);
    if (!node.ok()) {
      return Status::Corruption("CAR " + what_ + ": block " + cid.ToString() +
                                " is not valid dag-pb: " + node.status().message());
    }
    return node;
  }

  std::string what_;
  std::unordered_set<Cid> wanted_;    // linked, not yet received
  std::unordered_set<Cid> received_;  // handed on
  uint64_t budget_ = 0;               // sections the links seen so far allow
};

// The reading half of ReadDagCar, on the calling thread.
Status ReadDag(FILE* in, const std::string& what, const Cid& root,
               const std::function<Status(const Cid&, ByteView)>& on_block) {
  Result<std::unique_ptr<car::CarReader>> reader = car::CarReader::FromFile(in, what);
  if (!reader.ok()) {
    return Status::Unsupported(reader.status().message() + " (the answer is not a CAR)");
  }
  const std::vector<Cid>& roots = (*reader)->roots();
  if (roots.size() != 1 || roots[0].ToV1() != root.ToV1()) {
    std::string listed;
    for (const Cid& r : roots) listed += (listed.empty() ? "" : ", ") + r.ToString();
    return Status::Corruption("CAR " + what + ": its roots are [" + listed + "], expected [" +
                              root.ToString() + "]");
  }
  DagTracker tracker(what);
  // The CAR's own spelling of the root (v0 or v1) is how its blocks name it.
  RETURN_IF_ERROR(tracker.Link(roots[0]));
  car::Block block;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, (*reader)->Next(&block));
    if (!more) break;
    ASSIGN_OR_RETURN(bool fresh, tracker.Take(block.cid, block.data));
    if (fresh) RETURN_IF_ERROR(on_block(block.cid, block.data));
  }
  return tracker.Finish();
}

// CopyDag's way of storing blocks on the destination: one Put each, or
// gathered into CAR files of about kCarBatchBytes for ImportCar (a request
// per batch instead of per block). Stats count a block once it is stored.
class BlockSender {
 public:
  // Big enough that a request's overhead does not matter, small enough to
  // hold in memory (plus one block) and to send within one HTTP timeout.
  static constexpr size_t kCarBatchBytes = 8 << 20;

  BlockSender(Backend& to, const Cid& root, CopyStats& stats, bool use_car)
      : to_(to), root_(root), stats_(stats), use_car_(use_car) {}

  Status Send(const Cid& cid, ByteView data) {
    if (!use_car_) {
      RETURN_IF_ERROR(to_.Put(cid, data));
      ++stats_.blocks;
      stats_.bytes += data.size();
      return Status::Ok();
    }
    // A CAR v1 section: varint(len(CID) + len(data)), CID, data.
    if (car_.empty()) car_ = car::EncodeHeaderV1({root_});
    multiformats::AppendUvarint(car_, cid.ByteLength() + data.size());
    cid.AppendTo(car_);
    pending_.push_back({cid, car_.size(), data.size()});
    Append(car_, data);
    if (car_.size() >= kCarBatchBytes) return Flush();
    return Status::Ok();
  }

  // Sends what is gathered; call once more after the last Send.
  Status Flush() {
    if (pending_.empty()) return Status::Ok();
    Status st = to_.ImportCar(AsString(car_));
    if (st.code() == StatusCode::kUnsupported) {
      // The destination takes no CARs after all (a node without dag/import):
      // one Put each, for this batch and the rest of the copy.
      use_car_ = false;
      for (const Pending& p : pending_) {
        RETURN_IF_ERROR(to_.Put(p.cid, ByteView(car_).subspan(p.at, p.size)));
      }
    } else {
      RETURN_IF_ERROR(st);
    }
    for (const Pending& p : pending_) {
      ++stats_.blocks;
      stats_.bytes += p.size;
    }
    pending_.clear();
    car_.clear();
    return Status::Ok();
  }

 private:
  struct Pending {
    Cid cid;
    size_t at;  // the block's bytes in car_
    size_t size;
  };
  Backend& to_;
  const Cid& root_;
  CopyStats& stats_;
  bool use_car_;
  Bytes car_;
  std::vector<Pending> pending_;
};

}  // namespace

Status ReadDagCar(const std::string& what, const Cid& root,
                  const std::function<Status(const CarSink& sink)>& produce,
                  const std::function<Status(const Cid&, ByteView)>& on_block) {
  // The transfer pushes bytes (curl's write callback) while CarReader pulls
  // them from a FILE; a socket pair between two threads joins the two, with
  // the kernel's buffer as the only buffer and a full one holding the
  // transfer back. Closing the reading end makes the writer's next send fail
  // (EPIPE, no SIGPIPE with MSG_NOSIGNAL), which stops the transfer.
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return Status::IOError("CAR " + what + ": socketpair: " + std::strerror(errno));
  }
  FILE* in = ::fdopen(fds[0], "rb");
  if (in == nullptr) {
    int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return Status::IOError("CAR " + what + ": fdopen: " + std::strerror(err));
  }
  std::atomic<bool> refused{false};
  Status produced;
  std::thread producer([&, out = fds[1]] {
    CarSink sink = [&](std::string_view bytes) {
      while (!bytes.empty()) {
        ssize_t n = ::send(out, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          refused = true;
          return false;
        }
        bytes.remove_prefix(static_cast<size_t>(n));
      }
      return true;
    };
    produced = produce(sink);
    ::close(out);  // the reader's end of file
  });
  Status read = ReadDag(in, what, root, on_block);
  std::fclose(in);
  producer.join();
  // A transfer that failed by itself (an HTTP error, a cut connection) says
  // more than what the reader made of the bytes it got; one that failed
  // because the reader stopped does not.
  if (!produced.ok() && !refused.load()) return produced;
  return read;
}

Status WalkDag(Backend& backend, const Cid& root,
               const std::function<bool(const Cid&, const Bytes&)>& fn) {
  return Traverse(root, [&](const Cid& cid, Bytes* block) -> Result<bool> {
    ASSIGN_OR_RETURN(*block, GetVerified(backend, cid));
    return fn(cid, *block);
  });
}

Status CopyDag(Backend& from, Backend& to, const Cid& root, const PinRequest& request,
               CopyStats* stats) {
  CopyStats local;
  CopyStats& s = stats ? *stats : local;
  s = CopyStats{};
  const std::string what =
      "copy " + root.ToString() + " from backend " + from.name() + " to backend " + to.name();
  Capabilities caps = to.capabilities();
  if (caps.fetches_itself) {
    // The service pulls the DAG from the origins itself; sending blocks
    // would be wasted (it has no block API).
    return to.Pin(root, request).WithContext(what);
  }
  if (caps.read_only || !caps.stores_blocks) {
    return Status::Unsupported(what + ": backend " + to.name() + " (" + to.type() +
                               ") does not store blocks");
  }
  // Already pinned there (a copy resumed after a crash, a repeated job):
  // nothing to send.
  if (auto st = to.PinStatus(root); st.ok() && st->state == PinState::kPinned && !caps.cheap_has) {
    return Status::Ok();
  }
  // Whether `to` already holds a good copy of the block (asked only where
  // Has is cheap). A raw leaf has no links: presence is all we need. A
  // present dag-pb node is read back verified, so that a damaged copy is
  // replaced; *mine gets its bytes (the walk follows its links from there,
  // which keeps the traffic local).
  auto present = [&](const Cid& cid, Bytes* mine) -> Result<bool> {
    if (!caps.cheap_has) return false;
    ASSIGN_OR_RETURN(bool has, to.Has(cid));
    if (!has) return false;
    if (cid.codec() == kCodecRaw) return true;
    Result<Bytes> bytes = GetVerified(to, cid);
    if (bytes.ok()) {
      *mine = std::move(bytes).value();
      return true;
    }
    if (bytes.status().code() != StatusCode::kCorruption &&
        bytes.status().code() != StatusCode::kNotFound) {
      return bytes.status();
    }
    return false;
  };
  BlockSender sender(to, root, s, caps.car_import);

  // The whole DAG in one request where the source can export it. Blocks
  // come in the same order and are skipped or sent exactly as below, so
  // the outcome and the stats are those of the walk.
  bool copied = false;
  if (from.capabilities().car_export && root.hash().code != kIdentity) {
    bool delivered = false;
    Bytes scratch;
    Status st = from.ExportCar(root, [&](const Cid& cid, ByteView data) -> Status {
      delivered = true;
      ASSIGN_OR_RETURN(bool have, present(cid, &scratch));
      if (have) {
        ++s.skipped;
        return Status::Ok();
      }
      return sender.Send(cid, data);
    });
    if (st.ok()) {
      copied = true;
    } else if (st.code() != StatusCode::kUnsupported || delivered) {
      return st.WithContext(what);
    }
    // kUnsupported before any block (a gateway without CAR support, a node
    // without dag/export): read block by block instead.
  }
  if (!copied) {
    Status st = Traverse(root, [&](const Cid& cid, Bytes* block) -> Result<bool> {
      ASSIGN_OR_RETURN(bool have, present(cid, block));
      if (have) {
        ++s.skipped;
        return true;
      }
      ASSIGN_OR_RETURN(*block, GetVerified(from, cid));
      RETURN_IF_ERROR(sender.Send(cid, *block));
      return true;
    });
    if (!st.ok()) return st.WithContext(what);
  }
  RETURN_IF_ERROR(sender.Flush().WithContext(what));
  return to.Pin(root, request).WithContext(what);
}

}  // namespace ipfs_kit::backends
