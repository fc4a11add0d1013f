// The HTTP/1.1 server: per ServerOptions::threads one io_context, one thread
// and one SO_REUSEPORT acceptor (the kernel spreads connections over them,
// so threads share nothing on the request path), and per connection one
// coroutine that reads a request, hands it to the handler and writes the
// answer, then reads the next one (pipelined requests are thus answered in
// order).
//
// Beast parses requests; responses are serialized here into a buffer that
// the connection reuses. That is cheaper than Beast's serializer (no fields
// container per response) and checks what the handler produced (status,
// header syntax) in one place.
//
// A handler may answer later from another thread. The connection then parks
// on a timer that never expires; the Responder stores the Response and posts
// a cancel of that timer to the connection's io_context. A handler that
// answers before returning never touches the timer (the fast path). The
// state shared between a request and its Responders is an Exchange.

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

// Boost 1.74 enables co_await on clang only through <experimental/coroutine>,
// which libstdc++ does not have; clang (the fuzz build) handles the standard
// <coroutine> fine.
#if defined(__clang__) && !defined(BOOST_ASIO_HAS_CO_AWAIT) && defined(__cpp_impl_coroutine) && \
    __has_include(<coroutine>)
#define BOOST_ASIO_HAS_CO_AWAIT 1
#endif
// Clang 14 fails in its backend ("Cannot represent a difference across
// sections", llvm-project#49689) on coroutines built with UBSan's `function`
// check, which the fuzz build enables; that check is off for this file (Asio's
// coroutines included), the other UBSan checks stay.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("function"))), apply_to = function)
#define IPFS_KIT_NO_SANITIZE_FUNCTION_PUSHED 1
#endif

#include <pthread.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <exception>
#include <limits>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
// GCC 12 with -fsanitize=address (IPFS_KIT_SANITIZE) takes a boost::optional
// in Beast's parser for maybe-uninitialized: a false positive in Beast's code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "ipfs_kit/http/server.h"
#include "server_internal.h"

namespace ipfs_kit::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Parser = bhttp::request_parser<bhttp::string_body>;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// Concrete executor types throughout: the default any_io_executor costs a
// type-erased copy per operation, measurable at 100k+ requests/s.
using Executor = asio::io_context::executor_type;
template <typename T = void>
using Task = asio::awaitable<T, Executor>;
constexpr asio::use_awaitable_t<Executor> kAwait;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;
using Stream = beast::basic_stream<tcp, Executor, beast::unlimited_rate_policy>;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Bodies up to this size are copied behind the head and sent in one write;
// larger ones go out as a second buffer, in slices so that the idle timeout
// bounds each slice rather than the whole transfer.
constexpr size_t kCopyBodyLimit = 64 << 10;
constexpr size_t kWriteSlice = 1 << 20;
// After refusing a request, what the client still sends is read and dropped
// (up to this much, for at most kLingerMs) before closing: closing with
// unread input makes the kernel send RST, which can destroy the error
// answer before the client reads it.
constexpr size_t kLingerBytes = 1 << 20;
constexpr int kLingerMs = 2000;
// A connection whose next request is always already buffered is served
// without suspending (see ParseBuffered); after this many in a row it yields
// once, so that one pipelining client cannot hold its thread.
constexpr int kMaxRequestsWithoutYield = 32;

std::string_view ToStd(beast::string_view s) { return {s.data(), s.size()}; }

bool IEquals(std::string_view a, std::string_view b) {
  return beast::iequals(beast::string_view(a.data(), a.size()),
                        beast::string_view(b.data(), b.size()));
}

void LogError(const char* what, std::string_view detail) {
  std::fprintf(stderr, "ipfs-kit http server: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
}

// co_spawn's completion handler: the coroutines catch what they expect, so
// anything arriving here is a bug worth a line on stderr (`detached` would
// drop it silently).
struct LogFailure {
  const char* what;
  void operator()(std::exception_ptr e) const {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      LogError(what, ex.what());
    } catch (...) {
      LogError(what, "unknown exception");
    }
  }
};

std::string FormatEndpoint(const asio::ip::address& address, uint16_t port) {
  std::string s = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return s + ":" + std::to_string(port);
}

// --- Parsing, shared by connections and internal::ParseRequest ---------------

struct Refusal {
  int status = 400;
  const char* reason = "BAD_REQUEST";
  std::string details;
};

void ConfigureParser(Parser& parser, const ServerOptions& options) {
  parser.header_limit(static_cast<uint32_t>(
      std::min<size_t>(options.max_header_bytes, std::numeric_limits<uint32_t>::max())));
  parser.body_limit(static_cast<uint64_t>(options.max_body_bytes));
}

// The answer to a read error, or nullopt when the connection just ends
// (closed, reset, timed out, cancelled) and nobody is left to answer.
std::optional<Refusal> RefusalFor(const error_code& ec, const ServerOptions& options) {
  if (ec == bhttp::error::header_limit) {
    return Refusal{431, "REQUEST_HEADER_FIELDS_TOO_LARGE",
                   "request header exceeds " + std::to_string(options.max_header_bytes) + " bytes"};
  }
  if (ec == bhttp::error::body_limit) {
    return Refusal{413, "PAYLOAD_TOO_LARGE",
                   "request body exceeds " + std::to_string(options.max_body_bytes) + " bytes"};
  }
  if (ec.category() != bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return std::nullopt;  // socket errors, beast::error::timeout
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == bhttp::error::short_read) {
    return std::nullopt;
  }
  return Refusal{400, "BAD_REQUEST", "malformed request: " + ec.message()};
}

