// Gateway: request → (fast path | worker) → response, headers per the
// path-gateway and trustless-gateway specs (docs/gateway.md).
//
// Why the split: a raw block in the local store is one file read, cheaper
// than a thread hop, so it is answered on the server thread (that is what
// makes raw-block requests/s comparable with nginx serving the same files).
// Everything that may touch a backend (the factory's store) runs on a
// worker; bodies that are produced while sent (CAR, large files) get a thread
// of their own so a slow client never holds a worker.
#include "ipfs_kit/gateway/gateway.h"

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "block_source.h"
#include "car_streamer.h"
#include "dag_node.h"
#include "dir_listing.h"
#include "file_walk.h"
#include "ipfs_kit/base/worker_pool.h"
#include "ipfs_kit/gateway/request.h"
#include "path_resolver.h"
#include "raw_block_cache.h"
#include "response_headers.h"

namespace ipfs_kit::gateway {

using http::Responder;
using http::Response;
using multiformats::Cid;

namespace {

// Raw blocks from the local store up to this size are re-hashed on the server
// thread when hash_on_read is set; larger ones go to a worker.
constexpr size_t kInlineHashBytes = 256 << 10;
// Plain file bodies are streamed in chunks of about this size.
constexpr size_t kFileChunkBytes = 256 << 10;
// Raw blocks up to this size are kept in the raw-block cache.
constexpr size_t kCachedBlockBytes = 64 << 10;

Response Error(int status, std::string message) {
  Response r;
  r.status = status;
  r.body = std::move(message);
  r.body.push_back('\n');
  r.headers = {{"Content-Type", "text/plain; charset=utf-8"},
               {"X-Content-Type-Options", "nosniff"},
               {"Cache-Control", "no-store"},
               {"Vary", "Accept"}};
  if (status == 405) r.headers.emplace_back("Allow", "GET, HEAD");
  return r;
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kUnsupported:
      return 501;
    case StatusCode::kUnavailable:
      return 504;
    case StatusCode::kCorruption:
    case StatusCode::kIOError:
    case StatusCode::kPermissionDenied:
      return 502;
    default:
      return 500;
  }
}

Response ErrorFor(const Status& s) { return Error(HttpStatusFor(s), s.ToString()); }

std::string JoinRoots(const std::vector<Cid>& cids) {
  std::string out;
  for (const auto& c : cids) {
    if (!out.empty()) out += ',';
    out += c.ToString();
  }
  return out;
}

// Headers every successful (2xx/3xx) /ipfs/ answer carries.
void AddContentHeaders(Response& r, const GatewayRequest& req, std::string etag,
                       std::string roots) {
  r.headers.emplace_back("Etag", std::move(etag));
  r.headers.emplace_back("Cache-Control", std::string(kImmutable));
  r.headers.emplace_back("X-Ipfs-Path", req.content_path);
  r.headers.emplace_back("X-Ipfs-Roots", std::move(roots));
  r.headers.emplace_back("Vary", "Accept");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
}

Response NotModified(const GatewayRequest& req, std::string etag, std::string roots) {
  Response r;
  r.status = 304;
  AddContentHeaders(r, req, std::move(etag), std::move(roots));
  return r;
}

// `body` holds the block; it is dropped for HEAD.
Response RawResponse(const GatewayRequest& req, const CachedRawBlock& b, std::string body,
                     std::string roots) {
  Response r;
  r.status = 200;
  r.headers.reserve(10);
  r.headers.emplace_back("Content-Type", std::string(kRawType));
  r.headers.emplace_back("Content-Disposition", b.disposition);
  AddContentHeaders(r, req, b.etag, std::move(roots));
  if (req.head) {
    r.headers.emplace_back("Content-Length", std::to_string(body.size()));
  } else {
    r.body = std::move(body);
  }
  return r;
}

// The header strings of a raw answer for `cid` (the body left empty).
CachedRawBlock RawHeaders(const Cid& cid) {
  CachedRawBlock b;
  b.cid_text = cid.ToString();
  b.etag.reserve(b.cid_text.size() + 6);
  b.etag.append("\"").append(b.cid_text).append(".raw\"");
  b.disposition.reserve(b.cid_text.size() + 27);
  b.disposition.append("attachment; filename=\"").append(b.cid_text).append(".bin\"");
  return b;
}

// The etag a conditional request can be checked against before any block is
// read: only when the answer's etag follows from the request alone.
std::optional<std::string> EtagWithoutBlocks(const GatewayRequest& req) {
  if (!req.segments.empty()) return std::nullopt;
  switch (req.format) {
    case ResponseFormat::kRaw:
      return RawEtag(req.root);
    case ResponseFormat::kCar:
      return CarEtag(req.root, req);
    case ResponseFormat::kPlain:
      return FileEtag(req.root);
  }
  return std::nullopt;
}

std::string BaseName(const GatewayRequest& req, const Cid& terminal) {
  if (req.filename) return *req.filename;
  if (!req.segments.empty()) return req.segments.back();
  return terminal.ToString();
}

}  // namespace

