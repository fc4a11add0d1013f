// Tests of the libcurl client against a small HTTP/1.1 server written here
// with POSIX sockets, so the tests see exactly what went over the wire.
#include "ipfs_kit/http/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ipfs_kit::http {
namespace {

struct SeenRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
};

// One thread per connection, keep-alive, Content-Length bodies only.
// Handlers return a complete raw response; an empty string means "never
// answer" (the connection is held until the client drops it).
class TestServer {
 public:
  using Handler = std::function<std::string(const SeenRequest&)>;

  explicit TestServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listen_fd_, 64), 0);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~TestServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int fd : conn_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    for (int fd : conn_fds_) ::close(fd);
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int connections() const { return connections_.load(); }
  std::vector<SeenRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  void AcceptLoop() {
    for (;;) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) {
        if (stopping_) return;
        continue;
      }
      connections_++;
      std::lock_guard<std::mutex> lock(mu_);
      conn_fds_.push_back(fd);
      workers_.emplace_back([this, fd] { Serve(fd); });
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

  void Serve(int fd) {
    std::string buf;
    char chunk[65536];
    for (;;) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return;
        buf.append(chunk, static_cast<size_t>(n));
      }
      SeenRequest req;
      std::string head = buf.substr(0, end);
      buf.erase(0, end + 4);
      size_t line_end = head.find("\r\n");
      std::string first = head.substr(0, line_end);
      size_t sp1 = first.find(' '), sp2 = first.rfind(' ');
      req.method = first.substr(0, sp1);
      req.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
      size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
      while (pos < head.size()) {
        size_t e = head.find("\r\n", pos);
        if (e == std::string::npos) e = head.size();
        std::string line = head.substr(pos, e - pos);
        size_t colon = line.find(':');
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = colon + 1 < line.size() ? line.substr(colon + 1) : "";
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        req.headers[name] = value;
        pos = e + 2;
      }
      if (req.headers.count("expect")) SendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n");
      size_t length =
          req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
      while (buf.size() < length) {
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return;
        buf.append(chunk, static_cast<size_t>(n));
      }
      req.body = buf.substr(0, length);
      buf.erase(0, length);
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen_.push_back(req);
      }
      std::string reply = handler_(req);
      if (reply.empty()) {
        // Hold the connection until the client gives up.
        while (::recv(fd, chunk, sizeof chunk, 0) > 0) {
        }
        return;
      }
      if (!SendAll(fd, reply)) return;
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> conn_fds_;
  std::vector<std::thread> workers_;
  std::vector<SeenRequest> seen_;
};

std::string Reply(int status, const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" +
         body;
}

// A port with nothing listening: bound, then closed.
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

TEST(HttpClient, GetReturnsStatusHeadersAndBody) {
  TestServer server([](const SeenRequest& r) {
    return Reply(200, "hello " + r.target, "X-Thing: Some Value\r\n");
  });
  ClientRequest req;
  req.url = server.Url("/path?q=1");
  req.headers = {{"Accept", "text/plain"}};
  auto res = Fetch(req);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello /path?q=1");
  ASSERT_TRUE(res->Header("x-thing").has_value());
  EXPECT_EQ(*res->Header("x-thing"), "Some Value");
  EXPECT_EQ(*res->Header("X-Thing"), "Some Value");
  bool lower = true;
  for (const auto& [k, v] : res->headers) {
    for (char c : k) lower = lower && !std::isupper(static_cast<unsigned char>(c));
  }
  EXPECT_TRUE(lower);
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].headers["accept"], "text/plain");
}

TEST(HttpClient, ErrorStatusIsAResponseNotAnError) {
  TestServer server([](const SeenRequest&) { return Reply(404, "no such thing"); });
  ClientRequest req;
  req.url = server.Url("/missing");
  auto res = Fetch(req);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->body, "no such thing");
}

TEST(HttpClient, MethodsAndBodies) {
  TestServer server([](const SeenRequest& r) { return Reply(200, r.method + ":" + r.body); });
  for (std::string method : {"POST", "PUT", "DELETE", "PATCH"}) {
    ClientRequest req;
    req.method = method;
    req.url = server.Url("/m");
    if (method != "DELETE") req.body = std::string("payload\0bytes", 13);
    auto res = Fetch(req);
    ASSERT_TRUE(res.ok()) << method << ": " << res.status().ToString();
    EXPECT_EQ(res->body, method + ":" + req.body) << method;
  }
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 4u);
  // A body without a Content-Type is labelled as bytes, not as a form.
  EXPECT_EQ(seen[0].headers["content-type"], "application/octet-stream");
  EXPECT_EQ(seen[2].method, "DELETE");
  EXPECT_EQ(seen[2].body, "");
}

