// Tests of the kubo backend against a real node with Kubo's RPC API.
//
// The node is given by IPFS_KIT_TEST_KUBO_URL (its RPC base, e.g.
// http://127.0.0.1:5002); CI starts a js-ipfs node for it with
// tests/interop/jsipfs/start.sh. Without the variable the tests that need a
// node are skipped; the configuration and "node stopped" tests always run.
//
// Every test makes blocks with fresh random content, so a node that keeps
// its repository between runs cannot make an absent block look present.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "backend_factories.h"
#include "ipfs_kit/backends/backend.h"
#include "ipfs_kit/dagpb/dag_pb.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::backends {
namespace {

using multiformats::kCodecDagPb;
using multiformats::kCodecRaw;

std::string NodeUrl() {
  const char* url = std::getenv("IPFS_KIT_TEST_KUBO_URL");
  return url ? url : "";
}

#define REQUIRE_NODE()                                                          \
  do {                                                                          \
    if (NodeUrl().empty()) GTEST_SKIP() << "IPFS_KIT_TEST_KUBO_URL is not set"; \
  } while (0)

std::unique_ptr<Backend> MakeKubo(const std::string& url,
                                  std::map<std::string, std::string> extra = {}) {
  BackendConfig c;
  c.name = "kubo-test";
  c.type = "kubo";
  c.params = std::move(extra);
  c.params["url"] = url;
  // js-ipfs only answers "absent" through the lookup timeout (see
  // kubo_backend.cpp); keep it short so the tests do not wait long.
  if (!c.params.contains("lookup_timeout_ms")) c.params["lookup_timeout_ms"] = "1500";
  auto r = NewKuboBackend(c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

std::string RandomText(size_t n) {
  static std::mt19937_64 rng(std::random_device{}());
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

struct Block {
  Cid cid;
  Bytes data;
};

Block RawBlock(size_t size = 64) {
  std::string text = RandomText(size);
  Block b;
  b.data.assign(text.begin(), text.end());
  b.cid = Cid::Sha256(1, kCodecRaw, b.data);
  return b;
}

// A dag-pb node (CIDv0) with the given links and fresh random data.
Block DagPbBlock(std::vector<dagpb::PbLink> links = {}) {
  dagpb::PbNode node;
  node.links = std::move(links);
  std::string text = RandomText(48);
  node.data = Bytes(text.begin(), text.end());
  Block b;
  b.data = dagpb::Encode(node);
  b.cid = Cid::Sha256(0, kCodecDagPb, b.data);
  return b;
}

// A TCP port on loopback where nothing listens: bound, then closed.
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::vector<Cid> ListAll(Backend& b) {
  std::vector<Cid> out;
  Status st = b.ListPins([&](const Cid& c) {
    out.push_back(c.ToV1());
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

bool Contains(const std::vector<Cid>& v, const Cid& c) {
  return std::find(v.begin(), v.end(), c.ToV1()) != v.end();
}

// --- configuration and an unreachable node: no node needed ---

TEST(KuboConfig, RejectsBadParams) {
  BackendConfig c;
  c.name = "k1";
  c.type = "kubo";
  auto r = NewKuboBackend(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("backends.k1.params.url"), std::string::npos)
      << r.status().message();

  c.params["url"] = "127.0.0.1:5001";
  r = NewKuboBackend(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("http://"), std::string::npos) << r.status().message();

  c.params["url"] = "http://127.0.0.1:5001";
  c.params["tokne"] = "x";
  r = NewKuboBackend(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("backends.k1.params.tokne: unknown key"), std::string::npos)
      << r.status().message();

  c.params.erase("tokne");
  c.params["timeout_ms"] = "12s";
  r = NewKuboBackend(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("params.timeout_ms"), std::string::npos);

  c.params["timeout_ms"] = "2500";
  c.params["url"] = "http://127.0.0.1:5001/api/v0/";
  r = NewKuboBackend(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Capabilities caps = (*r)->capabilities();
  EXPECT_TRUE(caps.stores_blocks);
  EXPECT_FALSE(caps.read_only);
  EXPECT_FALSE(caps.fetches_itself);
  EXPECT_FALSE(caps.async_pins);
}

TEST(KuboStopped, EveryCallIsUnavailable) {
  auto kubo = MakeKubo("http://127.0.0.1:" + std::to_string(ClosedPort()));
  ASSERT_NE(kubo, nullptr);
  Block b = RawBlock();
  auto check = kubo->Check();
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.status().code(), StatusCode::kUnavailable) << check.status().ToString();
  EXPECT_NE(check.status().message().find("kubo backend kubo-test"), std::string::npos)
      << check.status().message();
  auto has = kubo->Has(b.cid);
  ASSERT_FALSE(has.ok());
  EXPECT_EQ(has.status().code(), StatusCode::kUnavailable);
  auto get = kubo->Get(b.cid);
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(kubo->Put(b.cid, b.data).code(), StatusCode::kUnavailable);
  EXPECT_EQ(kubo->Pin(b.cid, {}).code(), StatusCode::kUnavailable);
  EXPECT_EQ(kubo->Unpin(b.cid).code(), StatusCode::kUnavailable);
  EXPECT_EQ(kubo->ListPins([](const Cid&) { return true; }).code(), StatusCode::kUnavailable);
}

// Identity CIDs carry their bytes: nothing goes to the node (which here
// does not even exist).
TEST(KuboStopped, IdentityCidsNeedNoNode) {
  auto kubo = MakeKubo("http://127.0.0.1:" + std::to_string(ClosedPort()));
  ASSERT_NE(kubo, nullptr);
  Bytes inline_bytes = {'h', 'i'};
  Cid id(1, kCodecRaw, multiformats::Multihash{multiformats::kIdentity, inline_bytes});
  auto has = kubo->Has(id);
  ASSERT_TRUE(has.ok());
  EXPECT_TRUE(*has);
  auto get = kubo->Get(id);
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(*get, inline_bytes);
  EXPECT_TRUE(kubo->Put(id, inline_bytes).ok());
}

// --- against the node ---

void BlockRoundTrip(Backend& kubo, const Block& b) {
  auto has = kubo.Has(b.cid);
  ASSERT_TRUE(has.ok()) << has.status().ToString();
  EXPECT_FALSE(*has) << b.cid.ToString();
  auto missing = kubo.Get(b.cid);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();

  Status put = kubo.Put(b.cid, b.data);
  ASSERT_TRUE(put.ok()) << put.ToString();
  // Overwriting is allowed (repair relies on it).
  put = kubo.Put(b.cid, b.data);
  ASSERT_TRUE(put.ok()) << put.ToString();

  has = kubo.Has(b.cid);
  ASSERT_TRUE(has.ok()) << has.status().ToString();
  EXPECT_TRUE(*has);
  auto got = GetVerified(kubo, b.cid);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, b.data);

  Status del = kubo.Delete(b.cid);
  ASSERT_TRUE(del.ok()) << del.ToString();
  has = kubo.Has(b.cid);
  ASSERT_TRUE(has.ok()) << has.status().ToString();
  EXPECT_FALSE(*has);
  // Deleting an absent block is OK (as on local and s3).
  del = kubo.Delete(b.cid);
  EXPECT_TRUE(del.ok()) << del.ToString();
}

TEST(KuboNode, RawV1Block) {
  REQUIRE_NODE();
  auto kubo = MakeKubo(NodeUrl());
  ASSERT_NE(kubo, nullptr);
  Block b = RawBlock();
  ASSERT_EQ(b.cid.version(), 1);
  BlockRoundTrip(*kubo, b);
}

TEST(KuboNode, DagPbV0Block) {
  REQUIRE_NODE();
  auto kubo = MakeKubo(NodeUrl());
  ASSERT_NE(kubo, nullptr);
  Block b = DagPbBlock();
  ASSERT_EQ(b.cid.version(), 0);
  BlockRoundTrip(*kubo, b);
}

// Near and over the 1 MiB block/put limit. Kubo takes bigger blocks with
// allow-big-block; js-ipfs refuses any request body over 1 MiB (413), which
// must come back as a clear kInvalidArgument.
TEST(KuboNode, LargeBlocks) {
  REQUIRE_NODE();
  auto kubo = MakeKubo(NodeUrl());
  ASSERT_NE(kubo, nullptr);
  Block near = RawBlock(1024 * 1024 - 4096);
  Status put = kubo->Put(near.cid, near.data);
  ASSERT_TRUE(put.ok()) << put.ToString();
  auto got = GetVerified(*kubo, near.cid);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, near.data);
  EXPECT_TRUE(kubo->Delete(near.cid).ok());

  Block big = RawBlock(1536 * 1024);
  put = kubo->Put(big.cid, big.data);
  if (put.ok()) {
    got = GetVerified(*kubo, big.cid);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, big.data);
    EXPECT_TRUE(kubo->Delete(big.cid).ok());
  } else {
    EXPECT_EQ(put.code(), StatusCode::kInvalidArgument) << put.ToString();
    EXPECT_NE(put.message().find("HTTP 413"), std::string::npos) << put.ToString();
  }
}

// The node hashes what it receives: bytes put under someone else's CID are
// stored under their own CID, which the backend must report.
TEST(KuboNode, PutUnderWrongCidIsCorruption) {
  REQUIRE_NODE();
  auto kubo = MakeKubo(NodeUrl());
  ASSERT_NE(kubo, nullptr);
  Block a = RawBlock(), b = RawBlock();
  Status st = kubo->Put(a.cid, b.data);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find(a.cid.ToString()), std::string::npos) << st.message();
  EXPECT_TRUE(kubo->Delete(b.cid).ok());
}

TEST(KuboNode, PinAddListRemove) {
  REQUIRE_NODE();
  auto kubo = MakeKubo(NodeUrl());
  ASSERT_NE(kubo, nullptr);
  Block leaf = RawBlock();
  dagpb::PbLink link;
  link.hash = leaf.cid;
  link.name = "leaf";
  link.tsize = leaf.data.size();
  Block root = DagPbBlock({link});
  ASSERT_TRUE(kubo->Put(leaf.cid, leaf.data).ok());
  ASSERT_TRUE(kubo->Put(root.cid, root.data).ok());

  auto st = kubo->PinStatus(root.cid);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->state, PinState::kAbsent);
  EXPECT_FALSE(Contains(ListAll(*kubo), root.cid));

  PinRequest request;
  request.name = "test root";
  Status pin = kubo->Pin(root.cid, request);
  ASSERT_TRUE(pin.ok()) << pin.ToString();
  st = kubo->PinStatus(root.cid);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->state, PinState::kPinned);
  // The leaf is pinned indirectly, which is not a pin of ours.
  st = kubo->PinStatus(leaf.cid);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->state, PinState::kAbsent);
  EXPECT_TRUE(Contains(ListAll(*kubo), root.cid));

