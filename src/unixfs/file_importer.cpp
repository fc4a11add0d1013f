// File import: fixed-size chunking, leaf hashing on a worker pool, and the
// balanced and trickle layouts of go-unixfs (Kubo), which the JS importer
// reproduces. Both layouts pull leaves in order from LeafSource.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "ipfs_kit/dagpb/dag_pb.h"
#include "ipfs_kit/dagpb/proto_wire.h"
#include "ipfs_kit/multiformats/sha.h"
#include "ipfs_kit/unixfs/importer.h"
#include "ipfs_kit/unixfs/unixfs_data.h"
#include "thread_pool.h"

namespace ipfs_kit::unixfs {

using multiformats::Cid;

namespace {

// A finished child of a file node: leaf or internal node.
struct Child {
  Cid cid;
  uint64_t tsize = 0;    // cumulative DAG bytes
  uint64_t content = 0;  // file bytes below it
};

// Reads fixed-size chunks and hashes them into leaf blocks, keeping a bounded
// number in flight so memory does not grow with the file.
class LeafSource {
 public:
  LeafSource(int fd, const ImportOptions& o, blockstore::Blockstore* store, ThreadPool* pool,
             const std::function<void(uint64_t)>& on_bytes)
      : fd_(fd), o_(o), store_(store), pool_(pool), on_bytes_(on_bytes) {
    depth_ = pool_ ? pool_->size() * 2 + 2 : 1;
    struct stat st;
    if (pool_ && ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) {
      // Regular files are read with pread by the workers themselves, so the
      // copy out of the page cache is spread over the cores with the hashing.
      regular_ = true;
      size_ = static_cast<uint64_t>(st.st_size);
      off_t pos = ::lseek(fd_, 0, SEEK_CUR);
      base_ = pos > 0 ? static_cast<uint64_t>(pos) : 0;
      size_ = size_ > base_ ? size_ - base_ : 0;
      chunks_total_ = size_ == 0 ? 1 : (size_ + o_.chunk_size - 1) / o_.chunk_size;
    }
  }

  ~LeafSource() {
    // Wait for in-flight work: tasks reference our buffers.
    for (auto& p : pending_) p.result.wait();
  }

  // True when every leaf has been handed out.
  Result<bool> Done() {
    RETURN_IF_ERROR(Fill());
    return pending_.empty();
  }

  Result<Child> Next() {
    RETURN_IF_ERROR(Fill());
    if (pending_.empty()) return Status::Internal("leaf source exhausted");
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    Result<Child> r = p.result.get();
    Recycle(std::move(p.buffer));
    return r;
  }

 private:
  struct Pending {
    std::shared_ptr<Bytes> buffer;
    std::future<Result<Child>> result;
  };

