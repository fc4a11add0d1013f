// The `gateway` backend against a small trustless gateway written here with
// POSIX sockets: it serves raw blocks from a map, the bafkqaaa probe, and
// one block whose bytes do not match its CID.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ipfs_kit/backends/backend.h"
#include "ipfs_kit/blockstore/blockstore.h"
#include "ipfs_kit/dagpb/dag_pb.h"

// Readable CIDs in assertion failures.
namespace ipfs_kit::multiformats {
void PrintTo(const Cid& c, std::ostream* os) { *os << c.ToString(); }
}  // namespace ipfs_kit::multiformats

namespace ipfs_kit::backends {
namespace {

using multiformats::kCodecDagPb;
using multiformats::kCodecRaw;

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

// One request per connection (Connection: close), served in order by one
// thread: enough for a client that makes one request at a time.
class FakeGateway {
 public:
  FakeGateway() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~FakeGateway() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Serves `data` under `cid` (whatever its hash).
  void Serve(const std::string& cid, Bytes data) {
    std::lock_guard<std::mutex> lock(mu_);
    blocks_[cid] = std::move(data);
  }
  void set_probe_status(int s) { probe_status_ = s; }
  std::vector<std::string> request_lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  void Loop() {
    for (;;) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) {
        if (stop_) return;
        continue;
      }
      Handle(c);
      ::close(c);
    }
  }

  void Handle(int c) {
    std::string req;
    char buf[4096];
    while (req.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      req.append(buf, static_cast<size_t>(n));
    }
    std::string line = req.substr(0, req.find("\r\n"));
    std::string method = line.substr(0, line.find(' '));
    std::string target = line.substr(line.find(' ') + 1);
    target = target.substr(0, target.rfind(' '));
    std::string lower = req;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.push_back(method + " " + target);
    }
    int status = 200;
    std::string body;
    const std::string prefix = "/ipfs/", suffix = "?format=raw";
    // A trustless gateway answers blocks only when asked for raw blocks.
    if (lower.find("\r\naccept: application/vnd.ipld.raw\r\n") == std::string::npos ||
        !target.starts_with(prefix) || !target.ends_with(suffix)) {
      status = 400;
      body = "want ?format=raw and Accept: application/vnd.ipld.raw";
    } else {
      std::string cid = target.substr(prefix.size(), target.size() - prefix.size() - suffix.size());
      std::lock_guard<std::mutex> lock(mu_);
      if (cid == "bafkqaaa") {
        status = probe_status_;
        if (status != 200) body = "gateway is sick";
      } else if (auto it = blocks_.find(cid); it != blocks_.end()) {
        body.assign(it->second.begin(), it->second.end());
      } else {
        status = 404;
        body = "not found";
      }
    }
    std::string head = "HTTP/1.1 " + std::to_string(status) +
                       " X\r\nConnection: close\r\nContent-Type: application/vnd.ipld.raw\r\n"
                       "Content-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n";
    std::string out = method == "HEAD" ? head : head + body;
    std::string_view rest = out;
    while (!rest.empty()) {
      ssize_t n = ::send(c, rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      rest.remove_prefix(static_cast<size_t>(n));
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> probe_status_{200};
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, Bytes> blocks_;
  std::vector<std::string> lines_;
};

std::unique_ptr<Backend> Gateway(const std::string& url, const std::string& name = "gw") {
  BackendConfig c;
  c.name = name;
  c.type = "gateway";
  c.params["url"] = url;
  auto b = MakeBackend(c, "");
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? std::move(b).value() : nullptr;
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

TEST(GatewayBackend, GetHasAndVerification) {
  FakeGateway gw;
  Bytes good = B("a block served by the gateway");
  Cid cid = Cid::Sha256(1, kCodecRaw, good);
  gw.Serve(cid.ToString(), good);
  Bytes real = B("what the CID really names");
  Cid lied = Cid::Sha256(1, kCodecRaw, real);
  gw.Serve(lied.ToString(), B("something else entirely"));

  auto b = Gateway(gw.url() + "/", "public-gw");  // trailing slash is dropped
  ASSERT_TRUE(b);
  auto got = b->Get(cid);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, good);
  auto v = GetVerified(*b, cid);
  ASSERT_TRUE(v.ok()) << v.status().ToString();

  // Get hands over what the gateway sent; GetVerified catches the lie.
  ASSERT_TRUE(b->Get(lied).ok());
  v = GetVerified(*b, lied);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kCorruption);
  EXPECT_NE(v.status().message().find(lied.ToString()), std::string::npos);
  EXPECT_NE(v.status().message().find("public-gw"), std::string::npos);

  EXPECT_EQ(*b->Has(cid), true);
  Cid absent = Cid::Sha256(1, kCodecRaw, B("nobody has this"));
  EXPECT_EQ(*b->Has(absent), false);
  auto miss = b->Get(absent);
  ASSERT_FALSE(miss.ok());
  EXPECT_EQ(miss.status().code(), StatusCode::kNotFound);
  EXPECT_NE(miss.status().message().find(absent.ToString()), std::string::npos);

  // The exact requests: trustless raw block requests, HEAD for Has.
  std::vector<std::string> lines = gw.request_lines();
  ASSERT_GE(lines.size(), 5u);
  EXPECT_EQ(lines[0], "GET /ipfs/" + cid.ToString() + "?format=raw");
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "HEAD /ipfs/" + cid.ToString() + "?format=raw"),
            1);
}

