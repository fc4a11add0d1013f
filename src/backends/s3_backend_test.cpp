// The `s3` backend against a real S3 implementation whose SigV4 checks are
// real: s3rver behind a signature-verifying gate (tests/interop/services/).
//
// Environment (the test is skipped when IPFS_KIT_TEST_S3_ENDPOINT is unset):
//   IPFS_KIT_TEST_S3_ENDPOINT    the gate, e.g. http://127.0.0.1:4569
//   IPFS_KIT_TEST_S3_BUCKET      an existing bucket (default ipfs-kit-test)
//   IPFS_KIT_TEST_S3_ACCESS_KEY  (default S3RVER)
//   IPFS_KIT_TEST_S3_SECRET_KEY  (default S3RVER)
//   IPFS_KIT_TEST_S3_REGION      (default us-east-1)
// Every test works under its own key prefix, so runs never see each other.
// The configuration tests at the end need no server.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "ipfs_kit/backends/backend.h"
#include "ipfs_kit/blockstore/blockstore.h"
#include "ipfs_kit/dagpb/dag_pb.h"
#include "ipfs_kit/http/client.h"
#include "ipfs_kit/multiformats/multibase.h"

// Readable CIDs in assertion failures.
namespace ipfs_kit::multiformats {
void PrintTo(const Cid& c, std::ostream* os) { *os << c.ToString(); }
}  // namespace ipfs_kit::multiformats