  // The node refuses to drop a pinned block.
  Status del = kubo->Delete(root.cid);
  EXPECT_FALSE(del.ok());
  EXPECT_NE(del.message().find("pinned"), std::string::npos) << del.ToString();

  ASSERT_TRUE(kubo->Unpin(root.cid).ok());
  st = kubo->PinStatus(root.cid);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->state, PinState::kAbsent);
  EXPECT_FALSE(Contains(ListAll(*kubo), root.cid));
  // Unpinning an absent pin is OK.
  Status again = kubo->Unpin(root.cid);
  EXPECT_TRUE(again.ok()) << again.ToString();

  EXPECT_TRUE(kubo->Delete(root.cid).ok());
  EXPECT_TRUE(kubo->Delete(leaf.cid).ok());
}

TEST(KuboNode, ListPinsStopsWhenAsked) {
  REQUIRE_NODE();
  auto kubo = MakeKubo(NodeUrl());
  ASSERT_NE(kubo, nullptr);
  Block a = RawBlock(), b = RawBlock();
  for (const Block* x : {&a, &b}) {
    ASSERT_TRUE(kubo->Put(x->cid, x->data).ok());
    ASSERT_TRUE(kubo->Pin(x->cid, {}).ok());
  }
  int calls = 0;
  Status st = kubo->ListPins([&](const Cid&) {
    ++calls;
    return false;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(calls, 1);
  for (const Block* x : {&a, &b}) {
    EXPECT_TRUE(kubo->Unpin(x->cid).ok());
    EXPECT_TRUE(kubo->Delete(x->cid).ok());
  }
}

TEST(KuboNode, Check) {
  REQUIRE_NODE();
  auto kubo = MakeKubo(NodeUrl());
  ASSERT_NE(kubo, nullptr);
  auto probe = kubo->Check();
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  ASSERT_TRUE(probe->bytes_used.has_value());
  EXPECT_GT(*probe->bytes_used, 0);
  if (probe->bytes_free) {
    EXPECT_GE(*probe->bytes_free, 0);
  }
  EXPECT_EQ(probe->detail.rfind("peer ", 0), 0u) << probe->detail;
  EXPECT_NE(probe->detail.find("objects"), std::string::npos) << probe->detail;
}

// A gateway port is not an RPC API: Check says so instead of passing.
TEST(KuboNode, CheckOnWrongEndpointFails) {
  REQUIRE_NODE();
  // The same server with a path that is not the RPC API.
  auto kubo = MakeKubo(NodeUrl() + "/not-the-rpc-api");
  ASSERT_NE(kubo, nullptr);
  auto probe = kubo->Check();
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), StatusCode::kUnavailable) << probe.status().ToString();
}