TEST(GatewayBackend, IdentityNeedsNoRequest) {
  FakeGateway gw;
  auto b = Gateway(gw.url());
  auto mh = multiformats::ComputeMultihash(multiformats::kIdentity, B("inline"));
  Cid id(1, kCodecRaw, *mh);
  EXPECT_EQ(*b->Get(id), B("inline"));
  EXPECT_EQ(*b->Has(id), true);
  EXPECT_TRUE(gw.request_lines().empty());
}

TEST(GatewayBackend, ReadOnly) {
  FakeGateway gw;
  auto b = Gateway(gw.url());
  Capabilities caps = b->capabilities();
  EXPECT_TRUE(caps.read_only);
  EXPECT_FALSE(caps.stores_blocks);
  Bytes d = B("x");
  Cid c = Cid::Sha256(1, kCodecRaw, d);
  EXPECT_EQ(b->Put(c, d).code(), StatusCode::kUnsupported);
  EXPECT_EQ(b->Delete(c).code(), StatusCode::kUnsupported);
  EXPECT_EQ(b->Pin(c, PinRequest{}).code(), StatusCode::kUnsupported);
  EXPECT_EQ(b->Unpin(c).code(), StatusCode::kUnsupported);
  auto ps = b->PinStatus(c);
  ASSERT_TRUE(ps.ok());
  EXPECT_EQ(ps->state, PinState::kAbsent);
  int n = 0;
  EXPECT_TRUE(b->ListPins([&](const Cid&) { return ++n > 0; }).ok());
  EXPECT_EQ(n, 0);
  EXPECT_TRUE(gw.request_lines().empty());
}

TEST(GatewayBackend, Check) {
  FakeGateway gw;
  auto b = Gateway(gw.url());
  auto probe = b->Check();
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  EXPECT_NE(probe->detail.find(gw.url()), std::string::npos);
  EXPECT_EQ(gw.request_lines().back(), "GET /ipfs/bafkqaaa?format=raw");

  gw.set_probe_status(503);
  probe = b->Check();
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(probe.status().message().find("503"), std::string::npos);
  EXPECT_NE(probe.status().message().find("gateway is sick"), std::string::npos);

  gw.set_probe_status(404);  // not a trustless gateway
  probe = b->Check();
  ASSERT_FALSE(probe.ok());
  EXPECT_NE(probe.status().message().find("404"), std::string::npos);
}