Refusal RefusalFor(const Status& status) {
  if (status.code() == StatusCode::kUnsupported) {
    return Refusal{505, "HTTP_VERSION_NOT_SUPPORTED", status.message()};
  }
  return Refusal{400, "BAD_REQUEST", status.message()};
}

internal::RawHead HeadOf(const bhttp::request<bhttp::string_body>& msg) {
  internal::RawHead head;
  head.method = ToStd(msg.method_string());
  head.target = ToStd(msg.target());
  head.version = msg.version();
  head.fields.reserve(static_cast<size_t>(std::distance(msg.begin(), msg.end())));
  for (const auto& f : msg) {
    head.fields.emplace_back(ToStd(f.name_string()), ToStd(f.value()));
  }
  return head;
}

// Checks the head and converts it into `out`; a Refusal when the request must
// be refused before its body is read.
std::optional<Refusal> AcceptHead(const Parser& parser, Request* out, bool* expect_continue) {
  Status st = internal::ConvertHead(HeadOf(parser.get()), out);
  if (!st.ok()) return RefusalFor(st);
  auto expect = ToStd(parser.get()[bhttp::field::expect]);
  *expect_continue = false;
  if (!expect.empty()) {
    if (!IEquals(expect, "100-continue")) {
      return Refusal{417, "EXPECTATION_FAILED", "only Expect: 100-continue is supported"};
    }
    *expect_continue = true;
  }
  return std::nullopt;
}

// --- Response serialization ---------------------------------------------------

// "Sun, 06 Nov 1994 08:49:37 GMT", recomputed once a second per thread.
std::string_view HttpDate() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t cached = -1;
  thread_local char buf[64];
  thread_local size_t len = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    int n = std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                          kDays[tm.tm_wday % 7], tm.tm_mday, kMonths[tm.tm_mon % 12],
                          tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    len = n > 0 ? std::min(static_cast<size_t>(n), sizeof buf - 1) : 0;
    cached = now;
  }
  return {buf, len};
}

