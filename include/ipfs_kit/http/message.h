// HTTP request and response values shared by the server, the handlers and the
// client. Pure data: no I/O here (DESIGN §12, Asio's HTTP example).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ipfs_kit::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // upper case, as sent: GET, POST, ...
  std::string target;  // as sent: "/pins?cid=bafy...&limit=10"
  std::string path;    // target before '?', percent-decoded
  // Query parameters in order, names and values percent-decoded ('+' is a
  // space). A name may repeat.
  std::vector<std::pair<std::string, std::string>> query;
  HeaderList headers;  // names lower-cased, in order
  std::string body;
  std::string remote;  // "127.0.0.1:53211"

  // First header / query value with this (lower-case) name.
  std::optional<std::string_view> Header(std::string_view name) const;
  std::optional<std::string_view> Query(std::string_view name) const;
};

// A response body produced while it is being sent: CAR exports, Server-Sent
// Events. The server sends it with chunked transfer coding (close-delimited to
// an HTTP/1.0 client), one chunk per Write.
//
// Producer side (any thread): Write queues a chunk and blocks while more than
// `max_buffered` bytes wait to be sent, so a fast producer is paced by the
// client. Write returns false once the consumer has gone (client
// disconnected, server stopping): the producer should then stop. Close ends
// the body normally; Abort ends it so that the client sees a truncated
// transfer (no terminating chunk), the only way to report an error found
// after the head was sent.
//
// Consumer side (the server, tests): TryPop / WaitPop take chunks in order;
// SetWaker registers a callback run (from the producer's thread) when a chunk
// or the end arrives while the consumer waits; Cancel tells the producer to stop.
class BodyStream {
 public:
  explicit BodyStream(size_t max_buffered = 1 << 20) : max_buffered_(max_buffered) {}
  BodyStream(const BodyStream&) = delete;
  BodyStream& operator=(const BodyStream&) = delete;

  bool Write(std::string chunk);
  void Close();
  void Abort();
  bool cancelled() const;

  enum class Pop { kChunk, kEmpty, kEnd, kAborted };
  // kEmpty: nothing queued yet and not ended. Never blocks.
  Pop TryPop(std::string* out);
  // Blocks until a chunk or the end arrives (tests, synchronous consumers).
  Pop WaitPop(std::string* out);
  // `waker` is called once, the next time a chunk or the end is queued (or at
  // once if one already is). Set it again after each wake-up.
  void SetWaker(std::function<void()> waker);
  void Cancel();

  // Reads the whole body (tests): false when it was aborted.
  bool ReadAll(std::string* out);

 private:
  void WakeLocked(std::unique_lock<std::mutex>& lock);
  const size_t max_buffered_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  size_t buffered_ = 0;
  bool closed_ = false, aborted_ = false, cancelled_ = false;
  std::function<void()> waker_;
};

struct Response {
  int status = 200;
  HeaderList headers;  // Content-Length is set by the server
  std::string body;
  // When set, the body is this stream instead of `body` (see BodyStream).
  std::shared_ptr<BodyStream> stream;

  Response& Set(std::string name, std::string value);
  // A JSON body with Content-Type application/json.
  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body);
};

// Percent-decoding of a path or query component; kInvalid-style failure is
// reported by returning nullopt (a '%' not followed by two hex digits).
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);
// Percent-encodes everything except RFC 3986 unreserved characters (and '/'
// when keep_slash).
std::string PercentEncode(std::string_view s, bool keep_slash = false);
// Escapes & < > " ' as character references, for text put into HTML or XML
// (attribute values included).
std::string MarkupEscape(std::string_view s);

// Splits "a=1&b=x%20y" into decoded pairs; nullopt on a bad escape.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view q);

}  // namespace ipfs_kit::http