namespace ipfs_kit::backends {
namespace {

using multiformats::kCodecDagPb;
using multiformats::kCodecRaw;

constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string Env(const char* name, const char* def) {
  const char* v = std::getenv(name);
  return v && *v ? v : def;
}

struct S3Env {
  std::string endpoint, bucket, access_key, secret_key, region;
};

std::optional<S3Env> FromEnv() {
  const char* ep = std::getenv("IPFS_KIT_TEST_S3_ENDPOINT");
  if (!ep || !*ep) return std::nullopt;
  return S3Env{ep, Env("IPFS_KIT_TEST_S3_BUCKET", "ipfs-kit-test"),
               Env("IPFS_KIT_TEST_S3_ACCESS_KEY", "S3RVER"),
               Env("IPFS_KIT_TEST_S3_SECRET_KEY", "S3RVER"),
               Env("IPFS_KIT_TEST_S3_REGION", "us-east-1")};
}

int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A forward proxy (curl uses it when http_proxy is set) that turns curl's
// absolute-form requests ("GET http://bucket.s3.amazonaws.com/key") into
// origin-form requests to the endpoint under test, leaving the signed Host
// header alone. It lets a virtual-host request reach a local S3 under the
// host name S3 expects, shows the tests which requests were made, and can
// fail chosen requests the way S3 would.
class OriginFormProxy {
 public:
  explicit OriginFormProxy(int upstream_port) : upstream_port_(upstream_port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] {
      for (;;) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) {
          if (stop_) return;
          continue;
        }
        std::lock_guard<std::mutex> lock(mu_);
        workers_.emplace_back([this, c] {
          Relay(c);
          ::close(c);
        });
      }
    });
  }
  ~OriginFormProxy() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    acceptor_.join();
    for (auto& t : workers_) t.join();
  }
  int port() const { return port_; }
  std::vector<std::string> hosts() {
    std::lock_guard<std::mutex> lock(mu_);
    return hosts_;
  }
  // "METHOD /path?query" of every request, in arrival order.
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  // Requests whose line contains `s` get a 500 InternalError from the proxy.
  void FailRequestsContaining(std::string s) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = std::move(s);
  }

 private:
  static bool SendAll(int fd, std::string_view s) {
    while (!s.empty()) {
      ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      s.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  void Relay(int client) {
    std::string buf;
    char chunk[65536];
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(client, chunk, sizeof chunk, 0);
      if (n <= 0) return;
      buf.append(chunk, static_cast<size_t>(n));
    }
    std::string head = buf.substr(0, end + 2), rest = buf.substr(end + 4);
    size_t eol = head.find("\r\n");
    std::string line = head.substr(0, eol);
    size_t sp1 = line.find(' '), scheme = line.find("://"), sp2 = line.rfind(' ');
    size_t path = line.find('/', scheme + 3);
    std::string origin = line.substr(path, sp2 - path);
    std::string out = line.substr(0, sp1 + 1) + origin + line.substr(sp2) + "\r\n";
    bool fail = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(line.substr(0, sp1) + " " + origin);
      fail = !fail_.empty() && requests_.back().find(fail_) != std::string::npos;
    }
    if (fail) {
      std::string body =
          "<?xml version=\"1.0\"?><Error><Code>InternalError</Code><Message>injected by the "
          "test</Message></Error>";
      SendAll(client,
              "HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body);
      return;
    }
    for (size_t pos = eol + 2; pos < head.size();) {
      size_t e = head.find("\r\n", pos);
      std::string h = head.substr(pos, e - pos);
      pos = e + 2;
      std::string lower = h;
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (lower.starts_with("proxy-connection:") || lower.starts_with("connection:")) continue;
      if (lower.starts_with("host:")) {
        std::lock_guard<std::mutex> lock(mu_);
        std::string value = h.substr(h.find(':') + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        hosts_.push_back(value);
      }
      out += h + "\r\n";
    }
    // One request per connection: the next request line would be
    // absolute-form again.
    out += "Connection: close\r\n\r\n" + rest;
    int up = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
    if (::connect(up, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || !SendAll(up, out)) {
      ::close(up);
      return;
    }
    pollfd fds[2] = {{client, POLLIN, 0}, {up, POLLIN, 0}};
    bool client_open = true;
    for (;;) {
      if (::poll(fds, 2, -1) < 0) break;
      if (fds[1].revents) {
        ssize_t n = ::recv(up, chunk, sizeof chunk, 0);
        if (n <= 0 || !SendAll(client, std::string_view(chunk, static_cast<size_t>(n)))) break;
      }
      if (client_open && fds[0].revents) {
        ssize_t n = ::recv(client, chunk, sizeof chunk, 0);
        if (n <= 0) {
          client_open = false;
          fds[0].fd = -1;
          ::shutdown(up, SHUT_WR);
        } else if (!SendAll(up, std::string_view(chunk, static_cast<size_t>(n)))) {
          break;
        }
      }
    }
    ::close(up);
  }

  int upstream_port_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<std::string> hosts_;
  std::vector<std::string> requests_;
  std::string fail_;
};

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class S3Test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto env = FromEnv();
    if (!env) {
      GTEST_SKIP() << "IPFS_KIT_TEST_S3_ENDPOINT is not set (a SigV4-checking S3 endpoint: "
                      "tests/interop/services/start-s3.sh)";
    }
    env_ = *env;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    prefix_ = "t" + std::to_string(::getpid()) + "-" + std::to_string(std::time(nullptr)) + "/" +
              info->name();
  }

  std::map<std::string, std::string> Params() const {
    return {{"endpoint", env_.endpoint},     {"bucket", env_.bucket},
            {"access_key", env_.access_key}, {"secret_key", env_.secret_key},
            {"region", env_.region},         {"prefix", prefix_}};
  }

  std::unique_ptr<Backend> Make(std::map<std::string, std::string> extra = {},
                                const std::string& name = "s3test") {
    BackendConfig c;
    c.name = name;
    c.type = "s3";
    c.params = Params();
    for (auto& [k, v] : extra) c.params[k] = v;
    auto b = MakeBackend(c, "");
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? std::move(b).value() : nullptr;
  }

  // A signed request of our own, to look at objects the backend wrote.
  http::ClientResponse Raw(const std::string& method, const std::string& path_and_query) {
    http::ClientRequest req;
    req.method = method;
    req.url = env_.endpoint + "/" + env_.bucket + "/" + path_and_query;
    req.headers = {{"x-amz-content-sha256", kEmptySha256}};
    req.sigv4 = http::SigV4{"aws:amz:" + env_.region + ":s3", env_.access_key, env_.secret_key};
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : http::ClientResponse{};
  }

  // A proxy in front of the endpoint, or null when the endpoint is not on
  // this machine (the proxy connects to 127.0.0.1).
  std::unique_ptr<OriginFormProxy> LocalProxy() const {
    size_t colon = env_.endpoint.rfind(':');
    bool local = env_.endpoint.starts_with("http://127.0.0.1:") ||
                 env_.endpoint.starts_with("http://localhost:");
    if (!local || colon == std::string::npos) return nullptr;
    return std::make_unique<OriginFormProxy>(std::atoi(env_.endpoint.c_str() + colon + 1));
  }

  std::string BlockKey(const Cid& c) const {
    return prefix_ + "/blocks/" +
           multiformats::EncodeBase(multiformats::Multibase::kBase32Upper, c.hash().ToBytes());
  }

  S3Env env_;
  std::string prefix_;
};

