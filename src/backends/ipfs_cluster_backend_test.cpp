// Tests of the ipfs-cluster backend against recorded REST API answers
// (tests/data/ipfs-cluster/, see its README for where their shape comes
// from), served by a small HTTP server written here with POSIX sockets. The
// server records every request, so the tests check the method, path, query
// and credentials the backend sent, and it can stream an answer chunk by
// chunk with trailers, as the cluster does for GET /pins.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "backend_factories.h"
#include "ipfs_kit/backends/backend.h"
#include "ipfs_kit/http/message.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::backends {
namespace {

// The CIDs of the fixtures.
const char* kCidPinned = "bafybeiaydmj3jhiczpnbyro2scamgaap52udxesaduzzuo7gabknjbhop4";
const char* kCidPinning = "bafybeifchuhc77cmvprniip6nvhwfbyugbrohokq7t5rn55squaikyazvu";
const char* kCidQueued = "bafybeihexcgd7cqcq3zovj3olfxyfbjaiob2paqcqmcatepf7atylr3e5i";
const char* kCidError = "bafybeiahdupz6tce4wsrp57v67mqe4v4mwessw6gt64zh7dvvni53j3vc4";
const char* kCidUnpinned = "QmdPxpMqkr8N3EYfMjmEAsV1XV55Pk4VhS55zdGfmRxXmp";

std::string Fixture(const std::string& name) {
  std::string dir;
  if (const char* d = std::getenv("IPFS_KIT_TEST_DATA")) {
    dir = std::string(d) + "/ipfs-cluster/";
  } else {
    // This file is src/backends/ipfs_cluster_backend_test.cpp of the tree.
    std::string here = __FILE__;
    dir = here.substr(0, here.rfind("/src/backends/")) + "/tests/data/ipfs-cluster/";
  }
  std::ifstream in(dir + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << dir + name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Cid ParseCid(const char* s) {
  auto c = Cid::Parse(s);
  EXPECT_TRUE(c.ok()) << s;
  return c.ok() ? *c : Cid();
}

struct Seen {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // lower-case names
};

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  // Non-empty: sent with Transfer-Encoding: chunked, one chunk each, then
  // the trailers (as the cluster streams GET /pins).
  std::vector<std::string> chunks = {};
  std::map<std::string, std::string> trailers = {};
};

// HTTP/1.1 on 127.0.0.1: one thread per connection, keep-alive, no request
// bodies (the cluster API takes everything in the URL). Handlers run under
// one lock.
class HttpServer {
 public:
  using Handler = std::function<Reply(const Seen&)>;

  explicit HttpServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 64), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~HttpServer() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    acceptor_.join();
    {
      std::lock_guard<std::mutex> lock(conn_mu_);
      for (int c : conns_) ::shutdown(c, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    for (int c : conns_) ::close(c);
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Seen> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  void Accept() {
    for (;;) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) {
        if (stopping_) return;
        continue;
      }
      std::lock_guard<std::mutex> lock(conn_mu_);
      conns_.push_back(c);
      workers_.emplace_back([this, c] { Serve(c); });
    }
  }

  static bool SendAll(int fd, std::string_view s) {
    while (!s.empty()) {
      ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      s.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  void Serve(int c) {
    std::string buf;
    char chunk[16384];
    for (;;) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::recv(c, chunk, sizeof chunk, 0);
        if (n <= 0) return;
        buf.append(chunk, static_cast<size_t>(n));
      }
      std::string head = buf.substr(0, end);
      buf.erase(0, end + 4);
      Seen req;
      size_t eol = head.find("\r\n");
      std::string first = head.substr(0, eol);
      size_t sp1 = first.find(' '), sp2 = first.rfind(' ');
      req.method = first.substr(0, sp1);
      std::string target = first.substr(sp1 + 1, sp2 - sp1 - 1);
      size_t q = target.find('?');
      req.path = http::PercentDecode(target.substr(0, q), false).value_or("?");
      if (q != std::string::npos) {
        if (auto query = http::ParseQuery(target.substr(q + 1))) {
          for (auto& [k, v] : *query) req.query[k] = v;
        }
      }
      for (size_t pos = eol; pos != std::string::npos && pos < head.size();) {
        size_t next = head.find("\r\n", pos + 2);
        std::string line =
            head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
        if (size_t colon = line.find(':'); colon != std::string::npos) {
          std::string value = line.substr(colon + 1);
          value.erase(0, value.find_first_not_of(' '));
          req.headers[Lower(line.substr(0, colon))] = value;
        }
        pos = next;
      }
      Reply reply;
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen_.push_back(req);
        reply = handler_(req);
      }
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\n";
      if (!reply.content_type.empty()) out += "Content-Type: " + reply.content_type + "\r\n";
      if (reply.chunks.empty()) {
        out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
        if (!SendAll(c, out)) return;
        continue;
      }
      out += "Transfer-Encoding: chunked\r\n";
      for (const auto& [k, v] : reply.trailers) out += "Trailer: " + k + "\r\n";
      out += "\r\n";
      if (!SendAll(c, out)) return;
      for (const std::string& part : reply.chunks) {
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", part.size());
        if (!SendAll(c, std::string(size) + part + "\r\n")) return;
      }
      std::string tail = "0\r\n";
      for (const auto& [k, v] : reply.trailers) tail += k + ": " + v + "\r\n";
      if (!SendAll(c, tail + "\r\n")) return;
    }
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex conn_mu_;
  std::vector<int> conns_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::vector<Seen> seen_;
};

Reply File(const std::string& name, int status = 200) { return {status, Fixture(name)}; }

// The recorded answers of a 1.0 cluster, by route. `auth` is the exact
// Authorization header it demands ("" for none).
Reply Cluster(const Seen& r, const std::string& auth = "") {
  if (!auth.empty()) {
    auto it = r.headers.find("authorization");
    if (it == r.headers.end() || it->second != auth) {
      return {401, Fixture("error_unauthorized.json"), "text/plain; charset=utf-8"};
    }
  }
  if (r.method == "GET" && r.path == "/id") return File("id.json");
  if (r.method == "GET" && r.path == "/monitor/metrics/freespace") {
    return File("metrics_freespace.json");
  }
  if (r.method == "POST" && r.path == std::string("/pins/") + kCidPinned) {
    return File("pin_post.json");
  }
  if (r.method == "DELETE" && r.path == std::string("/pins/") + kCidPinned) {
    return File("unpin.json");
  }
  if (r.method == "DELETE" && r.path.rfind("/pins/", 0) == 0) {
    return File("error_not_in_pinset.json", 404);
  }
  if (r.method == "GET") {
    const std::map<std::string, std::string> status = {{kCidPinned, "status_pinned.json"},
                                                       {kCidPinning, "status_pinning.json"},
                                                       {kCidQueued, "status_queued.json"},
                                                       {kCidError, "status_error.json"},
                                                       {kCidUnpinned, "status_unpinned.json"}};
    for (const auto& [cid, file] : status) {
      if (r.path == "/pins/" + cid) return File(file);
    }
  }
  // What Go's router answers for an unknown route.
  return {404, "404 page not found\n", "text/plain; charset=utf-8"};
}

std::unique_ptr<Backend> MakeCluster(const std::string& url,
                                     std::map<std::string, std::string> params = {}) {
  BackendConfig c;
  c.name = "cluster";
  c.type = "ipfs-cluster";
  c.params = std::move(params);
  c.params["url"] = url;
  auto r = NewIpfsClusterBackend(c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(IpfsClusterConfig, RejectsBadParams) {
  BackendConfig c;
  c.name = "c1";
  c.type = "ipfs-cluster";
  auto r = NewIpfsClusterBackend(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("backends.c1.params.url: missing"), std::string::npos);
  const std::map<std::string, std::string> bad[] = {
      {{"url", "localhost:9094"}},
      {{"url", "http://x"}, {"username", "u"}},
      {{"url", "http://x"}, {"password", "p"}},
      {{"url", "http://x"}, {"username", "u"}, {"password", "p"}, {"token", "t"}},
      {{"url", "http://x"}, {"replication_min", "two"}},
      {{"url", "http://x"}, {"replication_min", "3"}, {"replication_max", "2"}},
      {{"url", "http://x"}, {"replication_min", "-1"}, {"replication_max", "2"}},
      {{"url", "http://x"}, {"timeout_ms", "0"}},
      {{"url", "http://x"}, {"secret", "s"}},
  };
  for (const auto& params : bad) {
    c.params = params;
    r = NewIpfsClusterBackend(c);
    ASSERT_FALSE(r.ok()) << params.size();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("backends.c1.params."), std::string::npos)
        << r.status().message();
  }
  c.params = {{"url", "http://x/"}, {"replication_min", "-1"}, {"replication_max", "-1"}};
  r = NewIpfsClusterBackend(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Capabilities caps = (*r)->capabilities();
  EXPECT_FALSE(caps.stores_blocks);
  EXPECT_TRUE(caps.fetches_itself);
  EXPECT_TRUE(caps.async_pins);
}

TEST(IpfsCluster, BlocksAreUnsupported) {
  HttpServer server([](const Seen& r) { return Cluster(r); });
  auto b = MakeCluster(server.Url());
  Cid c = ParseCid(kCidPinned);
  EXPECT_EQ(b->Has(c).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(b->Get(c).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(b->Put(c, AsBytes("x")).code(), StatusCode::kUnsupported);
  EXPECT_EQ(b->Delete(c).code(), StatusCode::kUnsupported);
  EXPECT_TRUE(server.requests().empty());
}

TEST(IpfsCluster, PinSendsNameReplicationMetaAndOrigins) {
  HttpServer server([](const Seen& r) { return Cluster(r); });
  auto b = MakeCluster(server.Url(), {{"replication_min", "2"}, {"replication_max", "3"}});
  PinRequest req;
  req.name = "photos of 2024";
  req.meta = {{"app", "ipfs-kit"}};
  const std::string peer_addr =
      "/ip4/10.0.0.5/tcp/4001/p2p/12D3KooWBYJscfhckQcX1h7E1Wcdr1yZVR2U5aDY7Qrnmzr9aW6u";
  req.origins = {peer_addr, "https://gateway.example/ipfs/", "/ip4/10.0.0.6/tcp/4001"};
  Status st = b->Pin(ParseCid(kCidPinned), req);
  ASSERT_TRUE(st.ok()) << st.ToString();

  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].path, std::string("/pins/") + kCidPinned);
  EXPECT_EQ(seen[0].query["name"], "photos of 2024");
  EXPECT_EQ(seen[0].query["replication-min"], "2");
  EXPECT_EQ(seen[0].query["replication-max"], "3");
  EXPECT_EQ(seen[0].query["meta-app"], "ipfs-kit");
  // Only the multiaddr with a peer id: the cluster refuses the others.
  EXPECT_EQ(seen[0].query["origins"], peer_addr);
  EXPECT_EQ(seen[0].headers.count("authorization"), 0u);
}

TEST(IpfsCluster, PinWithoutOptionsSendsNone) {
  HttpServer server([](const Seen& r) { return Cluster(r); });
  auto b = MakeCluster(server.Url());
  ASSERT_TRUE(b->Pin(ParseCid(kCidPinned), {}).ok());
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].query.empty());
}

TEST(IpfsCluster, PinAnsweredForAnotherCidIsCorruption) {
  // A cluster answering with someone else's pin object.
  HttpServer server([](const Seen&) { return File("pin_post.json"); });
  auto b = MakeCluster(server.Url());
  Status st = b->Pin(ParseCid(kCidQueued), {});
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
}

TEST(IpfsCluster, PinStatusFoldsPeerStates) {
  HttpServer server([](const Seen& r) { return Cluster(r); });
  auto b = MakeCluster(server.Url());
  const std::pair<const char*, PinState> cases[] = {{kCidPinned, PinState::kPinned},
                                                    {kCidPinning, PinState::kPinning},
                                                    {kCidQueued, PinState::kQueued},
                                                    {kCidError, PinState::kFailed},
                                                    {kCidUnpinned, PinState::kAbsent}};
  for (const auto& [cid, state] : cases) {
    auto st = b->PinStatus(ParseCid(cid));
    ASSERT_TRUE(st.ok()) << cid << ": " << st.status().ToString();
    EXPECT_EQ(st->state, state) << cid;
  }
  auto failed = b->PinStatus(ParseCid(kCidError));
  ASSERT_TRUE(failed.ok());
  EXPECT_NE(failed->reason.find("cluster0: pin_error (context deadline exceeded)"),
            std::string::npos)
      << failed->reason;
  // The unreachable peer has no name: its id stands in.
  EXPECT_NE(
      failed->reason.find(
          "12D3KooWAFcyA6y6DDuPiJfVGqUH79vSracd9aDeuHeWWbe8v4h7: cluster_error (dial backoff)"),
      std::string::npos)
      << failed->reason;
  for (const Seen& s : server.requests()) {
    EXPECT_EQ(s.method, "GET");
    EXPECT_EQ(s.path.rfind("/pins/", 0), 0u) << s.path;
  }
}

TEST(IpfsCluster, UnpinIsIdempotent) {
  HttpServer server([](const Seen& r) { return Cluster(r); });
  auto b = MakeCluster(server.Url());
  Status st = b->Unpin(ParseCid(kCidPinned));
  EXPECT_TRUE(st.ok()) << st.ToString();
  // "pin is not part of the pinset" (404): already gone.
  st = b->Unpin(ParseCid(kCidUnpinned));
  EXPECT_TRUE(st.ok()) << st.ToString();
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "DELETE");
  EXPECT_EQ(seen[0].path, std::string("/pins/") + kCidPinned);
  EXPECT_EQ(seen[1].path, std::string("/pins/") + kCidUnpinned);
}