struct Gateway::Impl {
  StoreFactory factory;
  GatewayOptions options;

  std::mutex streams_mu;
  std::condition_variable streams_cv;
  std::set<std::shared_ptr<http::BodyStream>> streams;
  int reserved_streams = 0;  // reserved or running
  bool stopping = false;

  RawBlockCache raw_cache;
  std::unique_ptr<WorkerPool> pool;

  Impl(StoreFactory f, GatewayOptions o)
      : factory(std::move(f)),
        options(o),
        raw_cache(o.local != nullptr ? o.raw_cache_bytes : 0, o.raw_cache_ttl_ms) {
    pool = std::make_unique<WorkerPool>(options.worker_threads, options.max_queued);
  }

  ~Impl() {
    {
      std::lock_guard lock(streams_mu);
      stopping = true;  // workers still running can no longer start streams
    }
    pool->Stop(WorkerPool::Queued::kCancel);  // queued requests answer 503; running ones finish
    pool.reset();
    std::unique_lock lock(streams_mu);
    for (const auto& s : streams) s->Cancel();
    streams_cv.wait(lock, [this] { return reserved_streams == 0; });
  }

  void Handle(http::Request in, Responder respond);
  void Serve(const GatewayRequest& req, const Responder& respond);
  void ServeCar(const GatewayRequest& req, BlockSource& source, ResolvedPath resolved,
                std::unique_ptr<BlockSource> owned, const Responder& respond);
  void ServePlain(const GatewayRequest& req, BlockSource& source, ResolvedPath resolved,
                  std::unique_ptr<BlockSource> owned, const Responder& respond);
  void ServeFile(const GatewayRequest& req, DagNode node, const std::string& name,
                 std::string roots, std::unique_ptr<BlockSource> owned, const Responder& respond);

  // Reserves one of max_streams; false when full or stopping.
  bool ReserveStream() {
    std::lock_guard lock(streams_mu);
    if (stopping || reserved_streams >= options.max_streams) return false;
    ++reserved_streams;
    return true;
  }
  // Reserves a stream and answers `r` with a new streamed body, which it
  // returns; or answers 503 and returns nullptr when max_streams are busy.
  std::shared_ptr<http::BodyStream> StartStream(http::Response r, const Responder& respond) {
    if (!ReserveStream()) {
      respond(Error(503, "gateway busy: too many responses streaming"));
      return nullptr;
    }
    auto body = std::make_shared<http::BodyStream>(options.stream_buffer_bytes);
    r.stream = body;
    respond(std::move(r));
    return body;
  }
  // Runs `produce` on a thread of its own for a reserved stream; it must
  // Close or Abort `body`.
  void LaunchStream(std::shared_ptr<http::BodyStream> body,
                    std::function<void(http::BodyStream&)> produce) {
    {
      std::lock_guard lock(streams_mu);
      streams.insert(body);
      if (stopping) body->Cancel();
    }
    std::thread([this, body = std::move(body), produce = std::move(produce)]() mutable {
      produce(*body);
      produce = nullptr;  // nothing of the request outlives the count below
      std::lock_guard lock(streams_mu);
      streams.erase(body);
      body.reset();
      --reserved_streams;
      streams_cv.notify_all();
    }).detach();
  }
};

Gateway::Gateway(StoreFactory factory, GatewayOptions options)
    : impl_(std::make_unique<Impl>(std::move(factory), options)) {}

Gateway::~Gateway() = default;

void Gateway::Handle(http::Request request, Responder respond) {
  impl_->Handle(std::move(request), std::move(respond));
}

http::Handler Gateway::AsHandler() {
  return [this](http::Request r, Responder respond) { Handle(std::move(r), std::move(respond)); };
}