std::vector<Cid> Pins(Backend& b) {
  std::vector<Cid> out;
  Status st = b.ListPins([&](const Cid& c) {
    out.push_back(c);
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(S3Test, BlocksPutGetHasDelete) {
  auto b = Make();
  ASSERT_TRUE(b);
  Bytes data = B("a block in a bucket");
  Cid cid = Cid::Sha256(1, kCodecRaw, data);
  auto has = b->Has(cid);
  ASSERT_TRUE(has.ok()) << has.status().ToString();
  EXPECT_FALSE(*has);
  auto g = b->Get(cid);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kNotFound);
  EXPECT_NE(g.status().message().find(cid.ToString()), std::string::npos);

  Status st = b->Put(cid, data);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(*b->Has(cid));
  auto v = GetVerified(*b, cid);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, data);
  // The documented object layout: PREFIX/blocks/<base32 multihash>.
  http::ClientResponse head = Raw("HEAD", BlockKey(cid));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(*head.Header("content-length"), std::to_string(data.size()));

  // Binary content survives untouched (every byte value).
  Bytes all(256 * 3);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i);
  Cid all_cid = Cid::Sha256(1, kCodecRaw, all);
  ASSERT_TRUE(b->Put(all_cid, all).ok());
  EXPECT_EQ(*b->Get(all_cid), all);

  ASSERT_TRUE(b->Delete(cid).ok());
  EXPECT_FALSE(*b->Has(cid));
  EXPECT_TRUE(b->Delete(cid).ok());  // idempotent

  // Empty block.
  Cid empty = Cid::Sha256(1, kCodecRaw, Bytes{});
  ASSERT_TRUE(b->Put(empty, Bytes{}).ok());
  EXPECT_EQ(*b->Get(empty), Bytes{});

  Bytes big(blockstore::kMaxBlockSize + 1, 1);
  EXPECT_EQ(b->Put(Cid::Sha256(1, kCodecRaw, big), big).code(), StatusCode::kInvalidArgument);
}

TEST_F(S3Test, PutOverwritesAndGetVerifiedCatchesCorruption) {
  auto b = Make({}, "bucket-a");
  Bytes good = B("good bytes");
  Cid cid = Cid::Sha256(1, kCodecRaw, good);
  ASSERT_TRUE(b->Put(cid, B("bad bytes")).ok());
  auto v = GetVerified(*b, cid);
  ASSERT_EQ(v.status().code(), StatusCode::kCorruption);
  EXPECT_NE(v.status().message().find(cid.ToString()), std::string::npos);
  EXPECT_NE(v.status().message().find("bucket-a"), std::string::npos);
  ASSERT_TRUE(b->Put(cid, good).ok());
  v = GetVerified(*b, cid);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
}