TEST(GatewayBackend, UnreachableIsUnavailable) {
  std::string url = "http://127.0.0.1:" + std::to_string(UnusedPort());
  auto b = Gateway(url, "gone");
  auto probe = b->Check();
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(probe.status().message().find("gone"), std::string::npos);
  EXPECT_NE(probe.status().message().find(url), std::string::npos);
  Cid c = Cid::Sha256(1, kCodecRaw, B("x"));
  EXPECT_EQ(b->Get(c).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(b->Has(c).status().code(), StatusCode::kUnavailable);
}

TEST(GatewayBackend, OversizedAnswerIsRefused) {
  FakeGateway gw;
  Bytes big(blockstore::kMaxBlockSize + 10, 'q');
  Cid c = Cid::Sha256(1, kCodecRaw, big);
  gw.Serve(c.ToString(), big);
  auto b = Gateway(gw.url());
  auto r = b->Get(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("block limit"), std::string::npos);
}

TEST(GatewayBackend, BadConfig) {
  BackendConfig c;
  c.name = "g";
  c.type = "gateway";
  c.params["url"] = "ftp://x";
  auto r = MakeBackend(c, "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("backends.g.params.url"), std::string::npos);
}

TEST(GatewayBackend, CopyDagFromTheGatewayToALocalStore) {
  FakeGateway gw;
  // leaf1, leaf2 <- file (v0) <- root (v1), root also links leaf2.
  Bytes l1 = B("leaf one"), l2 = B("leaf two");
  Cid c1 = Cid::Sha256(1, kCodecRaw, l1), c2 = Cid::Sha256(1, kCodecRaw, l2);
  dagpb::PbNode file;
  file.links = {{c1, "", 8}, {c2, "", 8}};
  file.data = B("file");
  Bytes fb = dagpb::Encode(file);
  Cid cf = Cid::Sha256(0, kCodecDagPb, fb);
  dagpb::PbNode root;
  root.links = {{cf, "f", fb.size()}, {c2, "g", 8}};
  Bytes rb = dagpb::Encode(root);
  Cid cr = Cid::Sha256(1, kCodecDagPb, rb);
  for (auto& [c, d] : std::vector<std::pair<Cid, Bytes>>{{c1, l1}, {c2, l2}, {cf, fb}, {cr, rb}}) {
    gw.Serve(c.ToString(), d);
  }
  auto from = Gateway(gw.url());

  std::vector<Cid> order;
  Status st = WalkDag(*from, cr, [&](const Cid& c, const Bytes&) {
    order.push_back(c);
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(order, (std::vector<Cid>{cr, cf, c1, c2}));

  std::string tmpl = (std::filesystem::temp_directory_path() / "gateway_test-XXXXXX").string();
  std::string dir = ::mkdtemp(tmpl.data());
  BackendConfig lc;
  lc.name = "disk";
  lc.type = "local";
  lc.params["path"] = dir + "/store";
  auto to = MakeBackend(lc, "");
  ASSERT_TRUE(to.ok()) << to.status().ToString();
  CopyStats stats;
  st = CopyDag(*from, **to, cr, PinRequest{"from-gw", {}, {}}, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(stats.blocks, 4u);
  EXPECT_EQ(stats.bytes, l1.size() + l2.size() + fb.size() + rb.size());
  EXPECT_EQ((*to)->PinStatus(cr)->state, PinState::kPinned);

  // A lying gateway: the copy fails on verification and nothing is pinned.
  gw.Serve(c2.ToString(), B("tampered"));
  BackendConfig lc2 = lc;
  lc2.params["path"] = dir + "/store2";
  auto to2 = MakeBackend(lc2, "");
  ASSERT_TRUE(to2.ok());
  st = CopyDag(*from, **to2, cr, PinRequest{}, &stats);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find(c2.ToString()), std::string::npos);
  EXPECT_EQ((*to2)->PinStatus(cr)->state, PinState::kAbsent);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ipfs_kit::backends