  std::shared_ptr<Bytes> Buffer() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      auto b = std::move(free_.back());
      free_.pop_back();
      return b;
    }
    return std::make_shared<Bytes>();
  }
  void Recycle(std::shared_ptr<Bytes> b) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(b));
  }

  // Reads up to chunk_size bytes (short only at EOF).
  Result<size_t> ReadChunk(uint8_t* dst) {
    size_t have = 0;
    while (have < o_.chunk_size) {
      ssize_t n = ::read(fd_, dst + have, o_.chunk_size - have);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IOError(std::string("read failed: ") + std::strerror(errno));
      }
      if (n == 0) break;
      have += static_cast<size_t>(n);
    }
    return have;
  }

  Status Fill() {
    if (regular_) return FillParallel();
    while (!eof_ && pending_.size() < depth_) {
      auto buf = Buffer();
      buf->resize(o_.chunk_size);
      ASSIGN_OR_RETURN(size_t n, ReadChunk(buf->data()));
      if (n < o_.chunk_size) eof_ = true;
      // An empty input still makes one (empty) leaf, like Kubo and the JS
      // chunker; a later empty read just ends the file.
      if (n == 0 && chunks_ > 0) {
        Recycle(std::move(buf));
        break;
      }
      ++chunks_;
      total_ += n;
      if (on_bytes_) on_bytes_(total_);
      buf->resize(n);
      auto task = [this, buf]() { return MakeLeaf(*buf); };
      Pending p{buf, {}};
      if (pool_) {
        p.result = pool_->Submit(task);
      } else {
        std::promise<Result<Child>> pr;
        pr.set_value(task());
        p.result = pr.get_future();
      }
      pending_.push_back(std::move(p));
    }
    return Status::Ok();
  }

  Status FillParallel() {
    while (chunks_ < chunks_total_ && pending_.size() < depth_) {
      uint64_t off = chunks_ * o_.chunk_size;
      uint64_t len = std::min<uint64_t>(o_.chunk_size, size_ - std::min(size_, off));
      auto buf = Buffer();
      ++chunks_;
      total_ += len;
      auto task = [this, buf, off, len]() -> Result<Child> {
        buf->resize(len);
        size_t have = 0;
        while (have < len) {
          ssize_t n = ::pread(fd_, buf->data() + have, len - have, base_ + off + have);
          if (n < 0 && errno == EINTR) continue;
          if (n < 0) return Status::IOError(std::string("read failed: ") + std::strerror(errno));
          if (n == 0) return Status::IOError("file shrank while it was being read");
          have += static_cast<size_t>(n);
        }
        return MakeLeaf(*buf);
      };
      pending_.push_back(Pending{buf, pool_->Submit(task)});
      if (on_bytes_) on_bytes_(total_);
    }
    if (chunks_ == chunks_total_) eof_ = true;
    return Status::Ok();
  }

  Result<Child> MakeLeaf(const Bytes& data) const {
    if (o_.raw_leaves) {
      Cid cid = Cid::Sha256(1, multiformats::kCodecRaw, data);
      if (store_) RETURN_IF_ERROR(store_->Put(cid, data));
      return Child{cid, data.size(), data.size()};
    }
    // dag-pb leaf: PBNode{Data: UnixFS{Type, Data, filesize}}. The content is
    // hashed and written in place; only the few framing bytes are built.
    const uint64_t type = o_.layout == Layout::kTrickle ? 0 /*Raw*/ : 2 /*File*/;
    Bytes inner_head;  // Type + Data tag/len
    dagpb::PutTag(inner_head, 1, dagpb::kVarint);
    dagpb::PutVarint(inner_head, type);
    if (!data.empty()) {
      dagpb::PutTag(inner_head, 2, dagpb::kLengthDelimited);
      dagpb::PutVarint(inner_head, data.size());
    }
    Bytes tail;
    dagpb::PutTag(tail, 3, dagpb::kVarint);
    dagpb::PutVarint(tail, data.size());
    size_t inner = inner_head.size() + data.size() + tail.size();
    Bytes head;
    dagpb::PutTag(head, 1, dagpb::kLengthDelimited);
    dagpb::PutVarint(head, inner);
    Append(head, inner_head);
    multiformats::Sha256Hasher h;
    h.Update(head);
    h.Update(data);
    h.Update(tail);
    auto d = h.Finish();
    Cid cid(o_.cid_version, multiformats::kCodecDagPb,
            multiformats::Multihash{multiformats::kSha2_256, Bytes(d.begin(), d.end())});
    size_t block_size = head.size() + data.size() + tail.size();
    if (store_) {
      ByteView parts[3] = {head, data, tail};
      RETURN_IF_ERROR(store_->PutParts(cid, parts));
    }
    return Child{cid, block_size, data.size()};
  }

  int fd_;
  const ImportOptions& o_;
  blockstore::Blockstore* store_;
  ThreadPool* pool_;
  const std::function<void(uint64_t)>& on_bytes_;
  size_t depth_;
  bool eof_ = false;
  bool regular_ = false;
  uint64_t size_ = 0, base_ = 0, chunks_total_ = 0;
  uint64_t chunks_ = 0;
  uint64_t total_ = 0;
  std::deque<Pending> pending_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Bytes>> free_;
};

// An internal file node being filled with children.
class FileNode {
 public:
  size_t count() const { return children_.size(); }
  void Add(const Child& c) {
    // Children with no content (the empty leaf of an empty file) are left
    // out of parents, as in the JS importer; go-unixfs never makes them.
    if (c.content == 0) return;
    children_.push_back(c);
  }
  Result<Child> Commit(const ImportOptions& o, blockstore::Blockstore* store) const {
    UnixfsData d;
    d.type = DataType::kFile;
    uint64_t total = 0;
    for (const auto& c : children_) {
      d.blocksizes.push_back(c.content);
      total += c.content;
    }
    d.filesize = total;
    dagpb::PbNode node;
    uint64_t tsum = 0;
    for (const auto& c : children_) {
      node.links.push_back({c.cid, std::string(), c.tsize});
      tsum += c.tsize;
    }
    node.data = d.Encode();
    Bytes block = dagpb::Encode(node);
    Cid cid = Cid::Sha256(o.cid_version, multiformats::kCodecDagPb, block);
    if (store) RETURN_IF_ERROR(store->Put(cid, block));
    return Child{cid, block.size() + tsum, total};
  }

 private:
  std::vector<Child> children_;
};

class Builder {
 public:
  Builder(LeafSource& src, const ImportOptions& o, blockstore::Blockstore* store)
      : src_(src), o_(o), store_(store) {}

  // go-unixfs balanced.Layout: grow the tree one full level at a time; the
  // first subtree of each new root is the previous (full) root.
  Result<Child> Balanced() {
    ASSIGN_OR_RETURN(Child root, src_.Next());
    ASSIGN_OR_RETURN(bool done, src_.Done());
    if (done) return root;  // a single leaf is the file
    for (int depth = 1; !done; ++depth) {
      FileNode node;
      node.Add(root);
      size_t added = 1;
      RETURN_IF_ERROR(FillBalanced(node, added, depth));
      ASSIGN_OR_RETURN(root, node.Commit(o_, store_));
      ASSIGN_OR_RETURN(done, src_.Done());
    }
    return root;
  }

