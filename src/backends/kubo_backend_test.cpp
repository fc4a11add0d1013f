// Tests of the kubo backend against a real node with Kubo's RPC API.
//
// The node is given by IPFS_KIT_TEST_KUBO_URL (its RPC base, e.g.
// http://127.0.0.1:5002); CI starts a js-ipfs node for it with
// tests/interop/jsipfs/start.sh. Without the variable the tests that need a
// node are skipped; the configuration and "node stopped" tests always run.
//
// Every test makes blocks with fresh random content, so a node that keeps
// its repository between runs cannot make an absent block look present.
//
// Whole DAGs as CARs: dag/export read back verified, dag/import then pin,
// CopyDag in both directions between a local store and the node (counting
// the RPC calls through a proxy), CARs altered in transit, an incomplete
// DAG, and dag/import behind a proxy that limits request bodies to 1 MiB.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
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
#include "ipfs_kit/car/car.h"
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

// --- a proxy in front of the node ---

// Relays requests to the node one connection at a time ("Connection:
// close" forced so each answer ends with the node's close) and records
// them. It can flip one byte in every block/get answer body, flip the first
// byte of a given text wherever it appears in an answer, and answer 413 to
// request bodies over a limit as a body-limiting server (hapi, nginx) does.
// It answers "Expect: 100-continue" itself, so large bodies pass at once.
struct ProxyOptions {
  bool flip_block_get = false;
  std::string flip_text;
  size_t body_limit = 0;  // 0: none
};

class NodeProxy {
 public:
  struct Seen {
    std::string path;  // "/api/v0/dag/import"
    size_t body = 0;   // Content-Length
    int status = 0;    // the answer relayed (or 413)
  };

