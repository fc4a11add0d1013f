// kubo backend: a Kubo node (or any node with Kubo's RPC API, such as
// js-ipfs) through /api/v0. See docs/backends.md#kubo.
//
// Every RPC call is a POST (Kubo refuses GET on the RPC API since 0.5, to
// keep browsers from triggering it cross-origin). Block reads, block stats
// and pins run with offline=true: the node answers from its own repository
// instead of searching the network for a block it does not hold, which could
// otherwise take until the request timeout. A pin therefore needs the whole
// DAG on the node already, which is what CopyDag arranges (stores_blocks).
//
// js-ipfs ignores offline=true: for a block it does not hold, block/stat and
// block/get wait on bitswap until the command's `timeout` option fires (its
// --offline daemon flag only concerns IPNS). Block lookups therefore also
// carry timeout=lookup_timeout_ms, and a node-side "timed out" answer to a
// lookup means "not held here". Kubo never gets that far: offline=true makes
// it answer "not found" at once. js-ipfs also ignores cid-codec in block/put
// and takes the codec from the legacy `format` option, hence the fallback in
// Put().
//
// Whole DAGs go as CAR files: dag/export streams one (read and verified as
// it arrives by ReadDagCar), dag/import takes them with pin-roots=false (the
// pin is made afterwards by Pin, as for blocks). js-ipfs's 1 MiB request
// body limit is hapi's default, which its block/put keeps but its dag/import
// lifts (payload maxBytes = MAX_SAFE_INTEGER, the CAR is streamed through
// @ipld/car), so CARs of any size go in one request; ImportCar still sends
// them in pieces of kImportChunkBytes, and smaller ones if something in
// between (a proxy) answers 413.
//
// Kubo reports command failures as HTTP 500 (400 for a bad argument) with a
// JSON body {"Message": ..., "Code": ..., "Type": "error"}; the wording of
// "absent" differs between commands and versions, so KuboError() maps it by
// code and by message to kNotFound.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backend_factories.h"
#include "ipfs_kit/car/car.h"
#include "ipfs_kit/http/client.h"
#include "ipfs_kit/http/message.h"
#include "ipfs_kit/multiformats/multihash.h"
#include "ipfs_kit/multiformats/varint.h"

namespace ipfs_kit::backends {
namespace {

using json = nlohmann::json;
using multiformats::kIdentity;

// Kubo refuses blocks above 1 MiB in block/put unless allow-big-block is
// set; ours may reach blockstore::kMaxBlockSize (2 MiB).
constexpr size_t kKuboSoftBlockLimit = 1024 * 1024;
// A block answer larger than this is not a block (2 MiB cap plus slack).
constexpr size_t kMaxBlockAnswer = 4 * 1024 * 1024;
// Small answers (id, repo/stat, pin/add, errors).
constexpr size_t kMaxSmallAnswer = 1024 * 1024;
// One line of pin/ls output; the non-streamed form is a single object with
// every pin, so this also bounds that form.
constexpr size_t kMaxPinLsLine = 64 * 1024 * 1024;
// ImportCar sends at most this much CAR per dag/import request: the node
// takes any size, but the CAR is re-encoded in memory one request at a time.
constexpr size_t kImportChunkBytes = 16 * 1024 * 1024;
// After an HTTP 413 to dag/import: the request body limit assumed from then
// on (hapi's default, nginx's client_max_body_size), and the room left in it
// for the multipart framing around the CAR.
constexpr size_t kSmallBodyLimit = 1024 * 1024;
constexpr size_t kMultipartSlack = 4096;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Numbers in Kubo answers are JSON numbers; js-ipfs sends some (repo/stat)
// as decimal strings because they are BigInts on its side.
std::optional<int64_t> JsonInt(const json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    return v > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(v);
  }
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_float()) return static_cast<int64_t>(it->get<double>());
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    if (s.empty() || s.size() > 19) return std::nullopt;
    int64_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    return v;
  }
  return std::nullopt;
}