void Gateway::Impl::Handle(http::Request in, Responder respond) {
  auto req = std::make_shared<GatewayRequest>();
  if (auto err = ParseGatewayRequest(in, req.get())) {
    respond(Error(err->status, std::move(err->message)));
    return;
  }
  // Conditional requests answered from the request alone (no block read).
  if (req->if_none_match) {
    if (auto etag = EtagWithoutBlocks(*req); etag && EtagMatches(*req->if_none_match, *etag)) {
      respond(NotModified(*req, *etag, req->root.ToString()));
      return;
    }
  }
  // Fast path: a raw block from the local store (or an identity CID), from
  // the cache of recently served small blocks when it is there.
  if (req->format == ResponseFormat::kRaw && req->segments.empty()) {
    bool identity = req->root.hash().code == multiformats::kIdentity;
    std::string key;
    if (raw_cache.enabled() && !identity) {
      Bytes k = req->root.ToBytes();
      key.assign(AsString(k));
      if (auto hit = raw_cache.Find(key)) {
        respond(RawResponse(*req, *hit, hit->body, hit->cid_text));
        return;
      }
    }
    if (identity || options.local != nullptr) {
      auto block = BlockSource::GetLocal(options, req->root);
      if (block.ok() && block->size() <= options.max_block_size &&
          (identity || !options.hash_on_read || block->size() <= kInlineHashBytes)) {
        bool verified = true;
        if (options.hash_on_read && !identity) {
          auto ok = multiformats::VerifyMultihash(req->root.hash(), AsBytes(*block));
          verified = ok.ok() && *ok;
        }
        if (verified) {
          CachedRawBlock headers = RawHeaders(req->root);
          if (!key.empty() && block->size() <= kCachedBlockBytes) {
            auto entry = std::make_shared<CachedRawBlock>(std::move(headers));
            entry->body = std::move(block).value();
            raw_cache.Put(key, entry);
            respond(RawResponse(*req, *entry, entry->body, entry->cid_text));
            return;
          }
          std::string roots = headers.cid_text;
          respond(RawResponse(*req, headers, std::move(block).value(), std::move(roots)));
          return;
        }
        // A local block that fails its hash: the worker path reports it.
      }
    }
  }
  bool taken = pool->Submit([this, req, respond](bool run) {
    if (!run) {
      respond(Error(503, "gateway shutting down"));
      return;
    }
    Serve(*req, respond);
  });
  if (!taken) respond(Error(503, "gateway busy: too many queued requests"));
}

void Gateway::Impl::Serve(const GatewayRequest& req, const Responder& respond) {
  auto owned = std::make_unique<BlockSource>(&factory, &options, req.root);
  BlockSource& source = *owned;
  auto resolved = ResolvePath(source, req.root, req.segments, options.max_dag_depth);
  if (!resolved.ok()) {
    respond(ErrorFor(resolved.status()));
    return;
  }
  switch (req.format) {
    case ResponseFormat::kRaw: {
      const DagNode& t = resolved->terminal;
      std::string etag = RawEtag(t.cid);
      std::string roots = JoinRoots(resolved->segment_cids);
      if (req.if_none_match && EtagMatches(*req.if_none_match, etag)) {
        respond(NotModified(req, etag, roots));
        return;
      }
      respond(
          RawResponse(req, RawHeaders(t.cid), std::string(AsString(t.block)), std::move(roots)));
      return;
    }
    case ResponseFormat::kCar:
      ServeCar(req, source, std::move(resolved).value(), std::move(owned), respond);
      return;
    case ResponseFormat::kPlain:
      ServePlain(req, source, std::move(resolved).value(), std::move(owned), respond);
      return;
  }
}