TEST(HttpClient, EmptyPostSendsZeroLength) {
  TestServer server([](const SeenRequest&) { return Reply(200, "ok"); });
  ClientRequest req;
  req.method = "POST";
  req.url = server.Url("/api/v0/id");
  auto res = Fetch(req);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].headers["content-length"], "0");
}

TEST(HttpClient, HeadHasNoBody) {
  TestServer server([](const SeenRequest& r) {
    // A HEAD answer announces the length but sends no body.
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
  });
  ClientRequest req;
  req.method = "HEAD";
  req.url = server.Url("/x");
  auto res = Fetch(req);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "");
  EXPECT_EQ(*res->Header("content-length"), "1234");
  EXPECT_EQ(server.requests().at(0).method, "HEAD");
}

TEST(HttpClient, LargeBodyWithExpectContinue) {
  // curl sends Expect: 100-continue for bodies of 1 MiB and more.
  TestServer server([](const SeenRequest& r) { return Reply(200, std::to_string(r.body.size())); });
  ClientRequest req;
  req.method = "PUT";
  req.url = server.Url("/big");
  req.body.assign(3 << 20, 'z');
  auto res = Fetch(req);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->body, std::to_string(3 << 20));
}

TEST(HttpClient, MultipartForm) {
  TestServer server([](const SeenRequest&) { return Reply(200, "{}"); });
  ClientRequest req;
  req.method = "POST";
  req.url = server.Url("/api/v0/add");
  req.form.push_back({"file", "a.txt", "text/plain", "first file"});
  req.form.push_back({"file", "b.bin", "application/octet-stream", std::string("\x00\x01\x02", 3)});
  auto res = Fetch(req);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  const std::string& ct = seen[0].headers["content-type"];
  ASSERT_TRUE(ct.starts_with("multipart/form-data; boundary=")) << ct;
  std::string boundary = ct.substr(ct.find('=') + 1);
  const std::string& body = seen[0].body;
  EXPECT_NE(body.find("--" + boundary + "\r\n"), std::string::npos);
  EXPECT_NE(body.find("name=\"file\"; filename=\"a.txt\""), std::string::npos);
  EXPECT_NE(body.find("Content-Type: text/plain\r\n\r\nfirst file\r\n"), std::string::npos);
  EXPECT_NE(body.find(std::string("\r\n\r\n\x00\x01\x02\r\n--", 11) + boundary + "--"),
            std::string::npos);
}

TEST(HttpClient, BearerToken) {
  TestServer server([](const SeenRequest&) { return Reply(200, ""); });
  ClientRequest req;
  req.url = server.Url("/pins");
  req.bearer_token = "secret-token";
  ASSERT_TRUE(Fetch(req).ok());
  EXPECT_EQ(server.requests().at(0).headers["authorization"], "Bearer secret-token");
}

TEST(HttpClient, SigV4SignsTheRequest) {
  TestServer server([](const SeenRequest&) { return Reply(200, ""); });
  ClientRequest req;
  req.method = "PUT";
  req.url = server.Url("/bucket/key");
  req.body = "data";
  req.headers = {
      {"x-amz-content-sha256", "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7"}};
  req.sigv4 = SigV4{"aws:amz:eu-west-3:s3", "AKIDEXAMPLE", "secret"};
  ASSERT_TRUE(Fetch(req).ok());
  auto seen = server.requests().at(0);
  const std::string& auth = seen.headers["authorization"];
  EXPECT_TRUE(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")) << auth;
  EXPECT_NE(auth.find("/eu-west-3/s3/aws4_request"), std::string::npos) << auth;
  EXPECT_NE(auth.find("x-amz-content-sha256"), std::string::npos) << auth;
  EXPECT_EQ(seen.headers.count("x-amz-date"), 1u);
}

TEST(HttpClient, MaxResponseBytes) {
  std::string big(10000, 'b');
  TestServer server([&](const SeenRequest& r) {
    if (r.target == "/chunked") {
      // No Content-Length: the limit is enforced while reading.
      std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
      char size[16];
      std::snprintf(size, sizeof size, "%zx\r\n", big.size());
      return out + size + big + "\r\n0\r\n\r\n";
    }
    return Reply(200, big);
  });
  for (std::string path : {"/len", "/chunked"}) {
    ClientRequest req;
    req.url = server.Url(path);
    req.max_response_bytes = 9999;
    auto res = Fetch(req);
    ASSERT_FALSE(res.ok()) << path;
    EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument) << path;
    EXPECT_NE(res.status().message().find("larger than 9999 bytes"), std::string::npos)
        << res.status().message();
    req.max_response_bytes = 10000;
    auto ok = Fetch(req);
    ASSERT_TRUE(ok.ok()) << path << ": " << ok.status().ToString();
    EXPECT_EQ(ok->body.size(), 10000u);
  }
}