bool IsTokenCharSlow(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// RFC 9110 tchar, as a table: every response header name is checked.
struct TokenTable {
  bool ok[256] = {};
  TokenTable() {
    for (int c = 0; c < 256; ++c) ok[c] = IsTokenCharSlow(static_cast<unsigned char>(c));
  }
};
bool IsTokenChar(unsigned char c) {
  static const TokenTable table;
  return table.ok[c];
}

bool ValidHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (!IsTokenChar(c)) return false;
  }
  for (unsigned char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

bool HasCloseToken(std::string_view value) {
  // Connection is a comma-separated token list.
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view token = value.substr(0, comma);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (IEquals(token, "close")) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

void AppendNumber(std::string* out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

struct Wire {
  bool head = false;      // the request was HEAD: no body
  unsigned version = 11;  // of the request
  bool close = false;     // in: close after this answer; out: also when the handler asked
  std::string_view server_name;
};

// Appends the status line and header section of `r` to `out` and sets
// *send_body. nullopt on success; otherwise why `r` is not a valid answer
// (and `out` holds a partial head that the caller discards).
std::optional<std::string> SerializeHead(const Response& r, Wire* wire, std::string* out,
                                         bool* send_body) {
  if (r.status < 200 || r.status > 599) {
    return "handler answered status " + std::to_string(r.status);
  }
  // RFC 9110 §6.4.1: 204 and 304 carry no body; 204 no Content-Length either.
  bool no_content = r.status == 204;
  bool not_modified = r.status == 304;
  *send_body = !wire->head && !no_content && !not_modified;

  out->append("HTTP/1.1 ");
  AppendNumber(out, static_cast<uint64_t>(r.status));
  out->push_back(' ');
  auto reason = ToStd(bhttp::obsolete_reason(static_cast<bhttp::status>(r.status)));
  if (reason != "<unknown-status>") out->append(reason);
  out->append("\r\n");

  bool has_date = false, has_server = false;
  std::string_view handler_length;
  for (const auto& [name, value] : r.headers) {
    if (!ValidHeader(name, value)) return "handler set an invalid response header";
    if (IEquals(name, "content-length")) {
      // Only a HEAD or 304 answer may state the length of a body it does not
      // carry; otherwise the server counts the body.
      if (!value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos) {
        handler_length = value;
      } else {
        return "handler set an invalid Content-Length";
      }
      continue;
    }
    if (IEquals(name, "transfer-encoding")) continue;  // set here: Content-Length or chunked
    if (IEquals(name, "connection")) {
      if (HasCloseToken(value)) wire->close = true;
      continue;
    }
    if (IEquals(name, "date")) has_date = true;
    if (IEquals(name, "server")) has_server = true;
    out->append(name);
    out->append(": ");
    out->append(value);
    out->append("\r\n");
  }
  if (!has_date) {
    out->append("Date: ");
    out->append(HttpDate());
    out->append("\r\n");
  }
  if (!has_server && !wire->server_name.empty()) {
    out->append("Server: ");
    out->append(wire->server_name);
    out->append("\r\n");
  }
  const bool streamed = r.stream != nullptr && !no_content && !not_modified;
  if (streamed) {
    if (!handler_length.empty() && wire->head) {
      out->append("Content-Length: ");
      out->append(handler_length);
      out->append("\r\n");
    } else if (wire->version >= 11) {
      out->append("Transfer-Encoding: chunked\r\n");
    } else {
      wire->close = true;  // HTTP/1.0: the body ends where the connection does
    }
  } else if (!no_content) {
    if ((wire->head || not_modified) && !handler_length.empty()) {
      out->append("Content-Length: ");
      out->append(handler_length);
      out->append("\r\n");
    } else if (!not_modified) {
      out->append("Content-Length: ");
      AppendNumber(out, r.body.size());
      out->append("\r\n");
    }
  }
  if (wire->close) {
    out->append("Connection: close\r\n");
  } else if (wire->version == 10) {
    out->append("Connection: keep-alive\r\n");
  }
  out->append("\r\n");
  return std::nullopt;
}

// Serializes the head of `*r` into `out`; an invalid answer is replaced by a
// 500 (*r then points to `replacement`). Returns whether the body is sent.
bool Serialize(const Response** r, Wire* wire, std::string* out, Response* replacement) {
  bool send_body = false;
  size_t start = out->size();
  auto problem = SerializeHead(**r, wire, out, &send_body);
  if (!problem) return send_body;
  LogError("invalid response", *problem);
  out->resize(start);
  *replacement = internal::ErrorResponse(500, "INTERNAL_SERVER_ERROR", *problem);
  *r = replacement;
  SerializeHead(*replacement, wire, out, &send_body);
  return send_body;
}

// --- Responder machinery ------------------------------------------------------

// Lets Responders post to a worker's io_context from any thread, and stops
// them from doing so once the server is gone.
struct WakeGate {
  std::mutex mu;
  asio::io_context* io = nullptr;  // null once the server stopped
};

// Per connection: the timer its coroutine parks on while a handler has not
// answered yet.
struct SessionLink {
  std::shared_ptr<WakeGate> gate;
  Timer* timer = nullptr;  // io thread only; null once the connection ended
};

// One request's answer, shared by the connection and the request's Responder
// copies. The connection reuses it for its next request when no Responder
// holds it any more, which saves an allocation per request.
struct Exchange {
  std::atomic<int> holders{0};          // live Responder copies
  std::atomic<bool> claimed{false};     // someone is answering (first one wins)
  std::atomic<bool> answered{false};    // `response` is complete
  std::atomic<bool> in_handler{false};  // the connection is inside the handler call
  Response response;
  std::shared_ptr<SessionLink> link;

  void Reset() {
    holders.store(0, std::memory_order_relaxed);
    claimed.store(false, std::memory_order_relaxed);
    answered.store(false, std::memory_order_relaxed);
    in_handler.store(false, std::memory_order_relaxed);
    response = Response();
  }
};

Response DroppedResponse() {
  return internal::ErrorResponse(500, "INTERNAL_SERVER_ERROR",
                                 "the request handler did not answer");
}

// Answers from any thread. While the connection is inside the handler call
// it will see `answered` when the handler returns; otherwise it is parked (or
// about to park) on its timer, which is cancelled from its own thread. Both
// sides write their flag and then read the other's (sequentially
// consistent), so at least one of them sees the other: no lost wake-up.
void Deliver(const std::shared_ptr<Exchange>& ex, Response r) {
  if (ex->claimed.exchange(true)) {
    LogError("Responder", "called more than once; the extra answer is dropped");
    return;
  }
  ex->response = std::move(r);
  ex->answered.store(true);
  if (ex->in_handler.load()) return;
  WakeGate& gate = *ex->link->gate;
  std::lock_guard lock(gate.mu);
  if (gate.io == nullptr) return;
  asio::post(*gate.io, [ex] {
    if (ex->link->timer != nullptr) ex->link->timer->cancel();
  });
}

// What the Responder std::function holds. Copies are counted so that the
// last one to go, if nobody answered, answers 500 instead of leaving the
// client hanging. While the handler runs, the connection makes that check
// itself when the handler returns (and can then report a throwing handler).
class ResponderHandle {
 public:
  explicit ResponderHandle(std::shared_ptr<Exchange> ex) : ex_(std::move(ex)) {
    ex_->holders.fetch_add(1);
  }
  ResponderHandle(const ResponderHandle& o) : ex_(o.ex_) {
    if (ex_) ex_->holders.fetch_add(1);
  }
  ResponderHandle(ResponderHandle&& o) noexcept : ex_(std::move(o.ex_)) {}
  ResponderHandle& operator=(const ResponderHandle&) = delete;
  ResponderHandle& operator=(ResponderHandle&&) = delete;
  ~ResponderHandle() {
    if (!ex_ || ex_->holders.fetch_sub(1) != 1) return;
    if (ex_->in_handler.load() || ex_->claimed.load()) return;
    Deliver(ex_, DroppedResponse());
  }
  void operator()(Response r) const { Deliver(ex_, std::move(r)); }

 private:
  std::shared_ptr<Exchange> ex_;
};

// --- Server -------------------------------------------------------------------

class ServerImpl;
struct Session;

struct Worker {
  explicit Worker(ServerImpl* s)
      : server(s),
        // All I/O objects of a worker are used on its thread only (Stop posts
        // there too); only post() comes from other threads. So the reactor
        // needs no per-descriptor locking.
        io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO),
        acceptor(io),
        work(io.get_executor()),
        gate(std::make_shared<WakeGate>()) {
    gate->io = &io;
  }
  ServerImpl* server;
  asio::io_context io;
  Acceptor acceptor;
  asio::executor_work_guard<asio::io_context::executor_type> work;  // until Stop's last phase
  std::shared_ptr<WakeGate> gate;
  std::thread thread;
  std::list<Session*> sessions;  // io thread only
  bool closing = false;          // io thread only: Stop is closing every connection
  // Requests between their parsed head and their written answer.
  alignas(64) std::atomic<int64_t> in_flight{0};
};

struct Session {
  Session(Worker& w, Socket socket)
      : worker(w),
        stream(std::move(socket)),
        wait_timer(w.io),
        link(std::make_shared<SessionLink>()),
        exchange(std::make_shared<Exchange>()) {
    wait_timer.expires_at(Timer::time_point::max());
    link->gate = w.gate;
    link->timer = &wait_timer;
    exchange->link = link;
    error_code ec;
    auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) remote = FormatEndpoint(ep.address(), ep.port());
    self = w.sessions.insert(w.sessions.end(), this);
  }
  ~Session() {
    link->timer = nullptr;
    worker.sessions.erase(self);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The Exchange for the next request: the last one when no Responder of
  // it is left, else a fresh one.
  const std::shared_ptr<Exchange>& NextExchange() {
    if (exchange.use_count() == 1) {
      // Pairs with the release of the last other owner, whose accesses to the
      // Exchange must happen before our reset.
      std::atomic_thread_fence(std::memory_order_acquire);
      exchange->Reset();
    } else {
      exchange = std::make_shared<Exchange>();
      exchange->link = link;
    }
    return exchange;
  }

  Worker& worker;
  Stream stream;
  Timer wait_timer;
  std::shared_ptr<SessionLink> link;
  std::shared_ptr<Exchange> exchange;
  std::list<Session*>::iterator self;
  std::string remote;
  std::string out;    // the answer being written, reused
  bool idle = false;  // waiting for the head of a request
};

class ServerImpl final : public Server {
 public:
  ServerImpl(ServerOptions options, Handler handler)
      : options_(std::move(options)), handler_(std::move(handler)) {}
  ~ServerImpl() override { Stop(); }

  Status Listen();
  void Run();
  uint16_t port() const override { return port_; }
  void Stop() override;

  const ServerOptions& options() const { return options_; }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
  std::chrono::milliseconds idle_timeout() const { return idle_timeout_; }

  void RequestDone(Worker& w) {
    if (w.in_flight.fetch_sub(1) == 1 && stopping_.load()) {
      std::lock_guard lock(drain_mu_);
      drain_cv_.notify_all();
    }
  }
  void CallHandler(Request request, Responder responder) {
    handler_(std::move(request), std::move(responder));
  }

 private:
  Task<> AcceptLoop(Worker& w);
  void OnEachWorker(void (*fn)(Worker&));
  int64_t InFlight() const {
    int64_t n = 0;
    for (const auto& w : workers_) n += w->in_flight.load();
    return n;
  }

  const ServerOptions options_;
  const Handler handler_;
  std::chrono::milliseconds idle_timeout_{std::max(options_.idle_timeout_ms, 1)};
  std::vector<std::unique_ptr<Worker>> workers_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex stop_mu_;  // serializes Stop()
  bool started_ = false;
  bool stopped_ = false;
  std::mutex drain_mu_;
  std::condition_variable drain_cv_;
};

struct InFlightGuard {
  explicit InFlightGuard(Worker& w) : worker(w) { w.in_flight.fetch_add(1); }
  ~InFlightGuard() { worker.server->RequestDone(worker); }
  InFlightGuard(const InFlightGuard&) = delete;
  InFlightGuard& operator=(const InFlightGuard&) = delete;
  Worker& worker;
};

enum class Progress { kDone, kWait };

// Feeds the parser what `buffer` already holds (pipelined requests, a body
// that came with its head). kDone: the head (or with !head_only the whole
// message) is parsed, or `ec` says why not; kWait: more bytes are needed.
// Such requests are thus served with no suspension and no timer. It does not
// try the socket: without pipelining the next request only comes after the
// client read our answer, so a read here would mostly fail with EAGAIN, and
// Asio's reactor already decides well when a speculative read is worth it.
Progress ParseBuffered(beast::flat_buffer& buffer, Parser& parser, bool head_only, error_code& ec) {
  auto done = [&] { return head_only ? parser.is_header_done() : parser.is_done(); };
  ec = {};
  while (buffer.size() > 0 && !done()) {
    size_t n = parser.put(buffer.data(), ec);
    buffer.consume(n);
    if (ec == bhttp::error::need_more) {
      ec = {};
      return Progress::kWait;
    }
    if (ec) return Progress::kDone;
    if (n == 0) break;
  }
  return done() ? Progress::kDone : Progress::kWait;
}

// Writes as much of head + body as the socket takes now (the views advance).
// True when everything went out; false when the rest must wait, or on error.
bool WriteNow(Socket& socket, std::string_view& head, std::string_view& body, error_code& ec) {
  ec = {};
  while (!head.empty() || !body.empty()) {
    std::array<asio::const_buffer, 2> buffers = {asio::buffer(head.data(), head.size()),
                                                 asio::buffer(body.data(), body.size())};
    size_t n = socket.write_some(buffers, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      ec = {};
      return false;
    }
    if (ec) return false;
    size_t from_head = std::min(n, head.size());
    head.remove_prefix(from_head);
    body.remove_prefix(n - from_head);
  }
  return true;
}

// GCC 12 with -fsanitize=address flags the deletion of Asio's coroutine
// frames (its class-specific sized operator delete) as mismatched, at the end
// of each coroutine: a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// Writes head + body: what the socket takes at once, then the rest
// asynchronously, in slices so that the idle timeout bounds each slice
// rather than the whole transfer.
Task<error_code> Write(Session& s, std::string_view head, std::string_view body) {
  error_code ec;
  if (WriteNow(s.stream.socket(), head, body, ec) || ec) co_return ec;
  while (!head.empty() || !body.empty()) {
    size_t slice = std::min(body.size(), kWriteSlice);
    std::array<asio::const_buffer, 2> buffers = {asio::buffer(head.data(), head.size()),
                                                 asio::buffer(body.data(), slice)};
    s.stream.expires_after(s.worker.server->idle_timeout());
    co_await asio::async_write(s.stream, buffers, asio::redirect_error(kAwait, ec));
    if (ec) break;
    head = {};
    body.remove_prefix(slice);
  }
  co_return ec;
}

// Sends a streamed body after the head already in s.out: each chunk as it
// arrives (chunked coding when `chunked`, else raw bytes up to the close).
// The coroutine parks on the session's timer while the producer has nothing
// ready; the producer's waker posts a cancel of that timer. Returns whether
// the body ended normally (false: aborted by the producer, the client gone,
// the server closing; the connection must then be closed).
Task<bool> SendStream(Session& s, BodyStream& stream, bool chunked, error_code& ec) {
  Worker& w = s.worker;
  ec = co_await Write(s, s.out, {});
  if (ec) {
    stream.Cancel();
    co_return false;
  }
  std::string chunk;
  char size_line[32];
  for (;;) {
    switch (stream.TryPop(&chunk)) {
      case BodyStream::Pop::kChunk: {
        std::string_view head, body = chunk;
        if (chunked) {
          int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
          if (chunk.size() <= kCopyBodyLimit) {
            s.out.assign(size_line, static_cast<size_t>(n));
            s.out.append(chunk);
            s.out.append("\r\n");
            head = s.out;
            body = {};
          } else {
            head = std::string_view(size_line, static_cast<size_t>(n));
          }
        }
        ec = co_await Write(s, head, body);
        if (!ec && chunked && !body.empty()) ec = co_await Write(s, "\r\n", {});
        if (ec) {
          stream.Cancel();
          co_return false;
        }
        continue;
      }
      case BodyStream::Pop::kEnd:
        if (chunked) ec = co_await Write(s, "0\r\n\r\n", {});
        co_return chunked && !ec;
      case BodyStream::Pop::kAborted:
        co_return false;
      case BodyStream::Pop::kEmpty:
        break;
    }
    if (w.closing) {
      stream.Cancel();
      co_return false;
    }
    std::shared_ptr<SessionLink> link = s.link;
    stream.SetWaker([link] {
      WakeGate& gate = *link->gate;
      std::lock_guard lock(gate.mu);
      if (gate.io == nullptr) return;
      asio::post(*gate.io, [link] {
        if (link->timer != nullptr) link->timer->cancel();
      });
    });
    error_code wait_ec;
    co_await s.wait_timer.async_wait(asio::redirect_error(kAwait, wait_ec));
  }
}

// Writes the answer the server gives by itself and half-closes; the caller
// then ends the connection with Linger.
Task<> Refuse(Session& s, const Refusal& refusal) {
  ServerImpl& server = *s.worker.server;
  Response r = internal::ErrorResponse(refusal.status, refusal.reason, refusal.details);
  Wire wire;
  wire.close = true;
  wire.server_name = server.options().server_name;
  s.out.clear();
  bool send_body = false;
  SerializeHead(r, &wire, &s.out, &send_body);
  s.out.append(r.body);
  error_code ec = co_await Write(s, s.out, {});
  if (!ec) s.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// Reads and drops what the client still sends after a refusal (up to
// kLingerBytes, for at most kLingerMs) before the connection is closed.
Task<> Linger(Session& s) {
  error_code ec;
  s.stream.expires_after(
      std::min(s.worker.server->idle_timeout(), std::chrono::milliseconds(kLingerMs)));
  s.out.resize(16 << 10);
  size_t drained = 0;
  while (drained < kLingerBytes && !s.worker.closing) {
    size_t n =
        co_await s.stream.async_read_some(asio::buffer(s.out), asio::redirect_error(kAwait, ec));
    if (ec) break;
    drained += n;
  }
}

Task<> Serve(Worker& w, Socket socket) {
  Session s(w, std::move(socket));
  ServerImpl& server = *w.server;
  const ServerOptions& options = server.options();
  beast::flat_buffer buffer;
  std::optional<Parser> parser;
  error_code ec;
  // User-level non-blocking mode for the synchronous write attempt
  // (WriteNow); Asio's asynchronous operations are unaffected by it.
  s.stream.socket().non_blocking(true, ec);
  int without_yield = 0;
  bool linger = false;  // a refusal was sent: drain before closing
  while (!ec && !w.closing && !server.stopping()) {
    parser.emplace();
    ConfigureParser(*parser, options);
    // The head: from what is buffered, else wait for it (the only place
    // where a healthy connection idles).
    Progress progress = Progress::kWait;
    if (++without_yield <= kMaxRequestsWithoutYield) {
      progress = ParseBuffered(buffer, *parser, /*head_only=*/true, ec);
    }
    if (progress == Progress::kWait) {
      without_yield = 0;
      s.idle = true;
      s.stream.expires_after(server.idle_timeout());
      co_await bhttp::async_read_header(s.stream, buffer, *parser,
                                        asio::redirect_error(kAwait, ec));
      s.idle = false;
    }
    if (ec) {
      if (auto refusal = RefusalFor(ec, options); refusal && !w.closing) {
        co_await Refuse(s, *refusal);
        linger = true;
      }
      break;
    }
    // Stop may have closed the connection after the head arrived.
    if (w.closing || !s.stream.socket().is_open()) break;
    InFlightGuard in_flight(w);

    Request request;
    bool expect_continue = false;
    if (auto refusal = AcceptHead(*parser, &request, &expect_continue)) {
      co_await Refuse(s, *refusal);
      linger = true;
      break;
    }
    if (!parser->is_done()) {
      // The body is wanted (its declared length passed the limit check in the
      // head). Beast does not answer Expect itself; skip it when the client
      // already started sending (RFC 9110 §10.1.1).
      if (expect_continue && parser->get().version() >= 11 && buffer.size() == 0) {
        ec = co_await Write(s, kContinue, {});
        if (ec) break;
      }
      parser->eager(true);
      if (ParseBuffered(buffer, *parser, /*head_only=*/false, ec) == Progress::kWait) {
        // Read in steps so that the idle timeout bounds silence, not the
        // whole upload.
        while (!ec && !parser->is_done()) {
          s.stream.expires_after(server.idle_timeout());
          co_await bhttp::async_read_some(s.stream, buffer, *parser,
                                          asio::redirect_error(kAwait, ec));
        }
      }
      if (ec) {
        if (auto refusal = RefusalFor(ec, options); refusal && !w.closing) {
          co_await Refuse(s, *refusal);
          linger = true;
        }
        break;
      }
    }
    Wire wire;
    wire.head = parser->get().method() == bhttp::verb::head;
    wire.version = parser->get().version();
    wire.server_name = options.server_name;
    bool keep_alive = parser->keep_alive();
    request.body = std::move(parser->get().body());
    request.remote = s.remote;

    const std::shared_ptr<Exchange>& ex = s.NextExchange();
    ex->in_handler.store(true);
    bool threw = false;
    try {
      server.CallHandler(std::move(request), Responder(ResponderHandle(ex)));
    } catch (const std::exception& e) {
      threw = true;
      LogError("handler threw", e.what());
    } catch (...) {
      threw = true;
      LogError("handler threw", "unknown exception");
    }
    ex->in_handler.store(false);
    if (!ex->answered.load() && (threw || ex->holders.load() == 0) && !ex->claimed.exchange(true)) {
      // Nobody can answer any more: answer here, on the fast path.
      ex->response = threw ? internal::ErrorResponse(500, "INTERNAL_SERVER_ERROR",
                                                     "the request handler failed")
                           : DroppedResponse();
      ex->answered.store(true);
    }
    while (!ex->answered.load(std::memory_order_acquire) && !w.closing) {
      co_await s.wait_timer.async_wait(asio::redirect_error(kAwait, ec));
    }
    ec = {};
    if (!ex->answered.load(std::memory_order_acquire)) break;  // Stop is closing us

    // While stopping, every answer closes its connection.
    wire.close = !keep_alive || server.stopping();
    Response replacement;
    const Response* sent = &ex->response;
    s.out.clear();
    bool send_body = Serialize(&sent, &wire, &s.out, &replacement);
    std::string_view body = send_body ? std::string_view(sent->body) : std::string_view();
    if (body.size() <= kCopyBodyLimit) {
      s.out.append(body);  // one buffer, one send
      body = {};
    }
    if (sent->stream != nullptr) {
      std::shared_ptr<BodyStream> stream = sent->stream;
      ex->response = Response();
      if (!send_body) {
        stream->Cancel();
        ec = co_await Write(s, s.out, {});
      } else {
        bool complete = co_await SendStream(s, *stream, wire.version >= 11, ec);
        if (!complete) wire.close = true;
      }
      if (ec || wire.close) break;
      continue;
    }
    std::string_view head = s.out;
    if (!WriteNow(s.stream.socket(), head, body, ec) && !ec) {
      ec = co_await Write(s, head, body);
    }
    ex->response = Response();
    if (wire.close) break;
  }
  // Outside the request's in-flight span, so that Stop does not wait for it.
  if (linger && !w.closing) co_await Linger(s);
  // Half-close first so that a client reading to EOF gets every byte sent.
  error_code ignored;
  s.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  s.stream.close();
}

Task<> ServerImpl::AcceptLoop(Worker& w) {
  for (;;) {
    error_code ec;
    Socket socket = co_await w.acceptor.async_accept(asio::redirect_error(kAwait, ec));
    if (ec) {
      if (!w.acceptor.is_open() || stopping()) co_return;
      // Out of descriptors and the like: back off instead of spinning.
      LogError("accept", ec.message());
      Timer backoff(w.io, std::chrono::milliseconds(50));
      co_await backoff.async_wait(asio::redirect_error(kAwait, ec));
      continue;
    }
    if (stopping()) co_return;
    // Answers go out in one write; Nagle would only delay them.
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(w.io, Serve(w, std::move(socket)), LogFailure{"connection"});
  }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

Status ServerImpl::Listen() {
  error_code ec;
  auto address = asio::ip::make_address(options_.address, ec);
  if (ec) {
    return Status::IOError("http server: bad listen address '" + options_.address +
                           "': " + ec.message());
  }
  uint16_t port = options_.port;
  const bool reuse_port = options_.threads > 1;
  for (int i = 0; i < options_.threads; ++i) {
    auto w = std::make_unique<Worker>(this);
    tcp::endpoint endpoint(address, port);
    if (i == 0 && reuse_port && port != 0) {
      // With SO_REUSEPORT we could silently share the port with another
      // server of the same user (a second daemon); a probe bound without it
      // fails instead.
      Acceptor probe(w->io);
      probe.open(endpoint.protocol(), ec);
      if (!ec) probe.set_option(tcp::acceptor::reuse_address(true), ec);
      if (!ec) probe.bind(endpoint, ec);
      if (ec) {
        return Status::IOError("http server: cannot listen on " + FormatEndpoint(address, port) +
                               ": " + ec.message());
      }
    }
    w->acceptor.open(endpoint.protocol(), ec);
    if (!ec) w->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && reuse_port) w->acceptor.set_option(ReusePort(true), ec);
    if (!ec) w->acceptor.bind(endpoint, ec);
    if (!ec) w->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec && i == 0) port = w->acceptor.local_endpoint(ec).port();
    if (ec) {
      return Status::IOError("http server: cannot listen on " + FormatEndpoint(address, port) +
                             ": " + ec.message());
    }
    workers_.push_back(std::move(w));
  }
  port_ = port;
  return Status::Ok();
}

void ServerImpl::Run() {
  for (size_t i = 0; i < workers_.size(); ++i) {
    Worker& w = *workers_[i];
    asio::co_spawn(w.io, AcceptLoop(w), LogFailure{"accept loop"});
    w.thread = std::thread([&w, i] {
      std::string name = "http-" + std::to_string(i);
      pthread_setname_np(pthread_self(), name.c_str());
      for (;;) {
        try {
          w.io.run();
          return;
        } catch (const std::exception& e) {
          LogError("io thread", e.what());
        } catch (...) {
          LogError("io thread", "unknown exception");
        }
      }
    });
  }
  started_ = true;
}

// Runs fn on every worker's thread and waits until all have run it.
void ServerImpl::OnEachWorker(void (*fn)(Worker&)) {
  std::mutex mu;
  std::condition_variable cv;
  size_t pending = workers_.size();
  for (auto& w : workers_) {
    asio::post(w->io, [&, wp = w.get()] {
      fn(*wp);
      std::lock_guard lock(mu);
      if (--pending == 0) cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return pending == 0; });
}

void ServerImpl::Stop() {
  std::lock_guard stop_lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  if (!started_) return;  // Listen failed: nothing runs
  stopping_.store(true);

  // 1. Stop accepting; close connections waiting for a request.
  OnEachWorker([](Worker& w) {
    error_code ec;
    w.acceptor.close(ec);
    for (Session* s : w.sessions) {
      if (s->idle) s->stream.close();
    }
  });
  // 2. Let the requests in flight finish; their answers close their
  //    connections.
  {
    std::unique_lock lock(drain_mu_);
    drain_cv_.wait_for(lock, std::chrono::milliseconds(std::max(options_.drain_timeout_ms, 0)),
                       [&] { return InFlight() == 0; });
  }
  // 3. Close what is left, including connections still waiting for a
  //    handler; every coroutine then ends and run() returns.
  OnEachWorker([](Worker& w) {
    w.closing = true;
    for (Session* s : w.sessions) {
      s->stream.close();
      s->wait_timer.cancel();
    }
    w.work.reset();
  });
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  // Late Responders must not post to io_contexts about to be destroyed.
  for (auto& w : workers_) {
    std::lock_guard lock(w->gate->mu);
    w->gate->io = nullptr;
  }
}

// JSON string escaping for the error body (the details are ours, but may
// quote Beast's messages).
void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      // Non-ASCII bytes too: the details are not known to be UTF-8.
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && IEquals(s.substr(0, prefix.size()), prefix);
}

}  // namespace

namespace internal {

Status ConvertHead(RawHead head, Request* out) {
  if (head.version / 10 != 1) {
    return Status::Unsupported("HTTP version " + std::to_string(head.version / 10) + "." +
                               std::to_string(head.version % 10) + " is not supported");
  }
  out->method.assign(head.method);
  out->target.assign(head.target);
  std::string_view t = head.target;
  std::string_view path;
  std::string_view query;
  if (t == "*") {
    if (head.method != "OPTIONS") {
      return Status::InvalidArgument("request target '*' is only allowed with OPTIONS");
    }
    path = t;
  } else {
    if (StartsWithNoCase(t, "http://") || StartsWithNoCase(t, "https://")) {
      // Absolute form (RFC 9112 §3.2.2): the authority is dropped, the rest is
      // an origin-form target ("" meaning "/").
      t.remove_prefix(t.find("://") + 3);
      size_t end = t.find_first_of("/?");
      if (end == 0) return Status::InvalidArgument("absolute request target without a host");
      t = end == std::string_view::npos ? std::string_view() : t.substr(end);
      if (t.empty() || t.front() == '?') path = "/";
    } else if (t.empty() || t.front() != '/') {
      return Status::InvalidArgument("request target must start with '/'");
    }
    size_t q = t.find('?');
    if (path.empty()) path = t.substr(0, q);
    if (q != std::string_view::npos) query = t.substr(q + 1);
  }
  auto decoded = PercentDecode(path, /*plus_is_space=*/false);
  if (!decoded) return Status::InvalidArgument("bad percent-escape in the request path");
  if (decoded->find('\0') != std::string::npos) {
    return Status::InvalidArgument("NUL byte in the request path");
  }
  auto params = ParseQuery(query);
  if (!params) return Status::InvalidArgument("bad percent-escape in the query string");
  out->path = std::move(*decoded);
  out->query = std::move(*params);

  out->headers = std::move(head.fields);
  int hosts = 0;
  for (auto& [name, value] : out->headers) {
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (name == "host") ++hosts;
  }
  if (hosts > 1) return Status::InvalidArgument("more than one Host header");
  if (hosts == 0 && head.version >= 11) {
    return Status::InvalidArgument("HTTP/1.1 request without a Host header");
  }
  return Status::Ok();
}

Response ErrorResponse(int status, std::string_view reason, std::string_view details) {
  std::string body = "{\"error\":{\"reason\":";
  AppendJsonString(&body, reason);
  body += ",\"details\":";
  AppendJsonString(&body, details);
  body += "}}";
  return Response::Json(status, std::move(body));
}

ParsedRequest ParseRequest(std::string_view bytes, const ServerOptions& options) {
  ParsedRequest result;
  auto refuse = [&result](const Refusal& r) {
    result.state = ParsedRequest::State::kRefused;
    result.status = r.status;
    result.reason = r.reason;
    result.details = r.details;
    return result;
  };
  Parser parser;
  ConfigureParser(parser, options);
  size_t used = 0;
  error_code ec;
  // As async_read_header: feed what there is until the head is complete.
  while (!parser.is_header_done()) {
    if (used == bytes.size()) return result;
    size_t n = parser.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    used += n;
    if (ec == bhttp::error::need_more) return result;  // the whole rest was offered
    if (ec) {
      auto refusal = RefusalFor(ec, options);
      return refusal ? refuse(*refusal) : result;
    }
    if (n == 0) return result;
  }
  if (auto refusal = AcceptHead(parser, &result.request, &result.expect_continue)) {
    return refuse(*refusal);
  }
  while (!parser.is_done()) {
    if (used == bytes.size()) return result;
    size_t n = parser.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    used += n;
    if (ec == bhttp::error::need_more) {
      if (n == 0) return result;
      continue;
    }
    if (ec) {
      auto refusal = RefusalFor(ec, options);
      return refusal ? refuse(*refusal) : result;
    }
    if (n == 0 && !parser.is_done()) return result;
  }
  result.keep_alive = parser.keep_alive();
  result.request.body = std::move(parser.get().body());
  result.consumed = used;
  result.state = ParsedRequest::State::kComplete;
  return result;
}

}  // namespace internal

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, Handler handler) {
  if (!handler) return Status::InvalidArgument("http server: no handler");
  if (options.threads < 1) {
    return Status::InvalidArgument("http server: threads must be at least 1, not " +
                                   std::to_string(options.threads));
  }
  auto server = std::make_unique<ServerImpl>(std::move(options), std::move(handler));
  RETURN_IF_ERROR(server->Listen());
  server->Run();
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace ipfs_kit::http

#if defined(IPFS_KIT_NO_SANITIZE_FUNCTION_PUSHED)
#pragma clang attribute pop
#endif
