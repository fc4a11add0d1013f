// Tests of the HTTP server: a real server on a free 127.0.0.1 port, spoken to
// through plain sockets (and curl for one upload), plus the pure request
// conversion in server_internal.h.
//
// Sockets get a 30 s receive timeout only so that a server bug fails a test
// instead of hanging it; no assertion depends on timing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ipfs_kit/http/client.h"
#include "ipfs_kit/http/server.h"
#include "server_internal.h"

namespace ipfs_kit::http {
namespace {

using internal::ParsedRequest;

// --- A blocking HTTP/1.1 client over one socket --------------------------------

struct Reply {
  int status = 0;
  HeaderList headers;  // names lower-cased
  std::string body;
  std::optional<std::string> Header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return std::nullopt;
  }
};

class Conn {
 public:
  explicit Conn(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Conn() { ::close(fd_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  bool connected() const { return connected_; }
  // Each Send becomes its own TCP segment.
  void NoDelay() {
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }

  void Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        ADD_FAILURE() << "send failed";
        return;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  // Reads until `delim` has arrived and returns everything up to and
  // including it; "" on EOF or error.
  std::string ReadUntil(std::string_view delim) {
    for (;;) {
      size_t pos = buf_.find(delim);
      if (pos != std::string::npos) {
        std::string out = buf_.substr(0, pos + delim.size());
        buf_.erase(0, pos + delim.size());
        return out;
      }
      if (!Fill()) return "";
    }
  }

  // Reads one response; a HEAD answer and 1xx/204/304 have no body.
  Reply Read(bool head_request = false) {
    Reply r;
    std::string head = ReadUntil("\r\n\r\n");
    if (head.empty()) {
      ADD_FAILURE() << "connection ended before a response";
      return r;
    }
    size_t eol = head.find("\r\n");
    std::string status_line = head.substr(0, eol);
    if (status_line.rfind("HTTP/1.1 ", 0) != 0 || status_line.size() < 12) {
      ADD_FAILURE() << "bad status line: " << status_line;
      return r;
    }
    r.status = std::stoi(status_line.substr(9, 3));
    size_t pos = eol + 2;
    while (pos < head.size() - 2) {
      size_t end = head.find("\r\n", pos);
      std::string line = head.substr(pos, end - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers.emplace_back(name, value);
      pos = end + 2;
    }
    if (head_request || r.status < 200 || r.status == 204 || r.status == 304) return r;
    if (r.Header("transfer-encoding") == "chunked") {
      for (;;) {
        std::string size_line = ReadUntil("\r\n");
        if (size_line.empty()) {
          ADD_FAILURE() << "connection ended inside a chunked body";
          return r;
        }
        size_t n = std::stoul(size_line, nullptr, 16);
        while (buf_.size() < n + 2) {
          if (!Fill()) {
            ADD_FAILURE() << "connection ended inside a chunk";
            return r;
          }
        }
        r.body.append(buf_, 0, n);
        buf_.erase(0, n + 2);
        if (n == 0) return r;
      }
    }
    auto length = r.Header("content-length");
    if (!length) {
      ADD_FAILURE() << "response without Content-Length";
      return r;
    }
    size_t n = std::stoul(*length);
    while (buf_.size() < n) {
      if (!Fill()) {
        ADD_FAILURE() << "connection ended inside a response body";
        return r;
      }
    }
    r.body = buf_.substr(0, n);
    buf_.erase(0, n);
    return r;
  }

  // True when the server closed the connection (or reset it, when it was
  // still in the listen backlog) and sent nothing more.
  bool AtEof() {
    if (!buf_.empty()) return false;
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    if (n > 0) buf_.push_back(c);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool Fill() {
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

bool Refused(uint16_t port) {
  Conn c(port);
  return !c.connected();
}

std::string Get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

std::string Post(const std::string& target, const std::string& body,
                 const std::string& extra = "") {
  return "POST " + target +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extra + "\r\n" + body;
}

// --- Handlers -------------------------------------------------------------------

// Records every request and answers "<method> <path> <body>".
struct Recorder {
  std::mutex mu;
  std::vector<Request> requests;

  Handler handler() {
    return [this](Request req, Responder respond) {
      std::string text = req.method + " " + req.path + " " + req.body;
      {
        std::lock_guard lock(mu);
        requests.push_back(std::move(req));
      }
      respond(Response::Text(200, std::move(text)));
    };
  }
  size_t count() {
    std::lock_guard lock(mu);
    return requests.size();
  }
  Request last() {
    std::lock_guard lock(mu);
    return requests.empty() ? Request() : requests.back();
  }
};

// Keeps the Responders of requests for the test to answer.
struct Parked {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<Request, Responder>> queue;

  void Push(Request req, Responder r) {
    std::lock_guard lock(mu);
    queue.emplace_back(std::move(req), std::move(r));
    cv.notify_all();
  }
  // Waits until the handler parked a request.
  std::pair<Request, Responder> Take() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return !queue.empty(); });
    auto item = std::move(queue.front());
    queue.pop_front();
    return item;
  }
};

std::unique_ptr<Server> StartServer(Handler handler, ServerOptions options = {}) {
  auto server = Server::Start(std::move(options), std::move(handler));
  if (!server.ok()) {
    ADD_FAILURE() << server.status().ToString();
    return nullptr;
  }
  return std::move(server).value();
}

// --- Round trips ------------------------------------------------------------------

TEST(HttpServer, GetAndPostRoundTrip) {
  Recorder rec;
  ServerOptions options;
  options.server_name = "test-server";
  auto server = StartServer(rec.handler(), options);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(server->port(), 0);

  Conn c(server->port());
  ASSERT_TRUE(c.connected());
  c.Send(Get("/files/a%20b?x=1&y=two+words"));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /files/a b ");
  EXPECT_EQ(r.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.Header("server"), "test-server");
  ASSERT_TRUE(r.Header("date").has_value());
  EXPECT_EQ(r.Header("date")->size(), 29u);  // "Sun, 06 Nov 1994 08:49:37 GMT"
  EXPECT_EQ(r.Header("date")->substr(26), "GMT");
  Request got = rec.last();
  EXPECT_EQ(got.method, "GET");
  EXPECT_EQ(got.target, "/files/a%20b?x=1&y=two+words");
  EXPECT_EQ(got.Query("x"), "1");
  EXPECT_EQ(got.Query("y"), "two words");
  EXPECT_EQ(got.remote.rfind("127.0.0.1:", 0), 0u);

  c.Send(Post("/upload?name=f", "hello body", "Content-Type: text/plain\r\n"));
  r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /upload hello body");
  got = rec.last();
  EXPECT_EQ(got.body, "hello body");
  EXPECT_EQ(got.Header("content-type"), "text/plain");
  EXPECT_EQ(got.Query("name"), "f");
}

TEST(HttpServer, HeaderNamesLowerCasedAndQueryDecoded) {
  Recorder rec;
  auto server = StartServer(rec.handler());
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/q?a=%41%42&b=c%26d&a=2&empty=&flag&sp=%20+",
             "X-Custom-Header: Mixed Case Value\r\nACCEPT: */*\r\n"));
  EXPECT_EQ(c.Read().status, 200);
  Request got = rec.last();
  EXPECT_EQ(got.Header("x-custom-header"), "Mixed Case Value");
  EXPECT_EQ(got.Header("accept"), "*/*");
  EXPECT_EQ(got.Header("host"), "127.0.0.1");
  for (const auto& [name, value] : got.headers) {
    for (char ch : name) EXPECT_FALSE(ch >= 'A' && ch <= 'Z') << name;
  }
  std::vector<std::pair<std::string, std::string>> want = {
      {"a", "AB"}, {"b", "c&d"}, {"a", "2"}, {"empty", ""}, {"flag", ""}, {"sp", "  "}};
  EXPECT_EQ(got.query, want);
}

TEST(HttpServer, KeepAliveServesTwoRequestsOnOneConnection) {
  Recorder rec;
  auto server = StartServer(rec.handler());
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/one"));
  Reply r1 = c.Read();
  c.Send(Get("/two"));
  Reply r2 = c.Read();
  EXPECT_EQ(r1.body, "GET /one ");
  EXPECT_EQ(r2.body, "GET /two ");
  EXPECT_FALSE(r1.Header("connection").has_value());
  ASSERT_EQ(rec.count(), 2u);
  EXPECT_EQ(rec.requests[0].remote, rec.requests[1].remote);  // same connection
}

TEST(HttpServer, ConnectionCloseAndHttp10) {
  Recorder rec;
  auto server = StartServer(rec.handler());
  ASSERT_NE(server, nullptr);
  {
    Conn c(server->port());
    c.Send(Get("/bye", "Connection: close\r\n"));
    Reply r = c.Read();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("connection"), "close");
    EXPECT_TRUE(c.AtEof());
  }
  {
    Conn c(server->port());  // HTTP/1.0 closes by default and needs no Host
    c.Send("GET /old HTTP/1.0\r\n\r\n");
    Reply r = c.Read();
    EXPECT_EQ(r.body, "GET /old ");
    EXPECT_TRUE(c.AtEof());
  }
  {
    Conn c(server->port());  // ... unless it asks for keep-alive
    c.Send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    Reply r = c.Read();
    EXPECT_EQ(r.Header("connection"), "keep-alive");
    c.Send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(c.Read().body, "GET /b ");
  }
}

TEST(HttpServer, PipelinedRequestsAnsweredInOrder) {
  Parked parked;
  auto server = StartServer([&](Request req, Responder respond) {
    if (req.path == "/1") {
      parked.Push(std::move(req), std::move(respond));  // answered later, from another thread
    } else {
      respond(Response::Text(200, req.path));
    }
  });
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/1") + Post("/2", "body-two") + Get("/3"));
  auto [req, respond] = parked.Take();
  std::thread([r = std::move(respond)] { r(Response::Text(200, "first")); }).join();
  EXPECT_EQ(c.Read().body, "first");
  EXPECT_EQ(c.Read().body, "/2");
  EXPECT_EQ(c.Read().body, "/3");
}

TEST(HttpServer, ManyPipelinedRequestsInOneWrite) {
  Recorder rec;
  auto server = StartServer(rec.handler());
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  // More than the server serves in a row without yielding its thread.
  std::string all;
  for (int i = 0; i < 100; ++i) all += Get(std::string("/p").append(std::to_string(i)));
  c.Send(all);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(c.Read().body, "GET /p" + std::to_string(i) + " ");
  }
  EXPECT_EQ(rec.count(), 100u);
}

TEST(HttpServer, RequestArrivingInPieces) {
  Parked parked;
  auto server = StartServer(
      [&](Request req, Responder respond) { parked.Push(std::move(req), std::move(respond)); });
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  // Separate segments, so the server usually reads a partial head and a
  // partial body and has to wait for the rest; the outcome must not depend
  // on how the pieces arrive.
  c.NoDelay();
  c.Send("POST /pie");
  c.Send("ces HTTP/1.1\r\nHost: a\r\nContent-");
  c.Send("Length: 10\r\n\r\n");
  c.Send("01234");
  c.Send("56789");
  auto [req, respond] = parked.Take();
  EXPECT_EQ(req.path, "/pieces");
  EXPECT_EQ(req.body, "0123456789");
  respond(Response::Text(200, "ok"));
  EXPECT_EQ(c.Read().body, "ok");
}

// --- Refusals -----------------------------------------------------------------------

void ExpectRefusal(Conn& c, int status, const std::string& reason) {
  Reply r = c.Read();
  EXPECT_EQ(r.status, status);
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_NE(r.body.find("{\"error\":{\"reason\":\"" + reason + "\",\"details\":\""),
            std::string::npos)
      << r.body;
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(c.AtEof());
}

TEST(HttpServer, MalformedRequestsGet400) {
  Recorder rec;
  auto server = StartServer(rec.handler());
  ASSERT_NE(server, nullptr);
  for (std::string bad : {std::string("\x01\x02garbage\r\n\r\n", 13),
                          Get("/a%zz"),                           // bad escape
                          Get("/a%00b"),                          // NUL in the path
                          Get("/q?x=%g0"),                        // bad escape in query
                          std::string("GET / HTTP/1.1\r\n\r\n"),  // no Host
                          Get("/", "Host: other\r\n"),            // two Hosts
                          Get("relative"),                        // not origin-form
                          std::string("GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n"),
                          std::string("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: x1\r\n\r\n"),
                          std::string("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
                                      "chunked\r\n\r\nzz\r\n")}) {
    SCOPED_TRACE(bad);
    Conn c(server->port());
    c.Send(bad);
    ExpectRefusal(c, 400, "BAD_REQUEST");
  }
  EXPECT_EQ(rec.count(), 0u);
}

TEST(HttpServer, BadPathDetailsNameTheProblem) {
  Recorder rec;
  auto server = StartServer(rec.handler());
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/a%00b"));
  Reply r = c.Read();
  EXPECT_EQ(
      r.body,
      "{\"error\":{\"reason\":\"BAD_REQUEST\",\"details\":\"NUL byte in the request path\"}}");
}

TEST(HttpServer, UnsupportedVersionAndExpectation) {
  Recorder rec;
  auto server = StartServer(rec.handler());
  ASSERT_NE(server, nullptr);
  {
    // Beast's parser refuses versions other than 1.0 and 1.1 as it refuses
    // a garbled version, so this is a 400, not a 505.
    Conn c(server->port());
    c.Send("GET / HTTP/2.0\r\nHost: a\r\n\r\n");
    ExpectRefusal(c, 400, "BAD_REQUEST");
  }
  {
    Conn c(server->port());
    c.Send(Post("/", "abc", "Expect: something-else\r\n"));
    ExpectRefusal(c, 417, "EXPECTATION_FAILED");
  }
  EXPECT_EQ(rec.count(), 0u);
}

TEST(HttpServer, OversizedContentLengthGets413AtOnce) {
  Recorder rec;
  ServerOptions options;
  options.max_body_bytes = 1024;
  auto server = StartServer(rec.handler(), options);
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  // No body follows: the answer must come from the head alone.
  c.Send("POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n");
  ExpectRefusal(c, 413, "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(rec.count(), 0u);

  Conn ok(server->port());  // exactly at the limit is fine
  ok.Send(Post("/fits", std::string(1024, 'b')));
  EXPECT_EQ(ok.Read().status, 200);
}

TEST(HttpServer, OversizedChunkedBodyGets413) {
  Recorder rec;
  ServerOptions options;
  options.max_body_bytes = 1024;
  auto server = StartServer(rec.handler(), options);
  ASSERT_NE(server, nullptr);
  std::string chunk = "300\r\n" + std::string(0x300, 'c') + "\r\n";
  {
    Conn c(server->port());
    c.Send("POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk +
           chunk + "0\r\n\r\n");
    ExpectRefusal(c, 413, "PAYLOAD_TOO_LARGE");
  }
  EXPECT_EQ(rec.count(), 0u);
  {
    Conn c(server->port());  // one chunk fits, and is decoded
    c.Send("POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk +
           "0\r\n\r\n");
    EXPECT_EQ(c.Read().status, 200);
    EXPECT_EQ(rec.last().body, std::string(0x300, 'c'));
  }
}

TEST(HttpServer, OversizedHeaderGets431) {
  Recorder rec;
  ServerOptions options;
  options.max_header_bytes = 1024;
  auto server = StartServer(rec.handler(), options);
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/", "X-Big: " + std::string(2000, 'a') + "\r\n"));
  ExpectRefusal(c, 431, "REQUEST_HEADER_FIELDS_TOO_LARGE");
  EXPECT_EQ(rec.count(), 0u);
}

// --- Expect: 100-continue -------------------------------------------------------------

TEST(HttpServer, ExpectContinueGets100ThenTheAnswer) {
  Recorder rec;
  ServerOptions options;
  options.max_body_bytes = 1024;
  auto server = StartServer(rec.handler(), options);
  ASSERT_NE(server, nullptr);
  {
    Conn c(server->port());
    c.Send("POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    // The body is sent only after the interim answer, as curl does.
    EXPECT_EQ(c.ReadUntil("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
    c.Send("hello");
    Reply r = c.Read();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "POST /e hello");
    EXPECT_EQ(rec.last().Header("expect"), "100-continue");
  }
  {
    Conn c(server->port());  // the body came with the head: no 100 needed
    c.Send(Post("/e", "12345", "Expect: 100-continue\r\n"));
    Reply r = c.Read();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "POST /e 12345");
  }
  {
    Conn c(server->port());  // too large: 413 straight away, no 100
    c.Send("POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
    ExpectRefusal(c, 413, "PAYLOAD_TOO_LARGE");
  }
}

TEST(HttpServer, CurlUploadWithExpectContinue) {
  if (std::system("curl --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "no curl";
  std::atomic<size_t> received{0};
  std::atomic<bool> saw_expect{false};
  ServerOptions options;
  options.max_body_bytes = 8 << 20;
  auto server = StartServer(
      [&](Request req, Responder respond) {
        received = req.body.size();
        saw_expect = req.Header("expect").has_value();
        respond(Response::Json(201, "{\"size\":" + std::to_string(req.body.size()) + "}"));
      },
      options);
  ASSERT_NE(server, nullptr);
  std::string dir = "/tmp/ipfs-kit-http-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir + "/in.bin", std::ios::binary);
    std::string block(1 << 20, 'z');
    for (int i = 0; i < 3; ++i) f << block;
  }
  // curl adds Expect: 100-continue for bodies of 1 MiB and more.
  std::string cmd = "curl -s -S -o " + dir + "/out.json -w '%{http_code}' --data-binary @" + dir +
                    "/in.bin http://127.0.0.1:" + std::to_string(server->port()) + "/up";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char code[16] = {};
  size_t n = std::fread(code, 1, sizeof code - 1, p);
  EXPECT_EQ(::pclose(p), 0);
  EXPECT_EQ(std::string(code, n), "201");
  EXPECT_EQ(received.load(), size_t{3} << 20);
  EXPECT_TRUE(saw_expect.load());
  std::ifstream out(dir + "/out.json");
  std::string body((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  EXPECT_EQ(body, "{\"size\":3145728}");
  std::filesystem::remove_all(dir);
}

// --- Responder ------------------------------------------------------------------------

TEST(HttpServer, DeferredResponderCalledFromAnotherThread) {
  Parked parked;
  auto server = StartServer(
      [&](Request req, Responder respond) { parked.Push(std::move(req), std::move(respond)); });
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Post("/commit", "payload"));
  auto [req, respond] = parked.Take();
  EXPECT_EQ(req.body, "payload");
  std::thread worker([r = std::move(respond)] { r(Response::Json(202, "{\"queued\":true}")); });
  Reply reply = c.Read();
  worker.join();
  EXPECT_EQ(reply.status, 202);
  EXPECT_EQ(reply.body, "{\"queued\":true}");
  // The connection goes on after a deferred answer.
  c.Send(Get("/again"));
  auto [req2, respond2] = parked.Take();
  respond2(Response::Text(200, "sync-from-test"));
  EXPECT_EQ(c.Read().body, "sync-from-test");
}

TEST(HttpServer, DroppedResponderGives500) {
  Parked parked;
  auto server = StartServer([&](Request req, Responder respond) {
    if (req.path == "/keep") parked.Push(std::move(req), std::move(respond));
    // otherwise: return without answering and without keeping the Responder
  });
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/drop"));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("INTERNAL_SERVER_ERROR"), std::string::npos);

  // Kept, then dropped on another thread without an answer.
  c.Send(Get("/keep"));
  auto item = parked.Take();
  std::thread([it = std::move(item)]() mutable { it.second = nullptr; }).join();
  EXPECT_EQ(c.Read().status, 500);

  // Copies: the answer comes when the last copy goes.
  c.Send(Get("/keep"));
  auto [req, respond] = parked.Take();
  Responder copy = respond;
  respond = nullptr;
  std::thread([&copy] { copy(Response::Text(200, "from the copy")); }).join();
  EXPECT_EQ(c.Read().body, "from the copy");
}

TEST(HttpServer, SecondCallOfAResponderIsIgnored) {
  auto server = StartServer([](Request req, Responder respond) {
    respond(Response::Text(200, "first " + req.path));
    respond(Response::Text(500, "second"));
  });
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/a"));
  EXPECT_EQ(c.Read().body, "first /a");
  c.Send(Get("/b"));  // nothing of the second answer is left on the wire
  Reply r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "first /b");
}

TEST(HttpServer, ThrowingHandlerGives500) {
  auto server = StartServer([](Request req, Responder) {
    if (req.path == "/throw") throw std::runtime_error("boom");
  });
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/throw"));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("the request handler failed"), std::string::npos);
}

TEST(HttpServer, InvalidAnswerFromHandlerGives500) {
  auto server = StartServer([](Request req, Responder respond) {
    Response r = Response::Text(200, "x");
    if (req.path == "/header") r.Set("X-Bad", "a\r\nInjected: yes");
    if (req.path == "/status") r.status = 42;
    respond(std::move(r));
  });
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/header"));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 500);
  EXPECT_FALSE(r.Header("injected").has_value());
  c.Send(Get("/status"));
  EXPECT_EQ(c.Read().status, 500);
}

// --- Bodies the server must not send --------------------------------------------------

TEST(HttpServer, HeadAnswerHasNoBody) {
  auto server = StartServer([](Request req, Responder respond) {
    Response r = Response::Text(200, "hello world");
    if (req.path == "/declared") {
      r.body.clear();
      r.Set("Content-Length", "1234");  // a HEAD answer may state the GET length
    }
    respond(std::move(r));
  });
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
  Reply r = c.Read(/*head_request=*/true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-length"), "11");
  c.Send("HEAD /declared HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(c.Read(true).Header("content-length"), "1234");
  // Had a body been sent, it would now be read as the next status line.
  c.Send(Get("/"));
  r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello world");
}

TEST(HttpServer, NoContentAnswerHasNoBody) {
  auto server = StartServer([](Request req, Responder respond) {
    respond(Response::Text(req.path == "/204" ? 204 : 200, "ignored"));
  });
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/204"));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 204);
  EXPECT_FALSE(r.Header("content-length").has_value());
  c.Send(Get("/200"));
  r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ignored");
}

TEST(HttpServer, LargeBodyIsSentWhole) {
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + i / 4096);
  auto server = StartServer([&](Request, Responder respond) { respond(Response::Text(200, big)); });
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/big"));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body == big);
}

// --- Streamed bodies -----------------------------------------------------------------------

// Pieces of 10 bytes to 300 KiB (both sides of the copy limit) produced by a
// thread while the answer is being sent.
std::vector<std::string> StreamPieces() {
  std::vector<std::string> pieces;
  size_t sizes[] = {10, 70000, 1, 300 << 10, 5000};
  char c = 'a';
  for (size_t n : sizes) pieces.emplace_back(n, c++);
  return pieces;
}

TEST(HttpServer, StreamedBodyIsSentChunkedAndTheConnectionStaysUsable) {
  std::vector<std::thread> producers;
  auto server = StartServer([&](Request req, Responder respond) {
    if (req.path == "/plain") {
      respond(Response::Text(200, "after"));
      return;
    }
    auto stream = std::make_shared<BodyStream>(64 << 10);
    Response r;
    r.Set("Content-Type", "application/octet-stream");
    r.stream = stream;
    respond(std::move(r));
    producers.emplace_back([stream] {
      for (auto& p : StreamPieces()) {
        if (!stream->Write(p)) return;
      }
      stream->Close();
    });
  });
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/stream"));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("transfer-encoding"), "chunked");
  EXPECT_FALSE(r.Header("content-length").has_value());
  std::string want;
  for (auto& p : StreamPieces()) want += p;
  EXPECT_TRUE(r.body == want) << r.body.size() << " vs " << want.size();
  c.Send(Get("/plain"));
  EXPECT_EQ(c.Read().body, "after");
  server->Stop();
  for (auto& t : producers) t.join();
}

TEST(HttpServer, CurlReadsAStreamedBody) {
  std::thread producer;
  auto server = StartServer([&](Request, Responder respond) {
    auto stream = std::make_shared<BodyStream>();
    Response r;
    r.stream = stream;
    respond(std::move(r));
    producer = std::thread([stream] {
      for (auto& p : StreamPieces()) stream->Write(p);
      stream->Close();
    });
  });
  ASSERT_NE(server, nullptr);
  ClientRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(server->port()) + "/s";
  auto r = Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string want;
  for (auto& p : StreamPieces()) want += p;
  EXPECT_TRUE(r->body == want);
  server->Stop();
  producer.join();
}

TEST(HttpServer, AbortedStreamEndsWithoutTheLastChunk) {
  std::thread producer;
  auto server = StartServer([&](Request, Responder respond) {
    auto stream = std::make_shared<BodyStream>();
    Response r;
    r.stream = stream;
    respond(std::move(r));
    producer = std::thread([stream] {
      stream->Write("partial");
      stream->Abort();
    });
  });
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/s"));
  std::string head = c.ReadUntil("\r\n\r\n");
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_EQ(c.ReadUntil("partial\r\n"), "7\r\npartial\r\n");
  EXPECT_TRUE(c.AtEof());  // closed with no "0\r\n\r\n"
  server->Stop();
  producer.join();
}

TEST(HttpServer, ProducerLearnsThatTheClientLeft) {
  std::promise<bool> wrote_false;
  std::thread producer;
  auto server = StartServer([&](Request, Responder respond) {
    auto stream = std::make_shared<BodyStream>(1 << 16);
    Response r;
    r.stream = stream;
    respond(std::move(r));
    producer = std::thread([stream, &wrote_false] {
      std::string piece(1 << 16, 'x');
      // Bounded: a client that never reads fills socket buffers, and the
      // server's idle timeout (below) then ends the connection.
      for (int i = 0; i < 100000; ++i) {
        if (!stream->Write(piece)) {
          wrote_false.set_value(true);
          return;
        }
      }
      wrote_false.set_value(false);
    });
  }, [] {
    ServerOptions o;
    o.idle_timeout_ms = 200;
    return o;
  }());
  ASSERT_NE(server, nullptr);
  {
    Conn c(server->port());
    c.Send(Get("/s"));
    c.ReadUntil("\r\n\r\n");
  }  // closed without reading the body
  EXPECT_TRUE(wrote_false.get_future().get());
  server->Stop();
  producer.join();
}

TEST(HttpServer, HeadOfAStreamedAnswerSendsNoBodyAndCancelsTheProducer) {
  std::shared_ptr<BodyStream> stream = std::make_shared<BodyStream>();
  auto server = StartServer([&](Request, Responder respond) {
    Response r;
    r.stream = stream;
    respond(std::move(r));
  });
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send("HEAD /s HTTP/1.1\r\nHost: x\r\n\r\n");
  Reply r = c.Read(/*head_request=*/true);
  EXPECT_EQ(r.status, 200);
  c.Send(Get("/s2"));  // the connection is still usable
  EXPECT_EQ(c.ReadUntil("\r\n\r\n").substr(0, 12), "HTTP/1.1 200");
  EXPECT_FALSE(stream->Write("x"));
  server->Stop();
}

TEST(HttpServer, StreamToAnHttp10ClientIsCloseDelimited) {
  std::thread producer;
  auto server = StartServer([&](Request, Responder respond) {
    auto stream = std::make_shared<BodyStream>();
    Response r;
    r.stream = stream;
    respond(std::move(r));
    producer = std::thread([stream] {
      stream->Write("one,");
      stream->Write("two");
      stream->Close();
    });
  });
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send("GET /s HTTP/1.0\r\n\r\n");
  std::string all = c.ReadUntil("one,two");
  EXPECT_NE(all.find("Connection: close"), std::string::npos);
  EXPECT_EQ(all.find("chunked"), std::string::npos);
  EXPECT_TRUE(c.AtEof());
  server->Stop();
  producer.join();
}

// --- Connections, threads, shutdown -----------------------------------------------------

TEST(HttpServer, IdleConnectionIsClosed) {
  Recorder rec;
  ServerOptions options;
  options.idle_timeout_ms = 50;
  auto server = StartServer(rec.handler(), options);
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/"));
  EXPECT_EQ(c.Read().status, 200);
  EXPECT_TRUE(c.AtEof());  // closed by the server once idle
}

TEST(HttpServer, PortZeroAndSeveralThreads) {
  Recorder rec;
  ServerOptions options;
  options.threads = 3;
  auto server = StartServer(rec.handler(), options);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(server->port(), 0);
  // (Appending, not "/" + to_string(i): GCC 12 warns falsely on the latter.)
  auto path = [](int i) { return std::string("/").append(std::to_string(i)); };
  std::vector<std::unique_ptr<Conn>> conns;
  for (int i = 0; i < 24; ++i) {
    conns.push_back(std::make_unique<Conn>(server->port()));
    ASSERT_TRUE(conns.back()->connected());
    conns.back()->Send(Get(path(i)));
  }
  for (int i = 0; i < 24; ++i) {
    EXPECT_EQ(conns[static_cast<size_t>(i)]->Read().body, "GET " + path(i) + " ");
  }
  EXPECT_EQ(rec.count(), 24u);
}

TEST(HttpServer, BindFailureNamesTheAddress) {
  // A plain listener holds the port.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  uint16_t port = ntohs(addr.sin_port);
  for (int threads : {1, 2}) {
    ServerOptions options;
    options.port = port;
    options.threads = threads;
    auto server = Server::Start(options, [](Request, Responder) {});
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(server.status().code(), StatusCode::kIOError);
    EXPECT_NE(server.status().message().find("127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << server.status().message();
  }
  ::close(fd);

  // A server using SO_REUSEPORT does not let a second one share its port.
  ServerOptions options;
  options.threads = 2;
  auto first = StartServer([](Request, Responder r) { r(Response::Text(200, "")); }, options);
  ASSERT_NE(first, nullptr);
  options.port = first->port();
  auto second = Server::Start(options, [](Request, Responder) {});
  EXPECT_FALSE(second.ok());

  options.address = "not-an-address";
  options.port = 0;
  auto bad = Server::Start(options, [](Request, Responder) {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kIOError);
  EXPECT_NE(bad.status().message().find("not-an-address"), std::string::npos);
}

TEST(HttpServer, StartRejectsBadOptions) {
  ServerOptions options;
  options.threads = 0;
  EXPECT_EQ(Server::Start(options, [](Request, Responder) {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Server::Start(ServerOptions(), nullptr).status().code(), StatusCode::kInvalidArgument);
}

TEST(HttpServer, StopLetsARequestInFlightFinish) {
  Parked parked;
  std::atomic<int> calls{0};
  ServerOptions options;
  options.drain_timeout_ms = 10 * 60 * 1000;  // Stop waits for the answer, however slow
  auto server = StartServer(
      [&](Request req, Responder respond) {
        ++calls;
        parked.Push(std::move(req), std::move(respond));
      },
      options);
  ASSERT_NE(server, nullptr);
  uint16_t port = server->port();
  Conn busy(port);
  Conn idle(port);
  busy.Send(Get("/slow"));
  auto [req, respond] = parked.Take();

  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    server->Stop();
    stopped = true;
  });
  // Stop closes the listener first: wait until new connections are refused.
  while (!Refused(port)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE(idle.AtEof());     // idle connections are closed at once
  EXPECT_FALSE(stopped.load());  // still waiting for /slow

  std::thread([r = std::move(respond)] { r(Response::Text(200, "finished")); }).join();
  Reply r = busy.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "finished");
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(busy.AtEof());
  stopper.join();
  EXPECT_EQ(calls.load(), 1);
  server->Stop();  // idempotent
  server.reset();
}

TEST(HttpServer, StopGivesUpOnAnUnansweredRequestAfterTheDrainTimeout) {
  Parked parked;
  ServerOptions options;
  options.drain_timeout_ms = 20;
  auto server = StartServer(
      [&](Request req, Responder respond) { parked.Push(std::move(req), std::move(respond)); },
      options);
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/never"));
  auto [req, respond] = parked.Take();
  server->Stop();
  EXPECT_TRUE(c.AtEof());  // closed without an answer
  server.reset();
  // Answering after the server is gone is harmless.
  respond(Response::Text(200, "too late"));
}

TEST(HttpServer, ResponderDroppedAfterServerIsGone) {
  Parked parked;
  ServerOptions options;
  options.drain_timeout_ms = 0;
  auto server = StartServer(
      [&](Request req, Responder respond) { parked.Push(std::move(req), std::move(respond)); },
      options);
  ASSERT_NE(server, nullptr);
  Conn c(server->port());
  c.Send(Get("/never"));
  auto item = parked.Take();
  server.reset();  // the destructor stops the server
  EXPECT_TRUE(c.AtEof());
  item.second = nullptr;  // the last copy goes: must not touch the dead server
}

// --- The pure conversion ----------------------------------------------------------------

internal::RawHead Head(std::string_view method, std::string_view target, unsigned version = 11,
                       HeaderList fields = {{"Host", "h"}}) {
  internal::RawHead head;
  head.method = method;
  head.target = target;
  head.version = version;
  head.fields = std::move(fields);
  return head;
}

TEST(HttpConvertHead, OriginAbsoluteAndAsteriskForms) {
  Request r;
  ASSERT_TRUE(internal::ConvertHead(Head("GET", "/a+b/%E2%82%AC?q=a+b"), &r).ok());
  EXPECT_EQ(r.path, "/a+b/\xE2\x82\xAC");  // '+' is literal in a path
  EXPECT_EQ(r.Query("q"), "a b");
  EXPECT_EQ(r.target, "/a+b/%E2%82%AC?q=a+b");

  r = Request();
  ASSERT_TRUE(internal::ConvertHead(Head("GET", "http://example.com:80/x/y?z=1"), &r).ok());
  EXPECT_EQ(r.path, "/x/y");
  EXPECT_EQ(r.Query("z"), "1");
  r = Request();
  ASSERT_TRUE(internal::ConvertHead(Head("GET", "HTTPS://example.com?z=2"), &r).ok());
  EXPECT_EQ(r.path, "/");
  EXPECT_EQ(r.Query("z"), "2");
  r = Request();
  ASSERT_TRUE(internal::ConvertHead(Head("GET", "http://example.com"), &r).ok());
  EXPECT_EQ(r.path, "/");
  EXPECT_TRUE(r.query.empty());
  EXPECT_FALSE(internal::ConvertHead(Head("GET", "http:///x"), &r).ok());

  r = Request();
  ASSERT_TRUE(internal::ConvertHead(Head("OPTIONS", "*"), &r).ok());
  EXPECT_EQ(r.path, "*");
  EXPECT_FALSE(internal::ConvertHead(Head("GET", "*"), &r).ok());

  for (std::string_view bad : {"", "x", "example.com:443", "/%", "/%4", "/%G1", "/a%00", "/?a=%"}) {
    r = Request();
    Status st = internal::ConvertHead(Head("GET", bad), &r);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(HttpConvertHead, HeadersVersionAndHost) {
  Request r;
  ASSERT_TRUE(
      internal::ConvertHead(Head("GET", "/", 11, {{"HoSt", "h"}, {"X-A", "1"}, {"x-a", "2"}}), &r)
          .ok());
  HeaderList want = {{"host", "h"}, {"x-a", "1"}, {"x-a", "2"}};
  EXPECT_EQ(r.headers, want);
  EXPECT_EQ(r.Header("x-a"), "1");

  EXPECT_EQ(internal::ConvertHead(Head("GET", "/", 11, {}), &r).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(internal::ConvertHead(Head("GET", "/", 10, {}), &r).ok());
  EXPECT_EQ(internal::ConvertHead(Head("GET", "/", 10, {{"Host", "a"}, {"host", "b"}}), &r).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(internal::ConvertHead(Head("GET", "/", 20), &r).code(), StatusCode::kUnsupported);
  EXPECT_EQ(internal::ConvertHead(Head("GET", "/", 9), &r).code(), StatusCode::kUnsupported);
}

TEST(HttpErrorResponse, EscapesItsJson) {
  Response r = internal::ErrorResponse(400, "BAD_REQUEST", "a \"quoted\"\\ \n\x01\xff");
  EXPECT_EQ(r.status, 400);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].second, "application/json");
  EXPECT_EQ(r.body,
            "{\"error\":{\"reason\":\"BAD_REQUEST\",\"details\":"
            "\"a \\\"quoted\\\"\\\\ \\u000a\\u0001\\u00ff\"}}");
}

TEST(HttpParseRequest, CompletePipelinedAndPartial) {
  ServerOptions options;
  std::string one = "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n";
  std::string two = "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz";
  std::string input = one + two;
  ParsedRequest p = internal::ParseRequest(input, options);
  ASSERT_EQ(p.state, ParsedRequest::State::kComplete);
  EXPECT_EQ(p.consumed, one.size());
  EXPECT_EQ(p.request.path, "/a");
  EXPECT_TRUE(p.keep_alive);
  p = internal::ParseRequest(std::string_view(input).substr(one.size()), options);
  ASSERT_EQ(p.state, ParsedRequest::State::kComplete);
  EXPECT_EQ(p.consumed, two.size());
  EXPECT_EQ(p.request.body, "xyz");
  EXPECT_EQ(p.request.method, "POST");

  for (size_t cut = 0; cut < two.size(); ++cut) {
    EXPECT_EQ(internal::ParseRequest(two.substr(0, cut), options).state,
              ParsedRequest::State::kNeedMore)
        << cut;
  }
  p = internal::ParseRequest("GET / HTTP/1.0\r\n\r\n", options);
  ASSERT_EQ(p.state, ParsedRequest::State::kComplete);
  EXPECT_FALSE(p.keep_alive);
}

TEST(HttpParseRequest, ChunkedAndExpect) {
  ServerOptions options;
  ParsedRequest p = internal::ParseRequest(
      "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nExpect: 100-Continue\r\n\r\n"
      "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\n",
      options);
  ASSERT_EQ(p.state, ParsedRequest::State::kComplete) << p.details;
  EXPECT_EQ(p.request.body, "abcde");
  EXPECT_TRUE(p.expect_continue);
}

TEST(HttpParseRequest, Refusals) {
  ServerOptions options;
  options.max_body_bytes = 10;
  options.max_header_bytes = 200;
  struct Case {
    std::string input;
    int status;
    const char* reason;
  };
  std::vector<Case> cases = {
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", 413, "PAYLOAD_TOO_LARGE"},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n01234567890\r\n", 413,
       "PAYLOAD_TOO_LARGE"},
      {"GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(300, 'x') + "\r\n\r\n", 431,
       "REQUEST_HEADER_FIELDS_TOO_LARGE"},
      {"GET /" + std::string(300, 'x'), 431, "REQUEST_HEADER_FIELDS_TOO_LARGE"},  // unfinished
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400,
       "BAD_REQUEST"},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
       "3\r\nabc\r\n0\r\n\r\n",
       400, "BAD_REQUEST"},  // both lengths: a request smuggling vector
      {"G\x01T / HTTP/1.1\r\n\r\n", 400, "BAD_REQUEST"},
      {"GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400, "BAD_REQUEST"},
      {"GET / HTTP/3.0\r\nHost: h\r\n\r\n", 400, "BAD_REQUEST"},
      {"GET / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\n\r\n", 417, "EXPECTATION_FAILED"},
  };
  for (const auto& c : cases) {
    ParsedRequest p = internal::ParseRequest(c.input, options);
    EXPECT_EQ(p.state, ParsedRequest::State::kRefused) << c.input;
    EXPECT_EQ(p.status, c.status) << c.input;
    EXPECT_EQ(p.reason, c.reason) << c.input;
    EXPECT_FALSE(p.details.empty());
  }
}

}  // namespace
}  // namespace ipfs_kit::http