std::string JsonStr(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// The first bytes of an answer, printable, for messages.
std::string Snippet(std::string_view body) {
  std::string s(body.substr(0, 200));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s.empty() ? "(empty body)" : s;
}

// Same CID up to version: Kubo answers CIDv1 for a block put under a v0 CID.
bool SameBlock(const Cid& a, const Cid& b) { return a.ToV1() == b.ToV1(); }

// Bytes of one CAR v1 section: varint(len(CID) + len(data)), CID, data.
size_t SectionSize(const car::Block& b) {
  size_t n = b.cid.ByteLength() + b.data.size();
  return multiformats::UvarintSize(n) + n;
}

struct KuboOptions {
  std::string base;  // "http://host:port", no trailing slash
  std::string token;
  int timeout_ms = 60000;        // HTTP timeout of one call
  int pin_timeout_ms = 3600000;  // pin/add and the full pin/ls walk a whole DAG / pinset
  int lookup_timeout_ms = 5000;  // node-side limit on finding a block (see the top)
};

class KuboBackend final : public Backend {
 public:
  KuboBackend(BackendConfig config, KuboOptions options)
      : config_(std::move(config)), o_(std::move(options)) {}

  const BackendConfig& config() const override { return config_; }
  Capabilities capabilities() const override {
    Capabilities c;
    c.stores_blocks = true;
    c.cheap_has = false;  // a missing block costs lookup_timeout_ms on js-ipfs (see the top)
    // Not advertised as a CAR source: js-ipfs ignores offline=true, so a
    // dag/export of a DAG it does not hold whole waits on bitswap until the
    // node-side timeout (pin_timeout_ms, an hour) — seen stalling the daemon's
    // copy workers in tests/daemon/scenario.py. Copies from kubo go block by
    // block, where each lookup is bounded by lookup_timeout_ms. ExportCar
    // itself still works when called directly.
    c.car_export = false;
    c.car_import = true;
    return c;
  }

  Result<bool> Has(const Cid& cid) override {
    if (cid.hash().code == kIdentity) return true;
    auto r = Call("block/stat", LookupArgs(cid), kMaxSmallAnswer);
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kNotFound) return false;
      return r.status();
    }
    return true;
  }

  Result<Bytes> Get(const Cid& cid) override {
    if (cid.hash().code == kIdentity) return cid.hash().digest;
    ASSIGN_OR_RETURN(http::ClientResponse r, Call("block/get", LookupArgs(cid), kMaxBlockAnswer));
    return Bytes(r.body.begin(), r.body.end());
  }

  Status Put(const Cid& cid, ByteView data) override {
    if (cid.hash().code == kIdentity) return Status::Ok();
    std::string_view codec = multiformats::CodecName(cid.codec());
    std::string_view mhtype = multiformats::MultihashName(cid.hash().code);
    if (codec.empty() || mhtype.empty()) {
      return Status::Unsupported(Prefix() + ": block/put " + cid.ToString() +
                                 ": codec or hash function has no name Kubo knows");
    }
    std::vector<std::pair<std::string, std::string>> args = {
        {"mhtype", std::string(mhtype)},
        {"mhlen", std::to_string(cid.hash().digest.size())},
        {"pin", "false"},
    };
    if (data.size() > kKuboSoftBlockLimit) args.emplace_back("allow-big-block", "true");
    if (!legacy_format_.load(std::memory_order_relaxed)) {
      auto modern = args;
      modern.emplace_back("cid-codec", std::string(codec));
      ASSIGN_OR_RETURN(Cid stored, PutBlock(cid, modern, data));
      if (SameBlock(stored, cid)) return Status::Ok();
      // Same bytes, other codec: the node ignored cid-codec (js-ipfs). Its
      // blocks are keyed by multihash, so the bytes are there; store them
      // again under the right codec with the legacy option, and use that
      // option from now on.
      if (stored.hash() != cid.hash()) return Mismatch(stored, cid);
      legacy_format_.store(true, std::memory_order_relaxed);
    }
    args.emplace_back("format", std::string(codec));
    // js-ipfs makes a v0 CID for dag-pb/sha2-256 unless asked for v1.
    args.emplace_back("version", std::to_string(cid.version()));
    ASSIGN_OR_RETURN(Cid stored, PutBlock(cid, args, data));
    return SameBlock(stored, cid) ? Status::Ok() : Mismatch(stored, cid);
  }

  Status Delete(const Cid& cid) override {
    if (cid.hash().code == kIdentity) return Status::Ok();
    ASSIGN_OR_RETURN(http::ClientResponse r,
                     Call("block/rm", {{"arg", cid.ToString()}}, kMaxSmallAnswer));
    // block/rm answers 200 and reports each block's fate in the body:
    // {"Hash": ..., "Error": "..."}.
    for (std::string_view rest = r.body; !rest.empty();) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      json j = json::parse(line, nullptr, false);
      std::string error = JsonStr(j, "Error");
      if (error.empty()) error = JsonStr(j, "Message");
      if (error.empty()) continue;
      std::string lower = Lower(error);
      std::string what = Prefix() + ": block/rm " + cid.ToString() + ": " + error;
      // Already absent: trimming a replica is idempotent, as on local and s3.
      if (IsNotFoundText(lower)) continue;
      if (lower.find("pinned") != std::string::npos) {
        return Status::InvalidArgument(what + " (unpin it first)");
      }
      return Status::Internal(what);
    }
    return Status::Ok();
  }

  Status Pin(const Cid& root, const PinRequest& request) override {
    // Kubo's pin/add takes no name (pin names came later and js-ipfs has
    // none); the name stays in ipfs-kit's own state.
    auto r = Call("pin/add", {{"arg", root.ToString()}, {"recursive", "true"}, {"offline", "true"}},
                  kMaxSmallAnswer, {}, o_.pin_timeout_ms);
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kNotFound) {
        return Status::NotFound(r.status().message() +
                                " (the node lacks blocks of this DAG: copy them first)");
      }
      return r.status();
    }
    json j = json::parse(r->body, nullptr, false);
    bool listed = false;
    if (j.is_object() && j.contains("Pins") && j["Pins"].is_array()) {
      for (const json& p : j["Pins"]) {
        if (!p.is_string()) continue;
        auto c = Cid::Parse(p.get<std::string>());
        if (c.ok() && SameBlock(*c, root)) listed = true;
      }
    }
    if (!listed) {
      return Status::Internal(Prefix() + ": pin/add " + root.ToString() +
                              ": answer does not list the pin: " + Snippet(r->body));
    }
    return Status::Ok();
  }

  Result<PinInfo> PinStatus(const Cid& root) override {
    auto r = Call("pin/ls", {{"arg", root.ToString()}, {"type", "recursive"}, {"offline", "true"}},
                  kMaxSmallAnswer);
    PinInfo info;
    if (!r.ok()) {
      // "path 'X' is not pinned" (Kubo and js-ipfs).
      if (r.status().code() == StatusCode::kNotFound) return info;
      return r.status();
    }
    bool pinned = false;
    Status st = ParsePinLsLine(r->body, [&](const Cid& c) {
      if (SameBlock(c, root)) pinned = true;
      return true;
    });
    if (!st.ok()) return st;
    info.state = pinned ? PinState::kPinned : PinState::kAbsent;
    return info;
  }

  Status Unpin(const Cid& root) override {
    auto r = Call("pin/rm", {{"arg", root.ToString()}, {"recursive", "true"}}, kMaxSmallAnswer);
    // "not pinned or pinned indirectly": nothing of ours to remove.
    if (!r.ok() && r.status().code() != StatusCode::kNotFound) return r.status();
    return Status::Ok();
  }

  Status ListPins(const std::function<bool(const Cid&)>& fn) override {
    // stream=true makes Kubo write one {"Cid","Type"} object per line as it
    // walks the pinset, instead of one object holding every pin; lines are
    // parsed as they arrive. Nodes without streaming answer the single
    // object, which the same line parser takes.
    std::string pending;
    bool stopped = false;
    Status parse_error;
    auto on_line = [&](std::string_view line) {
      Status st = ParsePinLsLine(line, [&](const Cid& c) {
        if (!fn(c)) stopped = true;
        return !stopped;
      });
      if (!st.ok()) parse_error = st;
      return st.ok() && !stopped;
    };
    http::ClientRequest req = Request("pin/ls", {{"type", "recursive"}, {"stream", "true"}});
    req.max_response_bytes = SIZE_MAX;
    req.timeout_ms = o_.pin_timeout_ms;
    req.on_body = [&](std::string_view chunk) {
      pending.append(chunk);
      size_t start = 0;
      for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        if (!on_line(std::string_view(pending).substr(start, nl - start))) return false;
      }
      pending.erase(0, start);
      if (pending.size() > kMaxPinLsLine) {
        parse_error = Status::InvalidArgument(Prefix() + ": pin/ls: a line of the answer exceeds " +
                                              std::to_string(kMaxPinLsLine) + " bytes");
        return false;
      }
      return true;
    };
    auto r = http::Fetch(req);
    if (!parse_error.ok()) return parse_error;
    if (stopped) return Status::Ok();  // fn asked to stop: Fetch reports the abort
    if (!r.ok()) return r.status().WithContext(Prefix() + ": pin/ls");
    if (r->status != 200) return KuboError("pin/ls", *r);
    if (!pending.empty() && !on_line(pending)) return parse_error;
    // Kubo reports an error met after the answer started in a trailer.
    if (auto e = r->Header("x-stream-error"); e && !e->empty()) {
      return Status::Internal(Prefix() + ": pin/ls: " + std::string(*e));
    }
    return Status::Ok();
  }

  Status ExportCar(const Cid& root,
                   const std::function<Status(const Cid&, ByteView)>& on_block) override {
    auto produce = [&](const CarSink& sink) -> Status {
      // The node-side timeout covers the whole export. On js-ipfs it is also
      // what ends the wait for a block the node lacks (it ignores offline;
      // see the top), so it gets the same allowance as pin/add, and the HTTP
      // timeout a little more so the node's own error arrives first.
      http::ClientRequest req =
          Request("dag/export", {{"arg", root.ToString()},
                                 {"offline", "true"},
                                 {"timeout", std::to_string(o_.pin_timeout_ms) + "ms"}});
      req.timeout_ms = o_.pin_timeout_ms + 5000;
      // Streamed: ReadDagCar holds one block at a time.
      req.max_response_bytes = SIZE_MAX;
      req.on_body = sink;
      auto r = http::Fetch(req);
      if (!r.ok()) return r.status().WithContext(Prefix() + ": dag/export");
      if (r->status != 200) return KuboError("dag/export", *r);
      // A failure after the CAR started (a missing block) comes as a trailer.
      return StreamError("dag/export", *r);
    };
    return ReadDagCar("export of " + root.ToString() + " from " + Prefix(), root, produce,
                      on_block);
  }

  Status ImportCar(std::string_view car) override {
    const std::string what = "import into " + Prefix();
    if (car.empty()) return Status::InvalidArgument("CAR " + what + ": empty");
    // Read in place: "r" never writes to the buffer.
    FILE* f = ::fmemopen(const_cast<char*>(car.data()), car.size(), "r");
    if (f == nullptr) {
      return Status::IOError("CAR " + what + ": fmemopen: " + std::strerror(errno));
    }
    std::unique_ptr<FILE, int (*)(FILE*)> closer(f, &std::fclose);
    // Every block is verified here, before the node sees it: js-ipfs stores
    // what a CAR says without re-hashing.
    ASSIGN_OR_RETURN(std::unique_ptr<car::CarReader> reader, car::CarReader::FromFile(f, what));
    std::vector<Cid> roots = reader->roots();
    std::vector<car::Block> chunk;
    size_t chunk_size = 0;
    for (;;) {
      car::Block b;
      ASSIGN_OR_RETURN(bool more, reader->Next(&b));
      if (!more) break;
      if (b.cid.hash().code == kIdentity) continue;  // nothing to store, as in Put
      // go-car refuses a CAR without roots; with pin-roots=false any will do.
      if (roots.empty()) roots.push_back(b.cid);
      size_t size = SectionSize(b);
      if (!chunk.empty() && chunk_size + size > kImportChunkBytes) {
        RETURN_IF_ERROR(ImportBlocks(roots, chunk));
        chunk.clear();
        chunk_size = 0;
      }
      chunk_size += size;
      chunk.push_back(std::move(b));
    }
    if (!chunk.empty()) RETURN_IF_ERROR(ImportBlocks(roots, chunk));
    return Status::Ok();
  }

  Result<Probe> Check() override {
    auto idr = Call("id", {}, kMaxSmallAnswer);
    if (!idr.ok()) {
      // js-ipfs answers an unknown path with a JSON "Not Found" error, so
      // kNotFound here also means "this is not an RPC API".
      if (idr.status().code() == StatusCode::kNotFound ||
          idr.status().code() == StatusCode::kUnsupported) {
        return Status::Unavailable(idr.status().message() + " (is " + o_.base +
                                   " a Kubo RPC API?)");
      }
      return idr.status();
    }
    const http::ClientResponse& id = *idr;
    json idj = json::parse(id.body, nullptr, false);
    std::string peer = JsonStr(idj, "ID");
    if (peer.empty()) {
      return Status::Unavailable(Prefix() + ": id: answer has no peer \"ID\" (is " + o_.base +
                                 " a Kubo RPC API?): " + Snippet(id.body));
    }
    ASSIGN_OR_RETURN(http::ClientResponse st, Call("repo/stat", {}, kMaxSmallAnswer));
    json sj = json::parse(st.body, nullptr, false);
    if (!sj.is_object()) {
      return Status::Unavailable(Prefix() +
                                 ": repo/stat: answer is not a JSON object: " + Snippet(st.body));
    }
    Probe p;
    p.bytes_used = JsonInt(sj, "RepoSize");
    std::optional<int64_t> max = JsonInt(sj, "StorageMax");
    // StorageMax is the GC watermark from the node's config (Datastore.StorageMax),
    // the only capacity Kubo knows of; 0 or absent means no limit is set, and
    // js-ipfs says "no limit" with 2^53 - 1 (JavaScript's largest safe integer).
    constexpr int64_t kNoLimit = (int64_t{1} << 53) - 1;
    if (max && *max > 0 && *max < kNoLimit && p.bytes_used) {
      p.bytes_free = std::max<int64_t>(0, *max - *p.bytes_used);
    }
    p.detail = "peer " + peer;
    std::string agent = JsonStr(idj, "AgentVersion");
    if (!agent.empty()) p.detail += ", " + agent;
    if (auto objects = JsonInt(sj, "NumObjects")) {
      p.detail += ", " + std::to_string(*objects) + " objects";
    }
    return p;
  }

 private:
  std::string Prefix() const { return "kubo backend " + config_.name; }

  std::vector<std::pair<std::string, std::string>> LookupArgs(const Cid& cid) const {
    return {{"arg", cid.ToString()},
            {"offline", "true"},
            {"timeout", std::to_string(o_.lookup_timeout_ms) + "ms"}};
  }

  // One block/put; returns the CID the node says it stored the bytes under.
  Result<Cid> PutBlock(const Cid& cid, const std::vector<std::pair<std::string, std::string>>& args,
                       ByteView data) const {
    http::FormPart part;
    part.name = "file";
    part.filename = "block";
    part.data.assign(reinterpret_cast<const char*>(data.data()), data.size());
    ASSIGN_OR_RETURN(http::ClientResponse r,
                     Call("block/put", args, kMaxSmallAnswer, {std::move(part)}));
    json j = json::parse(r.body, nullptr, false);
    auto stored = Cid::Parse(JsonStr(j, "Key"));
    if (!stored.ok()) {
      return Status::Corruption(Prefix() + ": block/put " + cid.ToString() +
                                ": answer has no valid \"Key\": " + Snippet(r.body));
    }
    return std::move(stored).value();
  }

  // Sends blocks as CAR files through dag/import: all in one request, or,
  // once a 413 has shown a request body limit, in CARs that fit under it,
  // with block/put for a block too large for any of them (a 413 there is
  // the clear "refuses a block this large").
  Status ImportBlocks(const std::vector<Cid>& roots, const std::vector<car::Block>& blocks) {
    using It = std::vector<car::Block>::const_iterator;
    if (body_limit_.load(std::memory_order_relaxed) == 0) {
      ASSIGN_OR_RETURN(bool taken, PostCar(roots, blocks.begin(), blocks.end()));
      if (taken) return Status::Ok();
      body_limit_.store(kSmallBodyLimit, std::memory_order_relaxed);
    }
    const size_t max_car = body_limit_.load(std::memory_order_relaxed) - kMultipartSlack;
    const size_t header = car::EncodeHeaderV1(roots).size();
    It first = blocks.begin();
    size_t size = header;
    auto flush = [&](It last) -> Status {
      if (first == last) return Status::Ok();
      ASSIGN_OR_RETURN(bool taken, PostCar(roots, first, last));
      if (!taken) {
        return Status::InvalidArgument(Prefix() +
                                       ": dag/import (HTTP 413): the node refuses even a " +
                                       std::to_string(size) + "-byte CAR");
      }
      return Status::Ok();
    };
    for (It it = blocks.begin(); it != blocks.end(); ++it) {
      size_t section = SectionSize(*it);
      if (header + section > max_car) {
        RETURN_IF_ERROR(flush(it));
        RETURN_IF_ERROR(Put(it->cid, it->data));
        first = it + 1;
        size = header;
        continue;
      }
      if (size + section > max_car) {
        RETURN_IF_ERROR(flush(it));
        first = it;
        size = header;
      }
      size += section;
    }
    return flush(blocks.end());
  }

  // One dag/import of the blocks [first, last) as a CAR v1. False: HTTP 413
  // (the request body was too large for something on the way).
  Result<bool> PostCar(const std::vector<Cid>& roots, std::vector<car::Block>::const_iterator first,
                       std::vector<car::Block>::const_iterator last) const {
    Bytes car = car::EncodeHeaderV1(roots);
    bool big = false;
    for (auto it = first; it != last; ++it) {
      multiformats::AppendUvarint(car, it->cid.ByteLength() + it->data.size());
      it->cid.AppendTo(car);
      Append(car, it->data);
      big = big || it->data.size() > kKuboSoftBlockLimit;
    }
    std::vector<std::pair<std::string, std::string>> args = {{"pin-roots", "false"}};
    // Kubo refuses blocks over 1 MiB in dag/import too unless told.
    if (big) args.emplace_back("allow-big-block", "true");
    http::ClientRequest req = Request("dag/import", args);
    http::FormPart part;
    part.name = "file";
    part.filename = "import.car";
    part.content_type = "application/vnd.ipld.car";
    part.data.assign(reinterpret_cast<const char*>(car.data()), car.size());
    req.form.push_back(std::move(part));
    req.max_response_bytes = kMaxSmallAnswer;
    auto r = http::Fetch(req);
    if (!r.ok()) return r.status().WithContext(Prefix() + ": dag/import");
    if (r->status == 413) return false;
    if (r->status != 200) return KuboError("dag/import", *r);
    RETURN_IF_ERROR(StreamError("dag/import", *r));
    return true;
  }

  // The X-Stream-Error trailer of a streamed answer: an error the node met
  // after the answer had started. Kubo sends the message, js-ipfs a JSON
  // {"Message", "Code"}.
  Status StreamError(std::string_view command, const http::ClientResponse& r) const {
    auto e = r.Header("x-stream-error");
    if (!e || e->empty()) return Status::Ok();
    std::string message(*e);
    json j = json::parse(message, nullptr, false);
    if (!JsonStr(j, "Message").empty()) message = JsonStr(j, "Message");
    std::string what = Prefix() + ": " + std::string(command) + ": " + message;
    std::string lower = Lower(message);
    if (IsNotFoundText(lower)) return Status::NotFound(what);
    if (lower.find("timed out") != std::string::npos ||
        lower.find("deadline exceeded") != std::string::npos) {
      // js-ipfs: dag/export waits for a block the node lacks until then.
      if (command == "dag/export") what += " (is a block of the DAG missing on the node?)";
      return Status::Unavailable(what);
    }
    return Status::Internal(what);
  }

  // The node hashed the bytes itself: a different CID means it used another
  // codec or hash than asked, so the block would not be found under ours.
  Status Mismatch(const Cid& stored, const Cid& expected) const {
    return Status::Corruption(Prefix() + ": block/put stored the block as " + stored.ToString() +
                              ", expected " + expected.ToString());
  }

  static bool IsNotFoundText(const std::string& lower) {
    static const char* kPhrases[] = {"not found", "could not find", "not pinned", "no such",
                                     "does not exist"};
    for (const char* p : kPhrases) {
      if (lower.find(p) != std::string::npos) return true;
    }
    return false;
  }

  http::ClientRequest Request(std::string_view command,
                              const std::vector<std::pair<std::string, std::string>>& args) const {
    http::ClientRequest req;
    req.method = "POST";
    req.url = o_.base + "/api/v0/" + std::string(command);
    char sep = '?';
    for (const auto& [k, v] : args) {
      req.url += sep;
      req.url += http::PercentEncode(k) + "=" + http::PercentEncode(v);
      sep = '&';
    }
    req.bearer_token = o_.token;
    req.timeout_ms = o_.timeout_ms;
    return req;
  }

  Result<http::ClientResponse> Call(std::string_view command,
                                    const std::vector<std::pair<std::string, std::string>>& args,
                                    size_t max_answer, std::vector<http::FormPart> form = {},
                                    int timeout_ms = 0) const {
    http::ClientRequest req = Request(command, args);
    req.max_response_bytes = max_answer;
    if (timeout_ms > 0) req.timeout_ms = timeout_ms;
    req.form = std::move(form);
    auto r = http::Fetch(req);
    if (!r.ok()) return r.status().WithContext(Prefix() + ": " + std::string(command));
    if (r->status != 200) return KuboError(command, *r);
    return r;
  }

  // Maps a non-200 answer to a Status naming the command and what the node
  // said.
  Status KuboError(std::string_view command, const http::ClientResponse& r) const {
    json j = json::parse(r.body, nullptr, false);
    std::string message = JsonStr(j, "Message");
    std::optional<int64_t> code = JsonInt(j, "Code");
    bool is_cmd_error = !message.empty();
    std::string what = Prefix() + ": " + std::string(command) + " (HTTP " +
                       std::to_string(r.status) +
                       "): " + (is_cmd_error ? message : Snippet(r.body));
    if (r.status == 401 || r.status == 403) {
      return Status::PermissionDenied(what + " (check the backend's token)");
    }
    if (!is_cmd_error && (r.status == 404 || r.status == 405)) {
      // Not a command error: the path itself is unknown, so this is not a
      // Kubo RPC endpoint (a gateway port, a proxy) or a node too old.
      return Status::Unsupported(what + " (is " + o_.base + " the node's RPC API, port 5001?)");
    }
    if (r.status == 502 || r.status == 503 || r.status == 504) return Status::Unavailable(what);
    // js-ipfs caps request bodies at 1 MiB, multipart framing included, so
    // it cannot take the largest blocks Kubo takes with allow-big-block.
    if (r.status == 413)
      return Status::InvalidArgument(what + " (the node refuses a block this large)");
    // go-ipfs-cmds error codes: 1 = client error, 3 = not found.
    if ((code && *code == 3) || r.status == 404 || IsNotFoundText(Lower(message))) {
      return Status::NotFound(what);
    }
    // A lookup that ran into its node-side timeout: the block is not on the
    // node (a node that honours offline=true never waits; see the top).
    std::string lower = Lower(message);
    if ((command == "block/stat" || command == "block/get") &&
        (lower.find("timed out") != std::string::npos ||
         lower.find("deadline exceeded") != std::string::npos)) {
      return Status::NotFound(what + " (not found on the node within " +
                              std::to_string(o_.lookup_timeout_ms) + " ms)");
    }
    if ((code && *code == 1) || r.status == 400) return Status::InvalidArgument(what);
    return Status::Internal(what);
  }

  // One JSON value of pin/ls output: {"Cid": "...", "Type": "recursive"}
  // (streamed) or {"Keys": {"<cid>": {"Type": "recursive"}}}. Only recursive
  // pins are reported; fn returning false stops the walk.
  Status ParsePinLsLine(std::string_view line, const std::function<bool(const Cid&)>& fn) const {
    size_t b = line.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return Status::Ok();
    json j = json::parse(line.substr(b), nullptr, false);
    if (!j.is_object()) {
      return Status::Corruption(Prefix() + ": pin/ls: answer is not JSON: " + Snippet(line));
    }
    bool more = true;
    auto report = [&](const std::string& text, const json& type) -> Status {
      if (!type.is_string() || type.get<std::string>() != "recursive") return Status::Ok();
      auto c = Cid::Parse(text);
      if (!c.ok()) {
        return Status::Corruption(Prefix() + ": pin/ls: bad CID \"" + Snippet(text) + "\"");
      }
      more = fn(*c);
      return Status::Ok();
    };
    if (auto keys = j.find("Keys"); keys != j.end() && keys->is_object()) {
      for (const auto& [k, v] : keys->items()) {
        if (!v.is_object() || !v.contains("Type")) continue;
        RETURN_IF_ERROR(report(k, v["Type"]));
        if (!more) break;
      }
      return Status::Ok();
    }
    if (auto cid = j.find("Cid"); cid != j.end() && cid->is_string()) {
      return report(cid->get<std::string>(), j.contains("Type") ? j["Type"] : json());
    }
    if (!JsonStr(j, "Message").empty()) {
      return Status::Internal(Prefix() + ": pin/ls: " + JsonStr(j, "Message"));
    }
    return Status::Corruption(Prefix() + ": pin/ls: unexpected answer: " + Snippet(line));
  }

  BackendConfig config_;
  KuboOptions o_;
  // Set once the node has shown it ignores cid-codec (see Put).
  std::atomic<bool> legacy_format_{false};
  // 0, or the request body limit assumed after a 413 to dag/import.
  std::atomic<size_t> body_limit_{0};
};

