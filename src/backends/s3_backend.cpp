// The `s3` backend: blocks and pin records as objects in an S3-compatible
// bucket, signed with SigV4 by libcurl. Object layout: docs/backends.md.
//
// curl 7.88's signer (DESIGN §13) signs the path and the query exactly as
// given and hashes only POSTFIELDS bodies, and does not add
// x-amz-content-sha256. So every request here is built canonical: keys are
// percent-encoded by us (RFC 3986 unreserved set, '/' kept), query pairs are
// encoded and sorted by us, and x-amz-content-sha256 is the hex SHA-256 of
// the exact body sent (the empty-string hash for GET, HEAD and DELETE).
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "backend_factories.h"
#include "ipfs_kit/blockstore/blockstore.h"
#include "ipfs_kit/http/client.h"
#include "ipfs_kit/multiformats/multibase.h"
#include "ipfs_kit/multiformats/sha.h"

namespace ipfs_kit::backends {
namespace {

using multiformats::kIdentity;
using Query = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr size_t kDefaultMultipartThreshold = 8 << 20;
// S3 allows at most 10000 parts per upload.
constexpr size_t kMaxParts = 10000;

std::string Sha256Hex(std::string_view data) {
  multiformats::Sha256Digest d = multiformats::Sha256(AsBytes(data));
  return HexEncode(d);
}

std::string XmlUnescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    static const std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool done = false;
    for (const auto& [entity, c] : kEntities) {
      if (s.substr(i, entity.size()) == entity) {
        out.push_back(c);
        i += entity.size() - 1;
        done = true;
        break;
      }
    }
    if (!done) out.push_back('&');
  }
  return out;
}


// Text of each <tag>...</tag> in `xml`, unescaped. S3 answers are flat
// enough that a scan for the element names we need is all the parsing
// required (no attributes on these elements, no CDATA).
std::vector<std::string> XmlAll(std::string_view xml, std::string_view tag) {
  std::vector<std::string> out;
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  size_t pos = 0;
  for (;;) {
    size_t b = xml.find(open, pos);
    if (b == std::string_view::npos) break;
    b += open.size();
    size_t e = xml.find(close, b);
    if (e == std::string_view::npos) break;
    out.push_back(XmlUnescape(xml.substr(b, e - b)));
    pos = e + close.size();
  }
  return out;
}

std::string XmlFirst(std::string_view xml, std::string_view tag) {
  std::vector<std::string> all = XmlAll(xml, tag);
  return all.empty() ? std::string() : all.front();
}

std::string CanonicalQuery(const Query& query) {
  std::vector<std::pair<std::string, std::string>> enc;
  enc.reserve(query.size());
  for (const auto& [k, v] : query) enc.emplace_back(http::PercentEncode(k), http::PercentEncode(v));
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [k, v] : enc) {
    if (!out.empty()) out.push_back('&');
    out += k + "=" + v;
  }
  return out;
}

Result<size_t> ParsePositive(const BackendConfig& c, const std::string& key, size_t def) {
  auto it = c.params.find(key);
  if (it == c.params.end() || it->second.empty()) return def;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(it->second.c_str(), &end, 10);
  if (errno != 0 || end == it->second.c_str() || *end != '\0' || v == 0 ||
      it->second.front() == '-') {
    return Status::InvalidArgument("backends." + c.name + ".params." + key + ": \"" + it->second +
                                   "\" is not a positive integer");
  }
  return static_cast<size_t>(v);
}