  // go-unixfs trickle.Layout.
  Result<Child> Trickle() {
    FileNode root;
    RETURN_IF_ERROR(FillTrickle(root, -1));
    return root.Commit(o_, store_);
  }

 private:
  Status FillBalanced(FileNode& node, size_t& added, int depth) {
    for (;;) {
      if (added >= o_.max_links) return Status::Ok();
      ASSIGN_OR_RETURN(bool done, src_.Done());
      if (done) return Status::Ok();
      if (depth == 1) {
        ASSIGN_OR_RETURN(Child leaf, src_.Next());
        node.Add(leaf);
      } else {
        FileNode child;
        size_t child_added = 0;
        RETURN_IF_ERROR(FillBalanced(child, child_added, depth - 1));
        ASSIGN_OR_RETURN(Child c, child.Commit(o_, store_));
        node.Add(c);
      }
      ++added;
    }
  }

  Status FillTrickle(FileNode& node, int max_depth) {
    // FillNodeLayer: leaves directly under this node.
    size_t added = 0;
    for (;;) {
      if (added >= o_.max_links) break;
      ASSIGN_OR_RETURN(bool done, src_.Done());
      if (done) break;
      ASSIGN_OR_RETURN(Child leaf, src_.Next());
      node.Add(leaf);
      ++added;
    }
    constexpr int kDepthRepeat = 4;
    for (int depth = 1; max_depth == -1 || depth < max_depth; ++depth) {
      ASSIGN_OR_RETURN(bool done, src_.Done());
      if (done) break;
      for (int rep = 0; rep < kDepthRepeat; ++rep) {
        ASSIGN_OR_RETURN(bool d2, src_.Done());
        if (d2) break;
        FileNode child;
        RETURN_IF_ERROR(FillTrickle(child, depth));
        ASSIGN_OR_RETURN(Child c, child.Commit(o_, store_));
        node.Add(c);
      }
    }
    return Status::Ok();
  }

  LeafSource& src_;
  const ImportOptions& o_;
  blockstore::Blockstore* store_;
};

unsigned HashThreads(const ImportOptions& o) {
  if (o.hash_threads > 0) return o.hash_threads;
  unsigned n = std::thread::hardware_concurrency();
  return std::clamp(n, 1u, 4u);
}

}  // namespace

Result<FileResult> ImportFile(int fd, const ImportOptions& options, blockstore::Blockstore* store,
                              const std::function<void(uint64_t)>& on_bytes) {
  RETURN_IF_ERROR(ValidateOptions(options));
  unsigned threads = HashThreads(options);
  std::optional<ThreadPool> pool;
  if (threads > 1) pool.emplace(threads);
  Result<Child> root = Status::Internal("unset");
  {
    LeafSource src(fd, options, store, pool ? &*pool : nullptr, on_bytes);
    Builder b(src, options, store);
    root = options.layout == Layout::kTrickle ? b.Trickle() : b.Balanced();
  }
  if (!root.ok()) return root.status();
  return FileResult{root->cid, root->tsize, root->content};
}

Result<uint64_t> ParseChunker(std::string_view spec) {
  if (spec.rfind("size-", 0) != 0) {
    return Status::InvalidArgument("unsupported chunker \"" + std::string(spec) +
                                   "\" (supported: size-N)");
  }
  std::string_view num = spec.substr(5);
  if (num.empty() || num.size() > 9 ||
      !std::all_of(num.begin(), num.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument("chunker size in \"" + std::string(spec) + "\" is not a number");
  }
  uint64_t n = std::stoull(std::string(num));
  if (n == 0) return Status::InvalidArgument("chunker size must be at least 1");
  if (n > kMaxChunkSize) {
    return Status::InvalidArgument("chunker size " + std::to_string(n) +
                                   " exceeds the maximum of 1048576 bytes");
  }
  return n;
}

Status ValidateOptions(const ImportOptions& o) {
  if (o.cid_version != 0 && o.cid_version != 1) {
    return Status::InvalidArgument("cid-version must be 0 or 1");
  }
  if (o.chunk_size == 0 || o.chunk_size > kMaxChunkSize) {
    return Status::InvalidArgument("chunk size must be between 1 and 1048576 bytes");
  }
  if (o.max_links < 2) return Status::InvalidArgument("max links per node must be at least 2");
  return Status::Ok();
}

Result<ImportOptions> ProfileOptions(std::string_view name) {
  ImportOptions o;
  if (name == "unixfs-v0-2015") {
    o.cid_version = 0;
    o.raw_leaves = false;
    o.chunk_size = 262144;
    o.max_links = 174;
    o.shard_strategy = ShardStrategy::kLinksBytes;
    return o;
  }
  if (name == "unixfs-v1-2025") {
    o.cid_version = 1;
    o.raw_leaves = true;
    o.chunk_size = 1048576;
    o.max_links = 1024;
    o.shard_strategy = ShardStrategy::kBlockBytes;
    return o;
  }
  return Status::InvalidArgument("unknown profile \"" + std::string(name) +
                                 "\" (known: unixfs-v0-2015, unixfs-v1-2025)");
}

}  // namespace ipfs_kit::unixfs