TEST_F(S3Test, Pins) {
  auto b = Make({{"list_page_size", "2"}});
  dagpb::PbNode n;
  n.data = B("root node");
  Bytes node = dagpb::Encode(n);
  Cid v0 = Cid::Sha256(0, kCodecDagPb, node);
  Status st = b->Pin(v0, PinRequest{});
  EXPECT_EQ(st.code(), StatusCode::kNotFound) << st.ToString();
  EXPECT_EQ(b->PinStatus(v0)->state, PinState::kAbsent);

  ASSERT_TRUE(b->Put(v0, node).ok());
  PinRequest req;
  req.name = "my pin";
  req.meta = {{"app", "test"}};
  st = b->Pin(v0, req);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(b->PinStatus(v0)->state, PinState::kPinned);
  EXPECT_EQ(b->PinStatus(v0.ToV1())->state, PinState::kPinned);

  // The record: PREFIX/pins/<CIDv1>, JSON.
  http::ClientResponse rec = Raw("GET", prefix_ + "/pins/" + v0.ToV1().ToString());
  ASSERT_EQ(rec.status, 200) << rec.body;
  auto j = nlohmann::json::parse(rec.body);
  EXPECT_EQ(j["cid"], v0.ToString());
  EXPECT_EQ(j["name"], "my pin");
  EXPECT_EQ(j["meta"]["app"], "test");

  EXPECT_EQ(Pins(*b), std::vector<Cid>{v0.ToV1()});
  auto probe = b->Check();
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  EXPECT_EQ(probe->pin_count, 1);
  EXPECT_NE(probe->detail.find(env_.bucket), std::string::npos);

  ASSERT_TRUE(b->Unpin(v0).ok());
  EXPECT_EQ(b->PinStatus(v0)->state, PinState::kAbsent);
  EXPECT_TRUE(b->Unpin(v0).ok());
  EXPECT_TRUE(Pins(*b).empty());
}

TEST_F(S3Test, PinsAcrossListPages) {
  // Seven pins listed two per page: four ListObjectsV2 requests chained by
  // continuation tokens (base64: '+', '/' and '=' must be encoded in the
  // signed query). s3rver makes its tokens with DES, which Node 17+ only
  // has with --openssl-legacy-provider: without it, every truncated
  // listing is an HTTP 500 InternalError.
  auto b = Make({{"list_page_size", "2"}});
  std::vector<Cid> want;
  for (int i = 0; i < 7; ++i) {
    Bytes d = B("root " + std::to_string(i));
    Cid c = Cid::Sha256(1, kCodecRaw, d);
    ASSERT_TRUE(b->Put(c, d).ok());
    ASSERT_TRUE(b->Pin(c, PinRequest{}).ok());
    want.push_back(c);
  }
  std::sort(want.begin(), want.end());
  EXPECT_EQ(Pins(*b), want);
  int seen = 0;
  Status st = b->ListPins([&](const Cid&) { return ++seen < 3; });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(seen, 3);

  // Check counts pins only when they fit in one page.
  auto probe = Make({{"list_page_size", "1000"}})->Check();
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  EXPECT_EQ(probe->pin_count, 7);
  probe = b->Check();
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  EXPECT_FALSE(probe->pin_count.has_value());
}