class S3Backend : public Backend {
 public:
  static Result<std::unique_ptr<Backend>> Make(const BackendConfig& c) {
    auto param = [&](const std::string& k) -> std::string {
      auto it = c.params.find(k);
      return it == c.params.end() ? std::string() : it->second;
    };
    auto missing = [&](const std::string& k) {
      return Status::InvalidArgument("backends." + c.name + ".params." + k + ": missing");
    };
    auto b = std::unique_ptr<S3Backend>(new S3Backend(c));
    std::string endpoint = param("endpoint");
    if (endpoint.empty()) return missing("endpoint");
    size_t scheme_end = endpoint.find("://");
    std::string scheme = scheme_end == std::string::npos ? "" : endpoint.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https") {
      return Status::InvalidArgument("backends." + c.name + ".params.endpoint: \"" + endpoint +
                                     "\" is not an http:// or https:// URL");
    }
    std::string rest = endpoint.substr(scheme_end + 3);
    while (rest.ends_with('/')) rest.pop_back();
    size_t slash = rest.find('/');
    b->scheme_ = scheme;
    b->host_ = rest.substr(0, slash);
    b->base_path_ = slash == std::string::npos ? "" : rest.substr(slash);
    if (b->host_.empty()) {
      return Status::InvalidArgument("backends." + c.name + ".params.endpoint: \"" + endpoint +
                                     "\" has no host");
    }
    b->bucket_ = param("bucket");
    if (b->bucket_.empty()) return missing("bucket");
    std::string addressing = param("addressing");
    if (addressing.empty() || addressing == "path") {
      b->virtual_host_ = false;
    } else if (addressing == "virtual") {
      b->virtual_host_ = true;
      // The bucket becomes a host name label.
      for (char ch : b->bucket_) {
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.')) {
          return Status::InvalidArgument("backends." + c.name + ".params.bucket: \"" + b->bucket_ +
                                         "\" cannot be used with virtual-host addressing "
                                         "(only a-z, 0-9, '-' and '.')");
        }
      }
    } else {
      return Status::InvalidArgument("backends." + c.name + ".params.addressing: \"" + addressing +
                                     "\" is not \"path\" or \"virtual\"");
    }
    std::string region = param("region");
    if (region.empty()) region = "us-east-1";
    std::string access = param("access_key"), secret = param("secret_key");
    if (access.empty() != secret.empty()) {
      return access.empty() ? missing("access_key") : missing("secret_key");
    }
    if (!access.empty()) {
      b->sigv4_ = http::SigV4{"aws:amz:" + region + ":s3", access, secret};
    }
    std::string prefix = param("prefix");
    while (prefix.starts_with('/')) prefix.erase(0, 1);
    while (prefix.ends_with('/')) prefix.pop_back();
    b->prefix_ = prefix.empty() ? "" : prefix + "/";
    ASSIGN_OR_RETURN(b->multipart_threshold_,
                     ParsePositive(c, "multipart_threshold", kDefaultMultipartThreshold));
    ASSIGN_OR_RETURN(b->list_page_size_, ParsePositive(c, "list_page_size", 1000));
    if (b->list_page_size_ > 1000) b->list_page_size_ = 1000;  // S3's own maximum
    return std::unique_ptr<Backend>(std::move(b));
  }

  const BackendConfig& config() const override { return config_; }
  Capabilities capabilities() const override { return Capabilities{}; }

  Result<bool> Has(const Cid& cid) override {
    if (cid.hash().code == kIdentity) return true;
    ASSIGN_OR_RETURN(http::ClientResponse r, Send("HEAD", BlockKey(cid), {}, ""));
    if (r.status == 200) return true;
    if (r.status == 404) return false;
    return ErrorFor("HEAD block " + cid.ToString(), r);
  }

  Result<Bytes> Get(const Cid& cid) override {
    if (cid.hash().code == kIdentity) return cid.hash().digest;
    Result<http::ClientResponse> r =
        Send("GET", BlockKey(cid), {}, "", {}, blockstore::kMaxBlockSize);
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kInvalidArgument) {
        return Status::Corruption("block " + cid.ToString() + " on s3 backend " + name() +
                                  " is larger than the " +
                                  std::to_string(blockstore::kMaxBlockSize) + "-byte block limit");
      }
      return r.status();
    }
    if (r->status == 404) {
      return Status::NotFound("block " + cid.ToString() + " not found on s3 backend " + name());
    }
    if (r->status != 200) return ErrorFor("GET block " + cid.ToString(), *r);
    return Bytes(r->body.begin(), r->body.end());
  }

  Status Put(const Cid& cid, ByteView data) override {
    if (cid.hash().code == kIdentity) return Status::Ok();  // inline, never stored
    ByteView parts[1] = {data};
    RETURN_IF_ERROR(blockstore::CheckedBlockSize(cid, parts).status());
    return PutObject(BlockKey(cid), std::string(AsString(data)), "application/octet-stream")
        .WithContext("put block " + cid.ToString());
  }

  Status Delete(const Cid& cid) override {
    if (cid.hash().code == kIdentity) return Status::Ok();
    ASSIGN_OR_RETURN(http::ClientResponse r, Send("DELETE", BlockKey(cid), {}, ""));
    // S3 answers 204 whether or not the key existed; some stores say 404.
    if (r.status == 200 || r.status == 204 || r.status == 404) return Status::Ok();
    return ErrorFor("DELETE block " + cid.ToString(), r);
  }

  Status Pin(const Cid& root, const PinRequest& request) override {
    // A pin record promises the DAG is here; at least its root must be.
    ASSIGN_OR_RETURN(bool has_root, Has(root));
    if (!has_root) {
      return Status::NotFound("cannot pin " + root.ToString() + " on s3 backend " + name() +
                              ": its root block is not stored there (copy the DAG first)");
    }
    nlohmann::json j;
    j["cid"] = root.ToString();
    j["name"] = request.name;
    j["created"] = static_cast<int64_t>(std::time(nullptr));
    if (!request.origins.empty()) j["origins"] = request.origins;
    if (!request.meta.empty()) j["meta"] = request.meta;
    return PutObject(PinKey(root), j.dump() + "\n", "application/json")
        .WithContext("pin " + root.ToString());
  }

  Result<PinInfo> PinStatus(const Cid& root) override {
    ASSIGN_OR_RETURN(http::ClientResponse r, Send("HEAD", PinKey(root), {}, ""));
    PinInfo info;
    if (r.status == 200) {
      info.state = PinState::kPinned;
    } else if (r.status == 404) {
      info.state = PinState::kAbsent;
    } else {
      return ErrorFor("HEAD pin " + root.ToString(), r);
    }
    return info;
  }

  Status Unpin(const Cid& root) override {
    ASSIGN_OR_RETURN(http::ClientResponse r, Send("DELETE", PinKey(root), {}, ""));
    if (r.status == 200 || r.status == 204 || r.status == 404) return Status::Ok();
    return ErrorFor("DELETE pin " + root.ToString(), r);
  }

  Status ListPins(const std::function<bool(const Cid&)>& fn) override {
    const std::string pins_prefix = prefix_ + "pins/";
    bool stop = false;
    std::string token;
    do {
      bool truncated = false;
      RETURN_IF_ERROR(ListPage(pins_prefix, list_page_size_, &token, &truncated, [&](const std::string& key) {
        // Foreign objects under pins/ (not a CID) are not ours: skip them.
        Result<Cid> cid = Cid::Parse(std::string_view(key).substr(pins_prefix.size()));
        if (cid.ok() && !fn(*cid)) stop = true;
        return !stop;
      }));
      if (!truncated) break;
    } while (!stop);
    return Status::Ok();
  }

  Result<Probe> Check() override {
    // One list request proves the endpoint answers, the bucket exists and
    // the credentials sign correctly (a HEAD would carry no error code).
    Probe probe;
    std::string token;
    bool truncated = false;
    int64_t pins = 0;
    RETURN_IF_ERROR(ListPage(prefix_ + "pins/", list_page_size_, &token, &truncated, [&](const std::string&) {
      ++pins;
      return true;
    }));
    // Counting every pin would cost one request per page on each probe;
    // past one page the count is left unknown.
    if (!truncated) probe.pin_count = pins;
    probe.detail = "bucket " + bucket_ + " at " + scheme_ + "://" + host_ + base_path_ +
                   (virtual_host_ ? " (virtual-host)" : " (path-style)");
    return probe;
  }

 private:
  explicit S3Backend(BackendConfig c) : config_(std::move(c)) {}

  std::string BlockKey(const Cid& cid) const {
    return prefix_ + "blocks/" +
           multiformats::EncodeBase(multiformats::Multibase::kBase32Upper, cid.hash().ToBytes());
  }
  std::string PinKey(const Cid& cid) const { return prefix_ + "pins/" + cid.ToV1().ToString(); }

  // URL of `key` in the bucket ("" is the bucket itself), with the query in
  // canonical form: the URL is exactly what curl signs.
  std::string Url(std::string_view key, const Query& query) const {
    std::string path = http::PercentEncode(key, /*keep_slash=*/true);
    std::string url;
    if (virtual_host_) {
      url = scheme_ + "://" + bucket_ + "." + host_ + base_path_ + "/" + path;
    } else {
      url = scheme_ + "://" + host_ + base_path_ + "/" + http::PercentEncode(bucket_) +
            (key.empty() ? "" : "/" + path);
    }
    if (!query.empty()) url += "?" + CanonicalQuery(query);
    return url;
  }

  Result<http::ClientResponse> Send(const std::string& method, std::string_view key,
                                    const Query& query, std::string body,
                                    http::HeaderList extra = {},
                                    size_t max_bytes = 16 << 20) const {
    http::ClientRequest req;
    req.method = method;
    req.url = Url(key, query);
    req.headers.emplace_back("x-amz-content-sha256", body.empty() ? kEmptySha256 : Sha256Hex(body));
    for (auto& h : extra) req.headers.push_back(std::move(h));
    req.body = std::move(body);
    req.sigv4 = sigv4_;
    req.max_response_bytes = max_bytes;
    Result<http::ClientResponse> r = http::Fetch(req);
    if (!r.ok()) return r.status().WithContext("s3 backend " + name());
    return r;
  }

  // An HTTP answer that is not what the operation expects, as a Status whose
  // message carries S3's error code (e.g. SignatureDoesNotMatch).
  Status ErrorFor(const std::string& what, const http::ClientResponse& r) const {
    std::string code = XmlFirst(r.body, "Code");
    std::string message = XmlFirst(r.body, "Message");
    std::string text = "s3 backend " + name() + ": " + what + ": HTTP " + std::to_string(r.status);
    if (!code.empty()) text += " " + code;
    if (!message.empty()) text += ": " + message;
    if (r.status == 401 || r.status == 403) return Status::PermissionDenied(text);
    if (r.status == 404) return Status::NotFound(text);
    if (r.status == 408 || r.status == 429 || r.status >= 500) return Status::Unavailable(text);
    return Status::Internal(text);
  }

  // One ListObjectsV2 page under `prefix`; *token is the continuation token
  // in and out.
  Status ListPage(const std::string& prefix, size_t max_keys, std::string* token, bool* truncated,
                  const std::function<bool(const std::string&)>& fn) const {
    Query q = {{"list-type", "2"}, {"prefix", prefix}, {"max-keys", std::to_string(max_keys)}};
    if (!token->empty()) q.emplace_back("continuation-token", *token);
    ASSIGN_OR_RETURN(http::ClientResponse r, Send("GET", "", q, ""));
    if (r.status != 200) return ErrorFor("list " + prefix, r);
    *truncated = XmlFirst(r.body, "IsTruncated") == "true";
    *token = XmlFirst(r.body, "NextContinuationToken");
    if (*truncated && token->empty()) {
      return Status::Internal("s3 backend " + name() +
                              ": truncated listing without NextContinuationToken");
    }
    for (const std::string& key : XmlAll(r.body, "Key")) {
      if (!fn(key)) break;
    }
    return Status::Ok();
  }

  // PUT of one object; above the multipart threshold, a multipart upload
  // (aborted on failure, so no half-uploaded parts are left billed).
  Status PutObject(const std::string& key, std::string body, const std::string& content_type) {
    if (body.size() > multipart_threshold_) return PutMultipart(key, body, content_type);
    ASSIGN_OR_RETURN(http::ClientResponse r,
                     Send("PUT", key, {}, std::move(body), {{"Content-Type", content_type}}));
    if (r.status != 200) return ErrorFor("PUT " + key, r);
    return Status::Ok();
  }

  Status PutMultipart(const std::string& key, const std::string& body,
                      const std::string& content_type) {
    size_t part_size = std::max(multipart_threshold_, (body.size() + kMaxParts - 1) / kMaxParts);
    ASSIGN_OR_RETURN(http::ClientResponse created,
                     Send("POST", key, {{"uploads", ""}}, "", {{"Content-Type", content_type}}));
    if (created.status != 200) return ErrorFor("create multipart upload of " + key, created);
    std::string upload_id = XmlFirst(created.body, "UploadId");
    if (upload_id.empty()) {
      return Status::Internal("s3 backend " + name() + ": create multipart upload of " + key +
                              ": no UploadId in the answer");
    }
    Status st = UploadParts(key, body, part_size, upload_id);
    if (!st.ok()) {
      // Best effort: the original error is what the caller needs.
      (void)Send("DELETE", key, {{"uploadId", upload_id}}, "");
    }
    return st;
  }

  Status UploadParts(const std::string& key, const std::string& body, size_t part_size,
                     const std::string& upload_id) {
    std::string complete = "<CompleteMultipartUpload>";
    int part_number = 0;
    for (size_t off = 0; off < body.size(); off += part_size) {
      ++part_number;
      std::string part = body.substr(off, part_size);
      ASSIGN_OR_RETURN(
          http::ClientResponse r,
          Send("PUT", key, {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}},
               std::move(part)));
      if (r.status != 200) {
        return ErrorFor("upload part " + std::to_string(part_number) + " of " + key, r);
      }
      std::optional<std::string_view> etag = r.Header("etag");
      if (!etag) {
        return Status::Internal("s3 backend " + name() + ": upload part " +
                                std::to_string(part_number) + " of " + key + ": no ETag");
      }
      complete += "<Part><PartNumber>" + std::to_string(part_number) + "</PartNumber><ETag>" +
                  http::MarkupEscape(*etag) + "</ETag></Part>";
    }
    complete += "</CompleteMultipartUpload>";
    ASSIGN_OR_RETURN(http::ClientResponse r,
                     Send("POST", key, {{"uploadId", upload_id}}, std::move(complete),
                          {{"Content-Type", "application/xml"}}));
    // S3 may answer 200 and still report a failure in the body.
    if (r.status != 200 || r.body.find("<Error>") != std::string::npos) {
      return ErrorFor("complete multipart upload of " + key, r);
    }
    return Status::Ok();
  }

  BackendConfig config_;
  std::string scheme_;
  std::string host_;       // host[:port]
  std::string base_path_;  // endpoint path, "" or "/something"
  std::string bucket_;
  bool virtual_host_ = false;
  std::optional<http::SigV4> sigv4_;
  std::string prefix_;  // "" or "some/prefix/"
  size_t multipart_threshold_ = kDefaultMultipartThreshold;
  size_t list_page_size_ = 1000;  // keys per ListObjectsV2 page
};

}  // namespace

Result<std::unique_ptr<Backend>> NewS3Backend(const BackendConfig& c) { return S3Backend::Make(c); }

}  // namespace ipfs_kit::backends