// A 404 that is not the API's JSON error is a wrong URL, not "no such pin".
TEST(IpfsCluster, RouterNotFoundIsNotAbsence) {
  HttpServer server([](const Seen&) {
    return Reply{404, "404 page not found\n", "text/plain; charset=utf-8"};
  });
  auto b = MakeCluster(server.Url() + "/api");
  Status st = b->Unpin(ParseCid(kCidPinned));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnsupported) << st.ToString();
  EXPECT_NE(st.message().find("9094"), std::string::npos) << st.ToString();
  auto probe = b->Check();
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), StatusCode::kUnavailable) << probe.status().ToString();
}

// GET /pins as 1.0 streams it: one GlobalPinInfo per line, in chunks that
// do not follow line ends.
Reply StreamedPins(const Seen& r, std::map<std::string, std::string> trailers = {}) {
  if (r.path != "/pins") return Cluster(r);
  std::string all = Fixture("pins_stream.ndjson");
  Reply reply;
  for (size_t at = 0; at < all.size(); at += 700) reply.chunks.push_back(all.substr(at, 700));
  reply.trailers = std::move(trailers);
  return reply;
}

TEST(IpfsCluster, ListPinsReadsTheStream) {
  HttpServer server([](const Seen& r) { return StreamedPins(r); });
  auto b = MakeCluster(server.Url());
  std::vector<std::string> listed;
  Status st = b->ListPins([&](const Cid& c) {
    listed.push_back(c.ToString());
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(listed, (std::vector<std::string>{
                        kCidPinned, "bafkreifchuhc77cmvprniip6nvhwfbyugbrohokq7t5rn55squaikyazvu",
                        "QmdjUsyV7g7Ab8tmwXoYBQP5CaTujqQbMFrWtGR4nfb6MX"}));
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].path, "/pins");
  EXPECT_EQ(seen[0].query["filter"], "pinned");

  int calls = 0;
  st = b->ListPins([&](const Cid&) {
    ++calls;
    return false;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(calls, 1);
}

TEST(IpfsCluster, ListPinsReportsAStreamBrokenOff) {
  HttpServer server([](const Seen& r) {
    return StreamedPins(r, {{"X-Stream-Error", "context canceled"}});
  });
  auto b = MakeCluster(server.Url());
  Status st = b->ListPins([](const Cid&) { return true; });
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("context canceled"), std::string::npos) << st.ToString();
}

TEST(IpfsCluster, ListPinsEmptyIsNoContent) {
  HttpServer server([](const Seen&) { return Reply{204, "", ""}; });
  auto b = MakeCluster(server.Url());
  int calls = 0;
  Status st = b->ListPins([&](const Cid&) {
    ++calls;
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(calls, 0);
}

// Before 1.0: one array, CIDs as {"/": ...}; the second pin is still in
// progress and is not listed.
TEST(IpfsCluster, ListPinsReadsThePre10Array) {
  HttpServer server([](const Seen&) { return File("pins_v0.14.json"); });
  auto b = MakeCluster(server.Url());
  std::vector<std::string> listed;
  Status st = b->ListPins([&](const Cid& c) {
    listed.push_back(c.ToString());
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(listed, std::vector<std::string>{"QmPxkSYn94P8gJFANKNGcm3i67GrqKyfy5LdAesSrvj9Ca"});
}

TEST(IpfsCluster, ListPinsRejectsGarbage) {
  HttpServer server([](const Seen&) {
    Reply r;
    r.chunks = {"{\"cid\": \"bafy\", \"peer_map\": {}}\n", "not json\n"};
    return r;
  });
  auto b = MakeCluster(server.Url());
  Status st = b->ListPins([](const Cid&) { return true; });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
}

TEST(IpfsCluster, CheckReportsPeerAndFreeSpace) {
  HttpServer server([](const Seen& r) { return Cluster(r); });
  auto b = MakeCluster(server.Url());
  auto probe = b->Check();
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  EXPECT_NE(probe->detail.find("12D3KooWEvrft8nw8c5kL664hHmrBQkT1kQAtRjUSde4yhQgw8FU (cluster0)"),
            std::string::npos)
      << probe->detail;
  EXPECT_NE(probe->detail.find("version 1.0.8"), std::string::npos) << probe->detail;
  EXPECT_NE(probe->detail.find("3 peers"), std::string::npos) << probe->detail;
  EXPECT_NE(probe->detail.find("ipfs 12D3KooWBYJscfhckQcX1h7E1Wcdr1yZVR2U5aDY7Qrnmzr9aW6u"),
            std::string::npos)
      << probe->detail;
  // The fullest valid peer; the expired metric of 1 TiB does not count.
  ASSERT_TRUE(probe->bytes_free.has_value());
  EXPECT_EQ(*probe->bytes_free, 98784247808);
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].path, "/id");
  EXPECT_EQ(seen[1].path, "/monitor/metrics/freespace");
}

TEST(IpfsCluster, CheckWithoutMetricsStillPasses) {
  HttpServer server([](const Seen& r) {
    if (r.path == "/id") return File("id.json");
    return Reply{404, "404 page not found\n", "text/plain"};
  });
  auto b = MakeCluster(server.Url());
  auto probe = b->Check();
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  EXPECT_FALSE(probe->bytes_free.has_value());
}

TEST(IpfsCluster, CheckFailsWhenTheIpfsDaemonIsDown) {
  HttpServer server([](const Seen& r) {
    if (r.path == "/id") return File("id_ipfs_down.json");
    return Cluster(r);
  });
  auto b = MakeCluster(server.Url());
  auto probe = b->Check();
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(probe.status().message().find("cannot reach its IPFS daemon"), std::string::npos)
      << probe.status().message();
  EXPECT_NE(probe.status().message().find("connection refused"), std::string::npos)
      << probe.status().message();
}

TEST(IpfsCluster, BearerToken) {
  HttpServer server([](const Seen& r) { return Cluster(r, "Bearer s3cret"); });
  auto good = MakeCluster(server.Url(), {{"token", "s3cret"}});
  auto probe = good->Check();
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  auto bad = MakeCluster(server.Url(), {{"token", "wrong"}});
  probe = bad->Check();
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(probe.status().message().find("Unauthorized"), std::string::npos)
      << probe.status().message();
  EXPECT_EQ(bad->Pin(ParseCid(kCidPinned), {}).code(), StatusCode::kPermissionDenied);
}

TEST(IpfsCluster, BasicAuth) {
  // base64("user:pass")
  HttpServer server([](const Seen& r) { return Cluster(r, "Basic dXNlcjpwYXNz"); });
  auto good = MakeCluster(server.Url(), {{"username", "user"}, {"password", "pass"}});
  auto st = good->PinStatus(ParseCid(kCidPinned));
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->state, PinState::kPinned);
  // Padding matters: base64("u:p") is "dTpw", base64("us:p") is "dXM6cA==".
  HttpServer padded([](const Seen& r) { return Cluster(r, "Basic dXM6cA=="); });
  auto two = MakeCluster(padded.Url(), {{"username", "us"}, {"password", "p"}});
  EXPECT_TRUE(two->Check().ok());
  auto bad = MakeCluster(server.Url(), {{"username", "user"}, {"password", "nope"}});
  EXPECT_EQ(bad->Unpin(ParseCid(kCidPinned)).code(), StatusCode::kPermissionDenied);
}

TEST(IpfsCluster, StoppedClusterIsUnavailable) {
  std::string url;
  {
    HttpServer server([](const Seen& r) { return Cluster(r); });
    url = server.Url();
  }
  auto b = MakeCluster(url);
  auto probe = b->Check();
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), StatusCode::kUnavailable) << probe.status().ToString();
  EXPECT_EQ(b->Pin(ParseCid(kCidPinned), {}).code(), StatusCode::kUnavailable);
  EXPECT_EQ(b->PinStatus(ParseCid(kCidPinned)).status().code(), StatusCode::kUnavailable);
}

TEST(IpfsCluster, RefusedRequestIsInvalidArgument) {
  HttpServer server([](const Seen&) {
    return Reply{400, "{\"code\":400,\"message\":\"multiaddress does not contain peer ID\"}\n"};
  });
  auto b = MakeCluster(server.Url());
  Status st = b->Pin(ParseCid(kCidPinned), {});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("does not contain peer ID"), std::string::npos) << st.ToString();
}

TEST(IpfsCluster, ServerErrorsAreMapped) {
  HttpServer server([](const Seen&) {
    return Reply{500, "{\"code\":500,\"message\":\"leader not found\"}\n"};
  });
  auto b = MakeCluster(server.Url());
  Status st = b->Pin(ParseCid(kCidPinned), {});
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("leader not found"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("HTTP 500"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace ipfs_kit::backends