TEST_F(S3Test, MultipartUploadAboveThreshold) {
  // Requests go through a recording proxy so the test sees the upload's
  // steps (s3rver's ETags do not show the part count).
  auto proxy = LocalProxy();
  if (!proxy) GTEST_SKIP() << "needs a local endpoint";
  std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy->port());
  ScopedEnv proxy_env("http_proxy", proxy_url.c_str());
  ScopedEnv no_proxy("no_proxy", nullptr);
  ScopedEnv no_proxy_upper("NO_PROXY", nullptr);

  auto b = Make({{"multipart_threshold", "65536"}});
  Bytes data(300 * 1024);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>((i * 131) >> 3);
  Cid cid = Cid::Sha256(1, kCodecRaw, data);
  Status st = b->Put(cid, data);
  ASSERT_TRUE(st.ok()) << st.ToString();
  // 300 KiB in 64 KiB parts: create, 5 parts, complete.
  std::vector<std::string> reqs = proxy->requests();
  const std::string key = "/" + env_.bucket + "/" + BlockKey(cid);
  ASSERT_EQ(reqs.size(), 7u);
  EXPECT_EQ(reqs[0], "POST " + key + "?uploads=");
  std::string upload_id = reqs[1].substr(reqs[1].find("uploadId=") + 9);
  ASSERT_FALSE(upload_id.empty());
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(reqs[i],
              "PUT " + key + "?partNumber=" + std::to_string(i) + "&uploadId=" + upload_id);
  }
  EXPECT_EQ(reqs[6], "POST " + key + "?uploadId=" + upload_id);
  auto v = GetVerified(*b, cid);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, data);

  // A pin record over the threshold goes the same way.
  PinRequest req;
  req.name = "big record";
  req.meta["blob"] = std::string(100000, 'm');
  size_t before = proxy->requests().size();
  st = b->Pin(cid, req);
  ASSERT_TRUE(st.ok()) << st.ToString();
  reqs = proxy->requests();
  ASSERT_GT(reqs.size(), before + 1);
  EXPECT_EQ(reqs[before + 1],
            "POST /" + env_.bucket + "/" + prefix_ + "/pins/" + cid.ToString() + "?uploads=");
  EXPECT_EQ(b->PinStatus(cid)->state, PinState::kPinned);
  http::ClientResponse rec = Raw("GET", prefix_ + "/pins/" + cid.ToString());
  ASSERT_EQ(rec.status, 200);
  EXPECT_EQ(nlohmann::json::parse(rec.body)["meta"]["blob"].get<std::string>().size(), 100000u);

  // At the threshold: one plain PUT.
  Bytes small(65536, 5);
  Cid small_cid = Cid::Sha256(1, kCodecRaw, small);
  before = proxy->requests().size();
  ASSERT_TRUE(b->Put(small_cid, small).ok());
  reqs = proxy->requests();
  ASSERT_EQ(reqs.size(), before + 1);
  EXPECT_EQ(reqs.back(), "PUT /" + env_.bucket + "/" + BlockKey(small_cid));
}

TEST_F(S3Test, FailedMultipartUploadIsAborted) {
  auto proxy = LocalProxy();
  if (!proxy) GTEST_SKIP() << "needs a local endpoint";
  std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy->port());
  ScopedEnv proxy_env("http_proxy", proxy_url.c_str());
  ScopedEnv no_proxy("no_proxy", nullptr);
  ScopedEnv no_proxy_upper("NO_PROXY", nullptr);

  auto b = Make({{"multipart_threshold", "1000"}});
  Bytes data(4500, 9);
  Cid cid = Cid::Sha256(1, kCodecRaw, data);
  proxy->FailRequestsContaining("partNumber=3&");
  Status st = b->Put(cid, data);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);  // a 500 is the service's trouble
  EXPECT_NE(st.message().find("InternalError"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("part 3"), std::string::npos) << st.ToString();
  std::vector<std::string> reqs = proxy->requests();
  ASSERT_EQ(reqs.size(), 5u);  // create, parts 1-3, abort
  std::string upload_id = reqs[1].substr(reqs[1].find("uploadId=") + 9);
  EXPECT_EQ(reqs[4], "DELETE /" + env_.bucket + "/" + BlockKey(cid) + "?uploadId=" + upload_id);
  proxy->FailRequestsContaining("");
  EXPECT_FALSE(*b->Has(cid));
}

TEST_F(S3Test, PrefixesAreSeparate) {
  auto a = Make();
  auto other_prefix = Make({{"prefix", prefix_ + "-other"}});
  Bytes d = B("only in a");
  Cid c = Cid::Sha256(1, kCodecRaw, d);
  ASSERT_TRUE(a->Put(c, d).ok());
  ASSERT_TRUE(a->Pin(c, PinRequest{}).ok());
  EXPECT_FALSE(*other_prefix->Has(c));
  EXPECT_TRUE(Pins(*other_prefix).empty());
  EXPECT_EQ(Pins(*a), std::vector<Cid>{c});
}

TEST_F(S3Test, KeysAndQueriesAreEncodedForTheSignature) {
  // Spaces, '+', '=', non-ASCII and '~' in the prefix: the path and the
  // list query must be percent-encoded exactly as signed.
  auto b = Make({{"prefix", prefix_ + "/odd name+x=y~/\xc3\xa9t\xc3\xa9"}});
  Bytes d = B("odd");
  Cid c = Cid::Sha256(1, kCodecRaw, d);
  Status st = b->Put(c, d);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(*b->Get(c), d);
  ASSERT_TRUE(b->Pin(c, PinRequest{}).ok());
  EXPECT_EQ(Pins(*b), std::vector<Cid>{c});
}

