// The `gateway` backend: a read-only client of a trustless gateway
// (https://specs.ipfs.tech/http-gateways/trustless-gateway/). Blocks come
// from GET /ipfs/{cid}?format=raw, whole DAGs from ?format=car; nothing can
// be stored or pinned.
#include <cstdint>

#include "backend_factories.h"
#include "ipfs_kit/blockstore/blockstore.h"
#include "ipfs_kit/http/client.h"

namespace ipfs_kit::backends {
namespace {

using multiformats::kIdentity;

// The identity CID of the empty raw block: every trustless gateway can
// answer it without any storage, so it probes the gateway itself.
constexpr const char* kProbeCid = "bafkqaaa";

// A whole DAG as one CAR, asked for in depth-first pre-order (WalkDag's
// order) without duplicates (IPIP-412). ReadDagCar only needs every block
// to come after one that links to it, which a gateway ignoring these
// parameters still does in practice; duplicates it would skip.
constexpr const char* kCarAccept = "application/vnd.ipld.car; version=1; order=dfs; dups=n";
// A CAR answer streams a whole DAG, so it gets far longer than a block.
constexpr int kCarTimeoutMs = 3600 * 1000;

class GatewayBackend : public Backend {
 public:
  GatewayBackend(BackendConfig c, std::string url) : config_(std::move(c)), url_(std::move(url)) {}

  const BackendConfig& config() const override { return config_; }
  Capabilities capabilities() const override {
    Capabilities caps;
    caps.read_only = true;
    caps.stores_blocks = false;
    caps.car_export = true;
    return caps;
  }

  Result<bool> Has(const Cid& cid) override {
    if (cid.hash().code == kIdentity) return true;
    ASSIGN_OR_RETURN(http::ClientResponse r, Request("HEAD", cid.ToString()));
    if (r.status == 200) return true;
    if (r.status == 404 || r.status == 410) return false;
    return ErrorFor("HEAD " + cid.ToString(), r);
  }

  Result<Bytes> Get(const Cid& cid) override {
    if (cid.hash().code == kIdentity) return cid.hash().digest;
    Result<http::ClientResponse> r = Request("GET", cid.ToString());
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kInvalidArgument) {
        return Status::Corruption("block " + cid.ToString() + " from gateway backend " + name() +
                                  " is larger than the " +
                                  std::to_string(blockstore::kMaxBlockSize) + "-byte block limit");
      }
      return r.status();
    }
    if (r->status == 404 || r->status == 410) {
      return Status::NotFound("block " + cid.ToString() + " not found on gateway backend " +
                              name());
    }
    if (r->status != 200) return ErrorFor("GET " + cid.ToString(), *r);
    return Bytes(r->body.begin(), r->body.end());
  }

  // GET /ipfs/{root}?format=car&dag-scope=all, read as it streams in.
  Status ExportCar(const Cid& root,
                   const std::function<Status(const Cid&, ByteView)>& on_block) override {
    const std::string target = "/ipfs/" + root.ToString() + "?format=car&dag-scope=all";
    const std::string what = "export of " + root.ToString() + " from gateway backend " + name();
    auto produce = [&](const CarSink& sink) -> Status {
      http::ClientRequest req;
      req.url = url_ + target;
      // The parameter alone is enough for the spec; some gateways only look
      // at the header, older ones only at the parameter.
      req.headers = {{"Accept", kCarAccept}};
      req.timeout_ms = kCarTimeoutMs;
      // The answer is streamed: ReadDagCar bounds memory (one block) and
      // DagTracker the number of blocks, so no size limit is needed here.
      req.max_response_bytes = SIZE_MAX;
      req.on_body = sink;
      Result<http::ClientResponse> r = http::Fetch(req);
      if (!r.ok()) return r.status().WithContext("gateway backend " + name());
      if (r->status == 200) return Status::Ok();
      if (r->status == 404 || r->status == 410) {
        return Status::NotFound("DAG " + root.ToString() + " not found on gateway backend " +
                                name());
      }
      // 406 Not Acceptable, 501 Not Implemented: no CARs here; 400/415:
      // a gateway that does not know the format at all.
      if (r->status == 400 || r->status == 406 || r->status == 415 || r->status == 501) {
        return Status::Unsupported(ErrorFor("GET " + target, *r).message() +
                                   " (the gateway does not serve CARs)");
      }
      return ErrorFor("GET " + target, *r);
    };
    return ReadDagCar(what, root, produce, on_block);
  }

  Status Put(const Cid&, ByteView) override { return ReadOnly("store blocks"); }
  Status Delete(const Cid&) override { return ReadOnly("delete blocks"); }
  Status Pin(const Cid&, const PinRequest&) override { return ReadOnly("pin"); }
  Result<PinInfo> PinStatus(const Cid&) override { return PinInfo{}; }
  Status Unpin(const Cid&) override { return ReadOnly("unpin"); }
  Status ListPins(const std::function<bool(const Cid&)>&) override { return Status::Ok(); }

  Result<Probe> Check() override {
    ASSIGN_OR_RETURN(http::ClientResponse r, Request("GET", kProbeCid));
    if (r.status != 200) return ErrorFor("probe GET /ipfs/" + std::string(kProbeCid), r);
    if (!r.body.empty()) {
      return Status::Corruption("gateway backend " + name() + " answered /ipfs/" + kProbeCid +
                                " (the empty block) with " + std::to_string(r.body.size()) +
                                " bytes");
    }
    Probe probe;
    probe.detail = "trustless gateway at " + url_;
    return probe;
  }

 private:
  Result<http::ClientResponse> Request(const std::string& method, const std::string& cid) const {
    http::ClientRequest req;
    req.method = method;
    req.url = url_ + "/ipfs/" + cid + "?format=raw";
    req.headers = {{"Accept", "application/vnd.ipld.raw"}};
    req.max_response_bytes = blockstore::kMaxBlockSize;
    Result<http::ClientResponse> r = http::Fetch(req);
    if (!r.ok()) return r.status().WithContext("gateway backend " + name());
    return r;
  }

  Status ErrorFor(const std::string& what, const http::ClientResponse& r) const {
    std::string text =
        "gateway backend " + name() + ": " + what + ": HTTP " + std::to_string(r.status);
    std::string body = r.body.substr(0, 200);
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
    if (!body.empty()) text += ": " + body;
    if (r.status == 401 || r.status == 403) return Status::PermissionDenied(text);
    if (r.status == 408 || r.status == 429 || r.status >= 500) return Status::Unavailable(text);
    return Status::Internal(text);
  }

  Status ReadOnly(const std::string& what) const {
    return Status::Unsupported("gateway backend " + name() + " is read-only: cannot " + what);
  }

  BackendConfig config_;
  std::string url_;  // no trailing '/'
};

}  // namespace

Result<std::unique_ptr<Backend>> NewGatewayBackend(const BackendConfig& c) {
  auto it = c.params.find("url");
  if (it == c.params.end() || it->second.empty()) {
    return Status::InvalidArgument("backends." + c.name + ".params.url: missing");
  }
  std::string url = it->second;
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return Status::InvalidArgument("backends." + c.name + ".params.url: \"" + url +
                                   "\" is not an http:// or https:// URL");
  }
  while (url.ends_with('/')) url.pop_back();
  return std::unique_ptr<Backend>(new GatewayBackend(c, std::move(url)));
}

}  // namespace ipfs_kit::backends