// --- a corrupted answer ---

// A proxy in front of the node that flips one byte in every block/get
// answer body and passes everything else through. One connection at a time,
// "Connection: close" forced so each answer ends with the node's close.
class CorruptingProxy {
 public:
  explicit CorruptingProxy(int node_port) : node_port_(node_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listen_fd_, 16), 0);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~CorruptingProxy() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int corrupted() const { return corrupted_.load(); }

 private:
  static bool SendAll(int fd, std::string_view s) {
    while (!s.empty()) {
      ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      s.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  void Loop() {
    for (;;) {
      int client = ::accept(listen_fd_, nullptr, nullptr);
      if (client < 0) {
        if (stopping_) return;
        continue;
      }
      Relay(client);
      ::close(client);
    }
  }

  void Relay(int client) {
    // The request: head, then Content-Length bytes of body.
    std::string req;
    char buf[65536];
    size_t head_end;
    while ((head_end = req.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(client, buf, sizeof buf, 0);
      if (n <= 0) return;
      req.append(buf, static_cast<size_t>(n));
    }
    std::string lower_head = req.substr(0, head_end);
    for (char& c : lower_head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t body_len = 0;
    if (size_t p = lower_head.find("content-length:"); p != std::string::npos) {
      body_len = std::stoul(lower_head.substr(p + 15));
    }
    while (req.size() < head_end + 4 + body_len) {
      ssize_t n = ::recv(client, buf, sizeof buf, 0);
      if (n <= 0) return;
      req.append(buf, static_cast<size_t>(n));
    }
    bool corrupt = req.substr(0, req.find("\r\n")).find("/api/v0/block/get") != std::string::npos;
    req.insert(req.find("\r\n") + 2, "Connection: close\r\n");

    int node = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(node_port_));
    if (::connect(node, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        !SendAll(node, req)) {
      ::close(node);
      return;
    }
    std::string resp;
    for (ssize_t n; (n = ::recv(node, buf, sizeof buf, 0)) > 0;) {
      resp.append(buf, static_cast<size_t>(n));
    }
    ::close(node);
    size_t body = resp.find("\r\n\r\n");
    if (corrupt && body != std::string::npos && resp.compare(9, 3, "200") == 0) {
      body += 4;
      std::string head = resp.substr(0, body);
      for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      // In a chunked answer the first data byte follows the first size line.
      if (head.find("transfer-encoding: chunked") != std::string::npos) {
        body = resp.find("\r\n", body) + 2;
      }
      if (body < resp.size()) {
        resp[body] = static_cast<char>(resp[body] ^ 0x01);
        corrupted_++;
      }
    }
    SendAll(client, resp);
  }

  int node_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> corrupted_{0};
  std::thread thread_;
};

TEST(KuboNode, CorruptAnswerIsCaughtByGetVerified) {
  REQUIRE_NODE();
  // Only an http://127.0.0.1:PORT node can sit behind the loopback proxy.
  std::string url = NodeUrl();
  const std::string prefix = "http://127.0.0.1:";
  if (url.rfind(prefix, 0) != 0) GTEST_SKIP() << "node is not at http://127.0.0.1:PORT";
  int port = std::atoi(url.c_str() + prefix.size());
  auto direct = MakeKubo(url);
  ASSERT_NE(direct, nullptr);
  Block b = RawBlock();
  ASSERT_TRUE(direct->Put(b.cid, b.data).ok());

  CorruptingProxy proxy(port);
  auto via_proxy = MakeKubo(proxy.Url());
  ASSERT_NE(via_proxy, nullptr);
  // Get hands over what the node sent...
  auto raw = via_proxy->Get(b.cid);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_NE(*raw, b.data);
  // ...and GetVerified refuses it, naming the block and the backend.
  auto verified = GetVerified(*via_proxy, b.cid);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().code(), StatusCode::kCorruption) << verified.status().ToString();
  EXPECT_NE(verified.status().message().find(b.cid.ToString()), std::string::npos)
      << verified.status().message();
  EXPECT_NE(verified.status().message().find("kubo-test"), std::string::npos)
      << verified.status().message();
  EXPECT_GE(proxy.corrupted(), 2);

  auto good = GetVerified(*direct, b.cid);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_TRUE(direct->Delete(b.cid).ok());
}

}  // namespace
}  // namespace ipfs_kit::backends