TEST_F(S3Test, VirtualHostAddressing) {
  // Virtual-host requests name the bucket in the Host header
  // (BUCKET.s3.amazonaws.com), which is also what gets signed. That name
  // does not resolve to this machine, so the requests go through a local
  // forward proxy (curl honours http_proxy), which hands them to the
  // endpoint under test unchanged but for the request line. s3rver maps
  // BUCKET.s3.amazonaws.com to BUCKET.
  auto proxy = LocalProxy();
  if (!proxy) GTEST_SKIP() << "needs a local endpoint";
  std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy->port());
  auto path_style = Make();
  auto vhost = Make({{"endpoint", "http://s3.amazonaws.com"}, {"addressing", "virtual"}});
  ASSERT_TRUE(vhost);
  Bytes d = B("through the virtual host");
  Cid c = Cid::Sha256(1, kCodecRaw, d);
  {
    ScopedEnv proxy_env("http_proxy", proxy_url.c_str());
    ScopedEnv no_proxy("no_proxy", nullptr);
    ScopedEnv no_proxy_upper("NO_PROXY", nullptr);
    Status st = vhost->Put(c, d);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_TRUE(vhost->Pin(c, PinRequest{}).ok());
    EXPECT_EQ(Pins(*vhost), std::vector<Cid>{c});
    auto probe = vhost->Check();
    ASSERT_TRUE(probe.ok()) << probe.status().ToString();
    EXPECT_NE(probe->detail.find("virtual-host"), std::string::npos);
  }
  // Every request carried the bucket in its host name...
  std::vector<std::string> hosts = proxy->hosts();
  ASSERT_FALSE(hosts.empty());
  for (const std::string& h : hosts) EXPECT_EQ(h, env_.bucket + ".s3.amazonaws.com");
  // ...and landed in the same bucket path-style requests use.
  auto v = GetVerified(*path_style, c);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, d);
  EXPECT_EQ(path_style->PinStatus(c)->state, PinState::kPinned);
}

TEST_F(S3Test, WrongSecretIsPermissionDenied) {
  auto b = Make({{"secret_key", env_.secret_key + "-wrong"}}, "badsecret");
  auto probe = b->Check();
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(probe.status().message().find("SignatureDoesNotMatch"), std::string::npos)
      << probe.status().ToString();
  EXPECT_NE(probe.status().message().find("badsecret"), std::string::npos);
  Bytes d = B("z");
  Cid c = Cid::Sha256(1, kCodecRaw, d);
  Status st = b->Put(c, d);
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(st.message().find("SignatureDoesNotMatch"), std::string::npos) << st.ToString();
  EXPECT_EQ(b->Get(c).status().code(), StatusCode::kPermissionDenied);

  auto bad_key = Make({{"access_key", "NOSUCHKEY"}});
  probe = bad_key->Check();
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(probe.status().message().find("InvalidAccessKeyId"), std::string::npos)
      << probe.status().ToString();
}

TEST_F(S3Test, CheckHealthyAndMissingBucket) {
  auto b = Make();
  auto probe = b->Check();
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  EXPECT_EQ(probe->pin_count, 0);
  EXPECT_NE(probe->detail.find("path-style"), std::string::npos);

  auto missing = Make({{"bucket", "no-such-bucket-" + std::to_string(::getpid())}});
  probe = missing->Check();
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), StatusCode::kNotFound);
  EXPECT_NE(probe.status().message().find("NoSuchBucket"), std::string::npos)
      << probe.status().ToString();
}