void Gateway::Impl::ServeCar(const GatewayRequest& req, BlockSource& source, ResolvedPath resolved,
                             std::unique_ptr<BlockSource> owned, const Responder& respond) {
  const DagNode& t = resolved.terminal;
  uint64_t codec = t.cid.codec();
  if (req.car.scope == DagScope::kAll && codec != multiformats::kCodecDagPb &&
      codec != multiformats::kCodecRaw) {
    respond(Error(501, "dag-scope=all needs a dag-pb or raw DAG; " + t.cid.ToString() +
                           " has codec " + std::string(multiformats::CodecName(codec)) +
                           " (dag-scope=block works)"));
    return;
  }
  std::string etag = CarEtag(t.cid, req);
  std::string roots = JoinRoots(resolved.segment_cids);
  if (req.if_none_match && EtagMatches(*req.if_none_match, etag)) {
    respond(NotModified(req, etag, roots));
    return;
  }
  Response r;
  r.status = 200;
  r.headers.emplace_back("Content-Type", CarContentType(req.car));
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"" + t.cid.ToString() + ".car\"");
  AddContentHeaders(r, req, etag, roots);
  if (req.head) {
    // An ended stream: the head says the body would be chunked (its length
    // is not known without walking the DAG), and no body follows.
    r.stream = std::make_shared<http::BodyStream>();
    r.stream->Close();
    respond(std::move(r));
    return;
  }
  auto body = StartStream(std::move(r), respond);
  if (!body) return;
  (void)source;  // owned by `owned`, moved into the producer
  auto shared_resolved = std::make_shared<ResolvedPath>(std::move(resolved));
  std::shared_ptr<BlockSource> src(std::move(owned));
  LaunchStream(body, [this, src, shared_resolved, req](http::BodyStream& out) {
    CarStreamer car(
        *src, req.car, options.max_dag_depth,
        [&out](std::string chunk) { return out.Write(std::move(chunk)); },
        std::min<size_t>(64 << 10, options.stream_buffer_bytes));
    Status st = car.WriteHeader({req.root});
    for (auto& b : shared_resolved->blocks) {
      if (!st.ok()) break;
      if (!b.data) {
        auto again = src->Get(b.cid);
        if (!again.ok()) {
          st = again.status();
          break;
        }
        b.data = std::move(again).value();
      }
      st = car.WriteBlock(b.cid, *b.data);
      b.data.reset();  // sent: free it
    }
    if (st.ok()) st = car.WriteEntity(shared_resolved->terminal);
    if (st.ok()) st = car.Finish();
    // An error after the head was sent can only be told by truncating the
    // body (no terminating chunk): the client sees an incomplete transfer.
    if (st.ok()) {
      out.Close();
    } else {
      out.Abort();
    }
  });
}

void Gateway::Impl::ServePlain(const GatewayRequest& req, BlockSource& source,
                               ResolvedPath resolved, std::unique_ptr<BlockSource> owned,
                               const Responder& respond) {
  DagNode& t = resolved.terminal;
  std::string roots = JoinRoots(resolved.segment_cids);
  switch (t.kind) {
    case NodeKind::kRaw:
    case NodeKind::kFile: {
      std::string name = BaseName(req, t.cid);
      ServeFile(req, std::move(t), name, std::move(roots), std::move(owned), respond);
      return;
    }
    case NodeKind::kDirectory:
    case NodeKind::kHamtShard: {
      auto index = LookupEntry(source, t, "index.html", options.max_dag_depth);
      if (!index.ok()) {
        respond(ErrorFor(index.status()));
        return;
      }
      if (*index) {
        if (!req.trailing_slash) {
          // Relative links in index.html resolve against the directory.
          Response r;
          r.status = 301;
          std::string location = req.content_path + "/";
          if (!req.raw_query.empty()) location += "?" + req.raw_query;
          r.headers.emplace_back("Location", std::move(location));
          AddContentHeaders(r, req, FileEtag(t.cid), roots);
          respond(std::move(r));
          return;
        }
        auto b = source.Get(**index);
        if (!b.ok()) {
          respond(ErrorFor(b.status()));
          return;
        }
        auto node = DecodeDagNode(**index, std::move(b).value());
        if (!node.ok()) {
          respond(ErrorFor(node.status()));
          return;
        }
        if (node->kind != NodeKind::kFile && node->kind != NodeKind::kRaw) {
          respond(Error(501, "index.html in " + t.cid.ToString() + " is not a file"));
          return;
        }
        ServeFile(req, std::move(node).value(), req.filename.value_or("index.html"),
                  roots + "," + index->value().ToString(), std::move(owned), respond);
        return;
      }
      std::string etag = ListingEtag(t.cid);
      if (req.if_none_match && EtagMatches(*req.if_none_match, etag)) {
        respond(NotModified(req, etag, roots));
        return;
      }
      bool truncated = false;
      auto entries =
          ListDirectory(source, t, options.max_listing_entries, options.max_dag_depth, &truncated);
      if (!entries.ok()) {
        respond(ErrorFor(entries.status()));
        return;
      }
      Response r;
      r.status = 200;
      r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
      AddContentHeaders(r, req, etag, roots);
      std::string html = RenderListing(req.content_path, t.cid, *entries, truncated);
      if (req.head) {
        r.headers.emplace_back("Content-Length", std::to_string(html.size()));
      } else {
        r.body = std::move(html);
      }
      respond(std::move(r));
      return;
    }
    case NodeKind::kSymlink: {
      std::string etag = FileEtag(t.cid);
      if (req.if_none_match && EtagMatches(*req.if_none_match, etag)) {
        respond(NotModified(req, etag, roots));
        return;
      }
      Response r;
      r.status = 200;
      r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
      AddContentHeaders(r, req, etag, roots);
      std::string target(AsString(t.content));
      if (req.head) {
        r.headers.emplace_back("Content-Length", std::to_string(target.size()));
      } else {
        r.body = std::move(target);
      }
      respond(std::move(r));
      return;
    }
    case NodeKind::kOther:
      respond(Error(501, t.cid.ToString() + " (codec " +
                             std::string(multiformats::CodecName(t.cid.codec())) +
                             ") is not UnixFS content; ask for ?format=raw or ?format=car"));
      return;
  }
}