  explicit NodeProxy(int node_port, ProxyOptions options = ProxyOptions())
      : node_port_(node_port), options_(std::move(options)) {
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
  ~NodeProxy() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int corrupted() const { return corrupted_.load(); }
  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  // How many requests went to /api/v0/COMMAND.
  int Count(const std::string& command) {
    int n = 0;
    for (const Seen& r : seen()) n += r.path == "/api/v0/" + command;
    return n;
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

  void Record(Seen r) {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back(std::move(r));
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
    Seen seen;
    std::string line = req.substr(0, req.find("\r\n"));
    seen.path = line.substr(line.find(' ') + 1);
    seen.path = seen.path.substr(0, seen.path.find_first_of("? "));
    if (size_t p = lower_head.find("content-length:"); p != std::string::npos) {
      seen.body = std::stoul(lower_head.substr(p + 15));
    }
    if (options_.body_limit != 0 && seen.body > options_.body_limit) {
      // Refused on the head alone; whatever body follows is drained.
      seen.status = 413;
      Record(seen);
      std::string answer =
          "{\"statusCode\":413,\"error\":\"Request Entity Too Large\",\"message\":"
          "\"Payload content length greater than maximum allowed: " +
          std::to_string(options_.body_limit) + "\"}";
      SendAll(client,
              "HTTP/1.1 413 Request Entity Too Large\r\nConnection: close\r\n"
              "Content-Type: application/json\r\nContent-Length: " +
                  std::to_string(answer.size()) + "\r\n\r\n" + answer);
      ::shutdown(client, SHUT_WR);
      timeval tv{5, 0};
      ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      while (::recv(client, buf, sizeof buf, 0) > 0) {
      }
      return;
    }
    if (size_t e = lower_head.find("\r\nexpect: 100-continue"); e != std::string::npos) {
      req.erase(e, lower_head.find("\r\n", e + 2) - e);
      head_end = req.find("\r\n\r\n");
      if (!SendAll(client, "HTTP/1.1 100 Continue\r\n\r\n")) return;
    }
    while (req.size() < head_end + 4 + seen.body) {
      ssize_t n = ::recv(client, buf, sizeof buf, 0);
      if (n <= 0) return;
      req.append(buf, static_cast<size_t>(n));
    }
    bool corrupt = options_.flip_block_get && seen.path == "/api/v0/block/get";
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
    if (resp.size() > 12) seen.status = std::atoi(resp.c_str() + 9);
    Record(seen);
    size_t body = resp.find("\r\n\r\n");
    if (corrupt && body != std::string::npos && seen.status == 200) {
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
    if (!options_.flip_text.empty() && body != std::string::npos) {
      if (size_t at = resp.find(options_.flip_text, body); at != std::string::npos) {
        resp[at] = static_cast<char>(resp[at] ^ 0x01);
        corrupted_++;
      }
    }
    SendAll(client, resp);
  }

  int node_port_;
  ProxyOptions options_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> corrupted_{0};
  std::mutex mu_;
  std::vector<Seen> seen_;
  std::thread thread_;
};

// The node's port, when it is at http://127.0.0.1:PORT (only such a node
// can sit behind the loopback proxy); 0 otherwise.
int NodePort() {
  std::string url = NodeUrl();
  const std::string prefix = "http://127.0.0.1:";
  if (url.rfind(prefix, 0) != 0) return 0;
  return std::atoi(url.c_str() + prefix.size());
}

TEST(KuboNode, CorruptAnswerIsCaughtByGetVerified) {
  REQUIRE_NODE();
  int port = NodePort();
  if (port == 0) GTEST_SKIP() << "node is not at http://127.0.0.1:PORT";
  auto direct = MakeKubo(NodeUrl());
  ASSERT_NE(direct, nullptr);
  Block b = RawBlock();
  ASSERT_TRUE(direct->Put(b.cid, b.data).ok());

  ProxyOptions flip;
  flip.flip_block_get = true;
  NodeProxy proxy(port, flip);
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

// --- whole DAGs as CARs ---

// root (v0) -> A (v0) -> leaves a0 a1 a2
//           -> B (v1) -> a2 (again), b0 b1
// with fresh random content; `order` is the DFS pre-order of dag export.
struct TestDag {
  Cid root;
  std::vector<Cid> order;
  std::map<Cid, Bytes> blocks;
};

dagpb::PbLink LinkTo(const Block& b) {
  dagpb::PbLink l;
  l.hash = b.cid;
  l.name = "x";
  l.tsize = b.data.size();
  return l;
}

TestDag MakeDag(size_t leaf_size = 64, size_t big_leaf = 0) {
  TestDag d;
  auto keep = [&](const Block& b) { d.blocks[b.cid] = b.data; };
  Block a0 = RawBlock(big_leaf ? big_leaf : leaf_size), a1 = RawBlock(leaf_size),
        a2 = RawBlock(leaf_size), b0 = RawBlock(leaf_size), b1 = RawBlock(leaf_size);
  Block a = DagPbBlock({LinkTo(a0), LinkTo(a1), LinkTo(a2)});
  Block b = DagPbBlock({LinkTo(a2), LinkTo(b0), LinkTo(b1)});
  b.cid = Cid::Sha256(1, kCodecDagPb, b.data);
  Block root = DagPbBlock({LinkTo(a), LinkTo(b)});
  for (const Block* x : {&root, &a, &a0, &a1, &a2, &b, &b0, &b1}) {
    keep(*x);
    d.order.push_back(x->cid);
  }
  d.root = root.cid;
  return d;
}

// A CAR v1 of the blocks in `order`, written by our writer.
std::string MakeCar(const TestDag& d, const std::vector<Cid>& order) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = ::open_memstream(&buf, &len);
  auto w = car::CarWriter::Create(f, {d.root});
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  for (const Cid& c : order) EXPECT_TRUE((*w)->Put(c, d.blocks.at(c)).ok());
  EXPECT_TRUE((*w)->Finish().ok());
  std::fclose(f);
  std::string out(buf, len);
  std::free(buf);
  return out;
}

void PutAll(Backend& kubo, const TestDag& d) {
  for (const auto& [c, data] : d.blocks) ASSERT_TRUE(kubo.Put(c, data).ok()) << c.ToString();
}

void RemoveAll(Backend& kubo, const TestDag& d) {
  EXPECT_TRUE(kubo.Unpin(d.root).ok());
  for (const auto& [c, data] : d.blocks) EXPECT_TRUE(kubo.Delete(c).ok()) << c.ToString();
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kubo_test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::unique_ptr<Backend> Local(const std::string& dir) {
  BackendConfig c;
  c.name = "disk";
  c.type = "local";
  c.params["path"] = dir;
  auto b = MakeBackend(c, "");
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? std::move(b).value() : nullptr;
}

std::vector<Cid> ExportAll(Backend& kubo, const TestDag& d, Status* st) {
  std::vector<Cid> got;
  *st = kubo.ExportCar(d.root, [&](const Cid& c, ByteView data) {
    EXPECT_EQ(Bytes(data.begin(), data.end()), d.blocks.at(c)) << c.ToString();
    got.push_back(c);
    return Status::Ok();
  });
  return got;
}

TEST(KuboCar, Capabilities) {
  auto kubo = MakeKubo("http://127.0.0.1:5001");
  ASSERT_NE(kubo, nullptr);
  // Not a CAR source for CopyDag: js-ipfs's dag/export of an incomplete DAG
  // waits an hour (see capabilities() in kubo_backend.cpp).
  EXPECT_FALSE(kubo->capabilities().car_export);
  EXPECT_TRUE(kubo->capabilities().car_import);
}

// Checked before anything is sent: the node need not even exist.
TEST(KuboCar, ImportRefusesABadCarWithoutSendingIt) {
  auto kubo = MakeKubo("http://127.0.0.1:" + std::to_string(ClosedPort()));
  ASSERT_NE(kubo, nullptr);
  TestDag d = MakeDag();
  TestDag bad = d;
  bad.blocks[d.order[3]] = Bytes{'x'};
  Status st = kubo->ImportCar(MakeCar(bad, bad.order));
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find(d.order[3].ToString()), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("kubo-test"), std::string::npos) << st.ToString();
  st = kubo->ImportCar("not a CAR");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  st = kubo->ImportCar("");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  // A good CAR gets as far as the (absent) node.
  st = kubo->ImportCar(MakeCar(d, d.order));
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
}

TEST(KuboCar, ExportGivesTheVerifiedDag) {
  REQUIRE_NODE();
  auto kubo = MakeKubo(NodeUrl());
  ASSERT_NE(kubo, nullptr);
  TestDag d = MakeDag();
  PutAll(*kubo, d);
  Status st;
  std::vector<Cid> got = ExportAll(*kubo, d, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(got, d.order);
  RemoveAll(*kubo, d);
}

TEST(KuboCar, ImportThenPin) {
  REQUIRE_NODE();
  auto kubo = MakeKubo(NodeUrl());
  ASSERT_NE(kubo, nullptr);
  // One leaf over 1 MiB: block/put cannot take it on js-ipfs (413), dag/import can.
  TestDag d = MakeDag(64, 1536 * 1024);
  Status st = kubo->ImportCar(MakeCar(d, d.order));
  ASSERT_TRUE(st.ok()) << st.ToString();
  // Imported, not pinned: the pin is the backend's own Pin.
  auto pin = kubo->PinStatus(d.root);
  ASSERT_TRUE(pin.ok()) << pin.status().ToString();
  EXPECT_EQ(pin->state, PinState::kAbsent);
  st = kubo->Pin(d.root, {});
  ASSERT_TRUE(st.ok()) << st.ToString();
  pin = kubo->PinStatus(d.root);
  ASSERT_TRUE(pin.ok()) << pin.status().ToString();
  EXPECT_EQ(pin->state, PinState::kPinned);
  for (const auto& [c, data] : d.blocks) {
    auto got = GetVerified(*kubo, c);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, data);
  }
  RemoveAll(*kubo, d);
}

TEST(KuboCar, CopyDagBothWaysGoesByCar) {
  REQUIRE_NODE();
  int port = NodePort();
  if (port == 0) GTEST_SKIP() << "node is not at http://127.0.0.1:PORT";
  TempDir dir;
  auto src = Local(dir.path() + "/src");
  TestDag d = MakeDag(2000);
  for (const auto& [c, data] : d.blocks) ASSERT_TRUE(src->Put(c, data).ok());
  uint64_t total = 0;
  for (const auto& [c, data] : d.blocks) total += data.size();

  // local -> node: one dag/import instead of a block/put per block.
  NodeProxy proxy(port);
  auto kubo = MakeKubo(proxy.Url());
  ASSERT_NE(kubo, nullptr);
  CopyStats stats;
  Status st = CopyDag(*src, *kubo, d.root, PinRequest{}, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(proxy.Count("dag/import"), 1);
  EXPECT_EQ(proxy.Count("block/put"), 0);
  EXPECT_EQ(proxy.Count("block/stat"), 0);
  EXPECT_EQ(proxy.Count("pin/add"), 1);
  EXPECT_EQ(stats.blocks, d.blocks.size());
  EXPECT_EQ(stats.bytes, total);
  auto pin = kubo->PinStatus(d.root);
  ASSERT_TRUE(pin.ok()) << pin.status().ToString();
  EXPECT_EQ(pin->state, PinState::kPinned);

  // node -> local: block by block (kubo is not used as a CAR source, each
  // lookup stays bounded by lookup_timeout_ms).
  auto back = Local(dir.path() + "/back");
  st = CopyDag(*kubo, *back, d.root, PinRequest{}, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(proxy.Count("dag/export"), 0);
  EXPECT_EQ(proxy.Count("block/get"), static_cast<int>(d.blocks.size()));
  EXPECT_EQ(stats.blocks, d.blocks.size());
  for (const auto& [c, data] : d.blocks) EXPECT_EQ(*GetVerified(*back, c), data);
  EXPECT_EQ(back->PinStatus(d.root)->state, PinState::kPinned);
  RemoveAll(*kubo, d);
}

TEST(KuboCar, ExportAlteredInTransitIsRefused) {
  REQUIRE_NODE();
  int port = NodePort();
  if (port == 0) GTEST_SKIP() << "node is not at http://127.0.0.1:PORT";
  auto direct = MakeKubo(NodeUrl());
  ASSERT_NE(direct, nullptr);
  TestDag d = MakeDag();
  PutAll(*direct, d);
  const Cid& victim = d.order[6];  // b0, a raw leaf of random letters
  const Bytes& data = d.blocks[victim];
  ProxyOptions flip;
  flip.flip_text.assign(data.begin(), data.begin() + 24);
  NodeProxy proxy(port, flip);
  auto kubo = MakeKubo(proxy.Url());
  ASSERT_NE(kubo, nullptr);
  Status st;
  std::vector<Cid> got = ExportAll(*kubo, d, &st);
  EXPECT_EQ(proxy.corrupted(), 1);
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find(victim.ToString()), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("kubo backend kubo-test"), std::string::npos) << st.ToString();
  EXPECT_EQ(got, std::vector<Cid>(d.order.begin(), d.order.begin() + 6));
  RemoveAll(*direct, d);
}

// A DAG the node holds only part of. Kubo (offline) says so at once; js-ipfs
// waits for the missing block until the export's timeout (pin_timeout_ms,
// short here). Either way the export fails after the blocks it had.
TEST(KuboCar, ExportOfAnIncompleteDagFails) {
  REQUIRE_NODE();
  auto kubo = MakeKubo(NodeUrl(), {{"pin_timeout_ms", "1500"}});
  ASSERT_NE(kubo, nullptr);
  TestDag d = MakeDag();
  PutAll(*kubo, d);
  const Cid& missing = d.order[3];  // a1
  ASSERT_TRUE(kubo->Delete(missing).ok());
  Status st;
  std::vector<Cid> got = ExportAll(*kubo, d, &st);
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.code() == StatusCode::kNotFound || st.code() == StatusCode::kUnavailable)
      << st.ToString();
  EXPECT_NE(st.message().find("dag/export"), std::string::npos) << st.ToString();
  EXPECT_EQ(got, std::vector<Cid>(d.order.begin(), d.order.begin() + 3));
  for (const auto& [c, data] : d.blocks) EXPECT_TRUE(kubo->Delete(c).ok());
}

// Behind a server that refuses request bodies over 1 MiB (js-ipfs does for
// block/put, nginx by default for everything): after the first 413 the CAR
// goes in pieces under the limit, and a block too large for any piece goes
// through block/put, which is refused with a clear message.
TEST(KuboCar, ImportUnderARequestBodyLimit) {
  REQUIRE_NODE();
  int port = NodePort();
  if (port == 0) GTEST_SKIP() << "node is not at http://127.0.0.1:PORT";
  ProxyOptions limit;
  limit.body_limit = 1024 * 1024;
  NodeProxy proxy(port, limit);
  auto kubo = MakeKubo(proxy.Url());
  ASSERT_NE(kubo, nullptr);
  TestDag d = MakeDag(400 * 1024);  // 6 leaves of 400 KiB: a 2.4 MB CAR
  Status st = kubo->ImportCar(MakeCar(d, d.order));
  ASSERT_TRUE(st.ok()) << st.ToString();
  std::vector<NodeProxy::Seen> seen = proxy.seen();
  ASSERT_GE(seen.size(), 4u);
  EXPECT_EQ(seen[0].path, "/api/v0/dag/import");
  EXPECT_EQ(seen[0].status, 413);
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].path, "/api/v0/dag/import");
    EXPECT_EQ(seen[i].status, 200);
    EXPECT_LE(seen[i].body, limit.body_limit);
  }
  auto direct = MakeKubo(NodeUrl());
  st = direct->Pin(d.root, {});
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (const auto& [c, data] : d.blocks) EXPECT_EQ(*GetVerified(*direct, c), data);
  RemoveAll(*direct, d);

  // A block no piece can hold: block/put, refused as too large.
  TestDag big = MakeDag(64, 1536 * 1024);
  size_t before = proxy.seen().size();
  st = kubo->ImportCar(MakeCar(big, big.order));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("HTTP 413"), std::string::npos) << st.ToString();
  seen = proxy.seen();
  ASSERT_GT(seen.size(), before);
  EXPECT_EQ(seen.back().path, "/api/v0/block/put");
  EXPECT_EQ(seen.back().status, 413);
  for (const auto& [c, data] : big.blocks) EXPECT_TRUE(direct->Delete(c).ok());
}

}  // namespace
}  // namespace ipfs_kit::backends