TEST_F(S3Test, StoppedServerIsUnavailable) {
  std::string dead = "http://127.0.0.1:" + std::to_string(UnusedPort());
  auto b = Make({{"endpoint", dead}}, "s3dead");
  auto probe = b->Check();
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(probe.status().message().find("s3dead"), std::string::npos);
  EXPECT_NE(probe.status().message().find(dead), std::string::npos);
  Cid c = Cid::Sha256(1, kCodecRaw, B("q"));
  EXPECT_EQ(b->Has(c).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(b->Put(c, B("q")).code(), StatusCode::kUnavailable);
}

TEST_F(S3Test, CopyDagIntoAndOutOfTheBucket) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "s3_test-XXXXXX").string();
  std::string dir = ::mkdtemp(tmpl.data());
  auto local_backend = [&](const std::string& sub) {
    BackendConfig c;
    c.name = "disk";
    c.type = "local";
    c.params["path"] = dir + "/" + sub;
    return std::move(MakeBackend(c, "")).value();
  };
  auto src = local_backend("src");
  std::vector<Cid> leaves;
  for (int i = 0; i < 20; ++i) {
    Bytes d = B("leaf " + std::to_string(i));
    Cid c = Cid::Sha256(1, kCodecRaw, d);
    ASSERT_TRUE(src->Put(c, d).ok());
    leaves.push_back(c);
  }
  dagpb::PbNode n;
  for (const Cid& l : leaves) n.links.push_back({l, "", 6});
  n.links.push_back({leaves[3], "", 6});  // repeated link
  n.data = B("file");
  Bytes nb = dagpb::Encode(n);
  Cid root = Cid::Sha256(0, kCodecDagPb, nb);
  ASSERT_TRUE(src->Put(root, nb).ok());

  auto bucket = Make();
  CopyStats stats;
  Status st = CopyDag(*src, *bucket, root, PinRequest{"dag", {}, {}}, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(stats.blocks, 21u);
  EXPECT_EQ(bucket->PinStatus(root)->state, PinState::kPinned);

  std::vector<Cid> order;
  st = WalkDag(*bucket, root, [&](const Cid& c, const Bytes&) {
    order.push_back(c);
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  std::vector<Cid> want = {root};
  want.insert(want.end(), leaves.begin(), leaves.end());
  EXPECT_EQ(order, want);

  auto dst = local_backend("dst");
  st = CopyDag(*bucket, *dst, root, PinRequest{}, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(stats.blocks, 21u);
  EXPECT_EQ(dst->PinStatus(root)->state, PinState::kPinned);
  std::filesystem::remove_all(dir);
}

// Configuration errors: no server needed.
TEST(S3Config, BadParamsNameTheKey) {
  auto make = [](const std::map<std::string, std::string>& p) {
    return MakeBackend(BackendConfig{"cfg", "s3", p, {}, 0, 0}, "");
  };
  std::map<std::string, std::string> ok = {{"endpoint", "http://127.0.0.1:1"},
                                           {"bucket", "b"},
                                           {"access_key", "a"},
                                           {"secret_key", "s"}};
  EXPECT_TRUE(make(ok).ok());
  struct Case {
    std::string key, value, expect;
  };
  for (const Case& c : std::vector<Case>{
           {"endpoint", "", "backends.cfg.params.endpoint: missing"},
           {"endpoint", "s3.example.com", "backends.cfg.params.endpoint"},
           {"endpoint", "http://", "backends.cfg.params.endpoint"},
           {"bucket", "", "backends.cfg.params.bucket: missing"},
           {"addressing", "dns", "backends.cfg.params.addressing"},
           {"secret_key", "", "backends.cfg.params.secret_key: missing"},
           {"access_key", "", "backends.cfg.params.access_key: missing"},
           {"multipart_threshold", "0", "backends.cfg.params.multipart_threshold"},
           {"multipart_threshold", "12k", "backends.cfg.params.multipart_threshold"},
           {"multipart_threshold", "-5", "backends.cfg.params.multipart_threshold"},
           {"list_page_size", "x", "backends.cfg.params.list_page_size"},
       }) {
    auto p = ok;
    p[c.key] = c.value;
    auto r = make(p);
    ASSERT_FALSE(r.ok()) << c.key << "=" << c.value;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().ToString();
  }
  auto p = ok;
  p["addressing"] = "virtual";
  p["bucket"] = "Has_Upper";
  auto r = make(p);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("virtual-host"), std::string::npos);
}

}  // namespace
}  // namespace ipfs_kit::backends
