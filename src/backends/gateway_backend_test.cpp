// The `gateway` backend against a small trustless gateway written here with
// POSIX sockets: it serves raw blocks from a map, the bafkqaaa probe, one
// block whose bytes do not match its CID, and whole DAGs as CARs (written
// with our CAR writer from the same map, in DFS pre-order), or refuses CARs
// the way gateways without CAR support do.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ipfs_kit/backends/backend.h"
#include "ipfs_kit/blockstore/blockstore.h"
#include "ipfs_kit/car/car.h"
#include "ipfs_kit/dagpb/dag_pb.h"
#include "ipfs_kit/http/server.h"

// Readable CIDs in assertion failures.
namespace ipfs_kit::multiformats {
void PrintTo(const Cid& c, std::ostream* os) { *os << c.ToString(); }
}  // namespace ipfs_kit::multiformats

namespace ipfs_kit::backends {
namespace {

using multiformats::kCodecDagPb;
using multiformats::kCodecRaw;

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

// A trustless gateway on the project's HTTP server (free 127.0.0.1 port);
// answers are computed under one lock, requests recorded in order.
class FakeGateway {
 public:
  FakeGateway() {
    auto server = http::Server::Start(
        http::ServerOptions{},
        [this](http::Request r, http::Responder respond) { respond(Answer(r)); });
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    if (server.ok()) server_ = std::move(server).value();
  }
  ~FakeGateway() { server_.reset(); }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_ ? server_->port() : 0);
  }
  // Serves `data` under `cid` (whatever its hash).
  void Serve(const std::string& cid, Bytes data) {
    std::lock_guard<std::mutex> lock(mu_);
    blocks_[cid] = std::move(data);
  }
  void set_probe_status(int s) { probe_status_ = s; }
  // How ?format=car is answered: 200 with the CAR, or `page` with that
  // status (406 and 501 as gateways without CAR support answer, 200 as a
  // plain web server that ignores the parameter).
  void set_car_answer(int status, std::string page = "") {
    std::lock_guard<std::mutex> lock(mu_);
    car_status_ = status;
    car_page_ = page.empty() && status != 200 ? "no CARs here" : std::move(page);
  }
  // The CAR names this root instead of the one asked for.
  void set_car_root(std::optional<Cid> root) {
    std::lock_guard<std::mutex> lock(mu_);
    car_root_ = std::move(root);
  }
  std::vector<std::string> request_lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }
  std::string last_accept() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_accept_;
  }

 private:
  http::Response Answer(const http::Request& r) {
    const std::string& target = r.target;
    std::string accept(r.Header("accept").value_or(""));
    {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.push_back(r.method + " " + target);
      last_accept_ = accept;
    }
    int status = 200;
    std::string body;
    std::string type = "application/vnd.ipld.raw";
    const std::string prefix = "/ipfs/", raw = "?format=raw", car = "?format=car&dag-scope=all";
    if (target.starts_with(prefix) && target.ends_with(car) &&
        accept.starts_with("application/vnd.ipld.car")) {
      std::string cid = target.substr(prefix.size(), target.size() - prefix.size() - car.size());
      type = "application/vnd.ipld.car";
      std::lock_guard<std::mutex> lock(mu_);
      status = car_status_;
      if (!car_page_.empty()) {
        type = "text/html";
        body = car_page_;
      } else if (!blocks_.contains(cid)) {
        status = 404;
        body = "not found";
      } else {
        body = CarOf(*Cid::Parse(cid));
      }
    } else if (accept != "application/vnd.ipld.raw" || !target.starts_with(prefix) ||
               !target.ends_with(raw)) {
      // A trustless gateway answers blocks only when asked for raw blocks.
      status = 400;
      body = "want ?format=raw and Accept: application/vnd.ipld.raw";
    } else {
      std::string cid = target.substr(prefix.size(), target.size() - prefix.size() - raw.size());
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
    http::Response out;
    out.status = status;
    out.headers.emplace_back("Content-Type", type);
    out.body = std::move(body);  // the server drops it for HEAD
    return out;
  }

  // The DAG under `root` as a CAR, as a gateway's dag export: DFS
  // pre-order, each block once, whatever bytes the map holds (so a block
  // served wrong goes into the CAR wrong). Called with mu_ held.
  std::string CarOf(const Cid& root) {
    char* buf = nullptr;
    size_t len = 0;
    FILE* f = ::open_memstream(&buf, &len);
    auto writer = car::CarWriter::Create(f, {car_root_.value_or(root)});
    std::vector<Cid> stack{root};
    std::set<Cid> seen;
    while (writer.ok() && !stack.empty()) {
      Cid c = stack.back();
      stack.pop_back();
      auto it = blocks_.find(c.ToString());
      if (!seen.insert(c).second || it == blocks_.end()) continue;
      EXPECT_TRUE((*writer)->Put(c, it->second).ok());
      if (c.codec() != kCodecDagPb) continue;
      auto node = dagpb::Decode(it->second);
      if (!node.ok()) continue;
      for (auto l = node->links.rbegin(); l != node->links.rend(); ++l) stack.push_back(l->hash);
    }
    if (writer.ok()) {
      EXPECT_TRUE((*writer)->Finish().ok());
    }
    std::fclose(f);
    std::string out(buf, len);
    std::free(buf);
    return out;
  }

  std::atomic<int> probe_status_{200};
  int car_status_ = 200;
  std::string car_page_;
  std::optional<Cid> car_root_;
  std::string last_accept_;
  std::mutex mu_;
  std::map<std::string, Bytes> blocks_;
  std::vector<std::string> lines_;
  std::unique_ptr<http::Server> server_;  // last: stopped first, before the state it reads
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

// --- whole DAGs as CARs ---

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gateway_test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::unique_ptr<Backend> LocalStore(const std::string& dir) {
  BackendConfig c;
  c.name = "disk";
  c.type = "local";
  c.params["path"] = dir;
  auto b = MakeBackend(c, "");
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? std::move(b).value() : nullptr;
}

// A DAG served by the gateway: `mids` dag-pb nodes (v0 and v1 alternating)
// of `leaves` raw leaves each, the last leaf of every node shared with the
// next one, under a v1 root. Remembers the DFS pre-order and every block.
struct ServedDag {
  Cid root;
  std::vector<Cid> order;
  std::map<Cid, Bytes> blocks;
  uint64_t bytes = 0;
};

ServedDag ServeDag(FakeGateway& gw, int mids, int leaves, size_t leaf_size) {
  ServedDag d;
  auto add = [&](const Cid& c, Bytes data) {
    gw.Serve(c.ToString(), data);
    d.bytes += data.size();
    d.blocks[c] = std::move(data);
  };
  std::vector<std::vector<Cid>> children(static_cast<size_t>(mids));
  std::vector<Cid> mid_cids;
  Cid shared;
  for (int m = 0; m < mids; ++m) {
    dagpb::PbNode node;
    if (m > 0) node.links.push_back({shared, "shared", 1});
    for (int i = 0; i < leaves; ++i) {
      std::string text = std::to_string(m) + "/" + std::to_string(i) + ":";
      text.resize(leaf_size, static_cast<char>('a' + (m * 7 + i) % 26));
      Bytes data = B(text);
      Cid c = Cid::Sha256(1, kCodecRaw, data);
      add(c, data);
      // Appended, not "l" + to_string(i): GCC 12 warns (-Wrestrict) on that.
      std::string link_name = "l";
      link_name += std::to_string(i);
      node.links.push_back({c, link_name, data.size()});
      shared = c;
    }
    std::string mid_data = "mid";
    mid_data += std::to_string(m);
    node.data = B(mid_data);
    Bytes nb = dagpb::Encode(node);
    Cid mc = Cid::Sha256(m % 2, kCodecDagPb, nb);
    add(mc, nb);
    mid_cids.push_back(mc);
    for (const auto& l : node.links) children[static_cast<size_t>(m)].push_back(l.hash);
  }
  dagpb::PbNode top;
  for (const Cid& mc : mid_cids) top.links.push_back({mc, "", 1});
  top.data = B("top");
  Bytes tb = dagpb::Encode(top);
  d.root = Cid::Sha256(1, kCodecDagPb, tb);
  add(d.root, tb);
  std::set<Cid> seen;
  d.order.push_back(d.root);
  for (size_t m = 0; m < mid_cids.size(); ++m) {
    d.order.push_back(mid_cids[m]);
    for (const Cid& c : children[m]) {
      if (seen.insert(c).second) d.order.push_back(c);
    }
  }
  return d;
}

TEST(GatewayCar, ExportStreamsTheVerifiedDag) {
  FakeGateway gw;
  // ~2.5 MB: more than socket buffers hold, so the transfer waits on the
  // reader as it goes.
  ServedDag d = ServeDag(gw, 4, 40, 16000);
  auto b = Gateway(gw.url(), "car-gw");
  EXPECT_TRUE(b->capabilities().car_export);
  std::vector<Cid> got;
  Status st = b->ExportCar(d.root, [&](const Cid& c, ByteView data) {
    EXPECT_EQ(Bytes(data.begin(), data.end()), d.blocks.at(c));
    got.push_back(c);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(got, d.order);
  EXPECT_EQ(gw.request_lines(), std::vector<std::string>{"GET /ipfs/" + d.root.ToString() +
                                                         "?format=car&dag-scope=all"});
  EXPECT_EQ(gw.last_accept(), "application/vnd.ipld.car; version=1; order=dfs; dups=n");

  // A root the gateway does not have.
  Cid absent = Cid::Sha256(1, kCodecDagPb, B("nobody has this"));
  st = b->ExportCar(absent, [](const Cid&, ByteView) { return Status::Ok(); });
  EXPECT_EQ(st.code(), StatusCode::kNotFound) << st.ToString();
  EXPECT_NE(st.message().find(absent.ToString()), std::string::npos) << st.ToString();
}

TEST(GatewayCar, CopyDagTakesOneRequestAndMatchesTheBlockPath) {
  FakeGateway gw;
  ServedDag d = ServeDag(gw, 3, 25, 3000);
  auto from = Gateway(gw.url());
  TempDir dir;

  auto by_car = LocalStore(dir.path() + "/car");
  CopyStats car_stats;
  Status st = CopyDag(*from, *by_car, d.root, PinRequest{"car", {}, {}}, &car_stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(gw.request_lines().size(), 1u);
  EXPECT_EQ(car_stats.blocks, d.blocks.size());
  EXPECT_EQ(car_stats.bytes, d.bytes);
  EXPECT_EQ(car_stats.skipped, 0u);

  // The same gateway without CARs: one refused CAR request, then one
  // request per block, and the same outcome.
  gw.set_car_answer(406);
  auto by_block = LocalStore(dir.path() + "/block");
  CopyStats block_stats;
  st = CopyDag(*from, *by_block, d.root, PinRequest{"block", {}, {}}, &block_stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(gw.request_lines().size(), 1u + 1u + d.blocks.size());
  EXPECT_EQ(block_stats.blocks, car_stats.blocks);
  EXPECT_EQ(block_stats.bytes, car_stats.bytes);
  EXPECT_EQ(block_stats.skipped, car_stats.skipped);

  for (Backend* to : {by_car.get(), by_block.get()}) {
    EXPECT_EQ(to->PinStatus(d.root)->state, PinState::kPinned);
    std::vector<Cid> walked;
    st = WalkDag(*to, d.root, [&](const Cid& c, const Bytes& data) {
      EXPECT_EQ(data, d.blocks.at(c));
      walked.push_back(c);
      return true;
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(walked, d.order);
  }

  // Again from the CAR gateway onto the filled store: the CAR still comes
  // in one request, and every block is skipped.
  gw.set_car_answer(200);
  size_t before = gw.request_lines().size();
  st = CopyDag(*from, *by_car, d.root, PinRequest{}, &car_stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(gw.request_lines().size(), before + 1);
  EXPECT_EQ(car_stats.blocks, 0u);
  EXPECT_EQ(car_stats.skipped, d.blocks.size());
}

TEST(GatewayCar, ACarWithACorruptedBlockIsRefused) {
  FakeGateway gw;
  ServedDag d = ServeDag(gw, 2, 5, 100);
  const Cid& victim = d.order[4];
  gw.Serve(victim.ToString(), B("tampered in the CAR"));
  auto b = Gateway(gw.url(), "liar");
  std::vector<Cid> got;
  Status st = b->ExportCar(d.root, [&](const Cid& c, ByteView) {
    got.push_back(c);
    return Status::Ok();
  });
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find(victim.ToString()), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("gateway backend liar"), std::string::npos) << st.ToString();
  EXPECT_EQ(got, std::vector<Cid>(d.order.begin(), d.order.begin() + 4));

  // A copy stops there: no fallback to the block path, no pin.
  TempDir dir;
  auto to = LocalStore(dir.path() + "/s");
  size_t before = gw.request_lines().size();
  st = CopyDag(*b, *to, d.root, PinRequest{});
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find(victim.ToString()), std::string::npos) << st.ToString();
  EXPECT_EQ(gw.request_lines().size(), before + 1);
  EXPECT_EQ(to->PinStatus(d.root)->state, PinState::kAbsent);
  EXPECT_EQ(*to->Has(victim), false);
}

TEST(GatewayCar, ACarWithAnotherRootIsRefused) {
  FakeGateway gw;
  ServedDag d = ServeDag(gw, 2, 3, 100);
  const Cid& other = d.order[1];
  gw.set_car_root(other);
  auto b = Gateway(gw.url(), "confused");
  int calls = 0;
  Status st = b->ExportCar(d.root, [&](const Cid&, ByteView) {
    ++calls;
    return Status::Ok();
  });
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find(other.ToString()), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("expected [" + d.root.ToString() + "]"), std::string::npos)
      << st.ToString();
  EXPECT_NE(st.message().find("confused"), std::string::npos) << st.ToString();
  EXPECT_EQ(calls, 0);

  TempDir dir;
  auto to = LocalStore(dir.path() + "/s");
  st = CopyDag(*b, *to, d.root, PinRequest{});
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_EQ(to->PinStatus(d.root)->state, PinState::kAbsent);
}

TEST(GatewayCar, WithoutCarSupportCopiesFallBackToBlocks) {
  FakeGateway gw;
  ServedDag d = ServeDag(gw, 2, 3, 100);
  auto b = Gateway(gw.url(), "old-gw");
  // 406 and 501 (no CARs), and a 200 that is not a CAR (a server that
  // ignores the parameter and sends a web page).
  for (int answer : {406, 501, 200}) {
    gw.set_car_answer(answer, answer == 200 ? "<html><body>a web page</body></html>" : "");
    Status st;
    st = b->ExportCar(d.root, [](const Cid&, ByteView) { return Status::Ok(); });
    EXPECT_EQ(st.code(), StatusCode::kUnsupported) << answer << ": " << st.ToString();
    EXPECT_NE(st.message().find(answer == 200 ? "not a CAR" : std::to_string(answer)),
              std::string::npos)
        << st.ToString();
    EXPECT_NE(st.message().find("old-gw"), std::string::npos) << st.ToString();

    TempDir dir;
    auto to = LocalStore(dir.path() + "/s");
    CopyStats stats;
    st = CopyDag(*b, *to, d.root, PinRequest{}, &stats);
    ASSERT_TRUE(st.ok()) << answer << ": " << st.ToString();
    EXPECT_EQ(stats.blocks, d.blocks.size());
    EXPECT_EQ(to->PinStatus(d.root)->state, PinState::kPinned);
  }
  // Each round: the refused ExportCar, then the copy's refused CAR request
  // and one request per block.
  EXPECT_EQ(gw.request_lines().size(), 3 * (1 + 1 + d.blocks.size()));
}

}  // namespace
}  // namespace ipfs_kit::backends