void Gateway::Impl::ServeFile(const GatewayRequest& req, DagNode node, const std::string& name,
                              std::string roots, std::unique_ptr<BlockSource> owned,
                              const Responder& respond) {
  const uint64_t size = node.FileSize();
  std::string etag = FileEtag(node.cid);
  if (req.if_none_match && EtagMatches(*req.if_none_match, etag)) {
    respond(NotModified(req, etag, roots));
    return;
  }
  BlockSource& source = *owned;
  const int depth = options.max_dag_depth;
  Response r;
  r.status = 200;
  std::string type;
  if (auto t = TypeFromExtension(name)) {
    type = std::string(*t);
  } else {
    std::string head;
    Status st =
        ReadFileRange(source, node, 0, std::min<uint64_t>(size, 512), depth, [&](ByteView b) {
          head.append(AsString(b));
          return true;
        });
    if (!st.ok()) {
      respond(ErrorFor(st));
      return;
    }
    type = size == 0 ? "text/plain; charset=utf-8" : std::string(SniffType(head));
  }
  r.headers.emplace_back("Content-Type", std::move(type));
  if (req.filename || req.download) {
    r.headers.emplace_back("Content-Disposition", ContentDisposition(req.download, name));
  }
  r.headers.emplace_back("Accept-Ranges", "bytes");
  AddContentHeaders(r, req, etag, roots);

  uint64_t first = 0, length = size;
  bool use_range = req.range && (!req.if_range || EtagMatches(*req.if_range, etag));
  if (use_range) {
    ByteRange br;
    switch (ParseRange(*req.range, size, &br)) {
      case RangeKind::kNone:
        break;
      case RangeKind::kUnsatisfiable: {
        Response e = Error(416, "range not satisfiable for " + std::to_string(size) + " bytes");
        e.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
        respond(std::move(e));
        return;
      }
      case RangeKind::kSatisfiable:
        r.status = 206;
        first = br.first;
        length = br.last - br.first + 1;
        r.headers.emplace_back("Content-Range", "bytes " + std::to_string(br.first) + "-" +
                                                    std::to_string(br.last) + "/" +
                                                    std::to_string(size));
        break;
    }
  }
  if (req.head) {
    r.headers.emplace_back("Content-Length", std::to_string(length));
    respond(std::move(r));
    return;
  }
  if (length <= options.inline_file_bytes) {
    std::string body;
    body.reserve(length);
    Status st = ReadFileRange(source, node, first, first + length, depth, [&](ByteView b) {
      body.append(AsString(b));
      return true;
    });
    if (!st.ok()) {
      respond(ErrorFor(st));
      return;
    }
    r.body = std::move(body);
    respond(std::move(r));
    return;
  }
  auto body = StartStream(std::move(r), respond);
  if (!body) return;
  auto shared_node = std::make_shared<DagNode>(std::move(node));
  std::shared_ptr<BlockSource> src(std::move(owned));
  LaunchStream(body, [this, src, shared_node, first, length](http::BodyStream& out) {
    std::string chunk;
    auto flush = [&] {
      if (chunk.empty()) return true;
      std::string c;
      c.swap(chunk);
      return out.Write(std::move(c));
    };
    Status st = ReadFileRange(*src, *shared_node, first, first + length, options.max_dag_depth,
                              [&](ByteView b) {
                                chunk.append(AsString(b));
                                return chunk.size() < kFileChunkBytes || flush();
                              });
    if (st.ok() && !flush()) st = Status::Unavailable("client went away");
    if (st.ok()) {
      out.Close();
    } else {
      out.Abort();
    }
  });
}

}  // namespace ipfs_kit::gateway