TEST(HttpClient, StreamingBodyAndAbort) {
  std::string big(300000, 's');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  TestServer server([&](const SeenRequest& r) {
    if (r.target == "/err") return Reply(500, "server says no");
    return Reply(200, big);
  });
  ClientRequest req;
  req.url = server.Url("/stream");
  std::string got;
  int calls = 0;
  req.on_body = [&](std::string_view chunk) {
    got.append(chunk);
    ++calls;
    return true;
  };
  auto res = Fetch(req);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(got, big);
  EXPECT_EQ(res->body, "");
  EXPECT_GE(calls, 1);

  // An error answer is collected, not streamed.
  got.clear();
  req.url = server.Url("/err");
  res = Fetch(req);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(res->body, "server says no");
  EXPECT_EQ(got, "");

  req.url = server.Url("/stream");
  req.on_body = [](std::string_view) { return false; };
  res = Fetch(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument);
}

TEST(HttpClient, ConnectionRefusedIsUnavailable) {
  int port = UnusedPort();
  ClientRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/health";
  auto res = Fetch(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(res.status().message().find(req.url), std::string::npos) << res.status().message();
  EXPECT_NE(res.status().message().find("onnect"), std::string::npos) << res.status().message();
}

TEST(HttpClient, DnsFailureIsUnavailable) {
  ClientRequest req;
  // RFC 6761: .invalid never resolves.
  req.url = "http://no-such-host.invalid/x";
  req.connect_timeout_ms = 3000;
  req.timeout_ms = 5000;
  auto res = Fetch(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(res.status().message().find("no-such-host.invalid"), std::string::npos);
}

TEST(HttpClient, TimeoutIsUnavailable) {
  TestServer server([](const SeenRequest&) { return std::string(); });  // never answers
  ClientRequest req;
  req.url = server.Url("/stall");
  req.timeout_ms = 200;
  auto res = Fetch(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(res.status().message().find("/stall"), std::string::npos);
  EXPECT_NE(res.status().message().find("timed out"), std::string::npos) << res.status().message();
}

TEST(HttpClient, BadUrlIsInvalidArgument) {
  ClientRequest req;
  req.url = "ftp://127.0.0.1/x";
  auto res = Fetch(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument);
}

TEST(HttpClient, ReusesConnectionsOnOneThread) {
  TestServer server([](const SeenRequest&) { return Reply(200, "k"); });
  std::thread t([&] {
    for (int i = 0; i < 5; ++i) {
      ClientRequest req;
      req.url = server.Url("/r");
      ASSERT_TRUE(Fetch(req).ok());
    }
  });
  t.join();
  EXPECT_EQ(server.requests().size(), 5u);
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, NestedFetchFromBodyCallback) {
  TestServer server([](const SeenRequest& r) { return Reply(200, r.target); });
  ClientRequest outer;
  outer.url = server.Url("/outer");
  std::string inner_body;
  outer.on_body = [&](std::string_view) {
    ClientRequest inner;
    inner.url = server.Url("/inner");
    auto res = Fetch(inner);
    if (res.ok()) inner_body = res->body;
    return true;
  };
  auto res = Fetch(outer);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(inner_body, "/inner");
}

TEST(HttpClient, ManyThreads) {
  TestServer server([](const SeenRequest& r) { return Reply(200, r.target); });
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        ClientRequest req;
        std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        req.url = server.Url(path);
        auto res = Fetch(req);
        if (res.ok() && res->body == path) good++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 80);
}

}  // namespace
}  // namespace ipfs_kit::http