// A whole number of milliseconds >= 1 from params[name], if set.
Status ReadMillis(const BackendConfig& c, const std::string& name, int* out) {
  auto it = c.params.find(name);
  if (it == c.params.end()) return Status::Ok();
  const std::string& s = it->second;
  bool digits = !s.empty() && s.size() <= 9 &&
                std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  if (!digits || std::stoi(s) < 1) {
    return Status::InvalidArgument("backends." + c.name + ".params." + name +
                                   ": must be a whole number of milliseconds >= 1");
  }
  *out = std::stoi(s);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Backend>> NewKuboBackend(const BackendConfig& c) {
  const std::string key = "backends." + c.name + ".params.";
  static const std::set<std::string> kKnown = {"url", "token", "timeout_ms", "pin_timeout_ms",
                                               "lookup_timeout_ms"};
  for (const auto& [k, v] : c.params) {
    if (!kKnown.contains(k)) {
      return Status::InvalidArgument(
          key + k + ": unknown key (kubo takes url, token, timeout_ms, pin_timeout_ms, " +
          "lookup_timeout_ms)");
    }
  }
  auto url = c.params.find("url");
  if (url == c.params.end() || url->second.empty()) {
    return Status::InvalidArgument(key +
                                   "url: missing (the node's RPC API, e.g. http://127.0.0.1:5001)");
  }
  KuboOptions o;
  o.base = url->second;
  if (!o.base.starts_with("http://") && !o.base.starts_with("https://")) {
    return Status::InvalidArgument(key + "url: must start with http:// or https://");
  }
  while (o.base.ends_with("/")) o.base.pop_back();
  // Accept the RPC prefix users often copy along with the address.
  if (o.base.ends_with("/api/v0")) o.base.resize(o.base.size() - 7);
  RETURN_IF_ERROR(ReadMillis(c, "timeout_ms", &o.timeout_ms));
  RETURN_IF_ERROR(ReadMillis(c, "pin_timeout_ms", &o.pin_timeout_ms));
  RETURN_IF_ERROR(ReadMillis(c, "lookup_timeout_ms", &o.lookup_timeout_ms));
  if (auto t = c.params.find("token"); t != c.params.end()) o.token = t->second;
  return std::unique_ptr<Backend>(new KuboBackend(c, std::move(o)));
}

}  // namespace ipfs_kit::backends
