// The parts of the HTTP server that are pure functions of their input, kept
// free of Boost so that unit tests and the fuzzer reach them without
// compiling Beast. server.cpp runs exactly these functions on every request.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/http/message.h"
#include "ipfs_kit/http/server.h"

namespace ipfs_kit::http::internal {

// A request head as the HTTP/1.1 parser accepted it: its syntax is checked
// (method token, target characters, version, field syntax), nothing is
// decoded yet.
struct RawHead {
  std::string_view method;
  std::string_view target;
  unsigned version = 11;  // 10 * major + minor
  HeaderList fields;      // names as received, in order
};

// Fills the handler's view of a request head into `out`: method, target,
// path, query and headers (body and remote are left alone).
//  - Header names are lower-cased; values are kept as received.
//  - The target is origin-form ("/a%20b?x=1"), absolute-form
//    ("http://host/a?x=1": the path and query after the authority are used)
//    or "*" (OPTIONS only, path "*").
//  - `path` is percent-decoded ('+' stays '+'), `query` parsed by ParseQuery.
// Errors, whose messages name the problem and never echo the input:
//  kInvalidArgument (answered 400): a target of another form, a bad
//  percent-escape in the path or the query, a NUL byte in the decoded path,
//  an HTTP/1.1 request without a Host header, more than one Host header;
//  kUnsupported (answered 505): a version other than HTTP/1.x.
// On error `out` is partly filled and must not be used.
Status ConvertHead(RawHead head, Request* out);

// An answer the server gives by itself:
// {"error":{"reason":"<reason>","details":"<details>"}}, application/json.
Response ErrorResponse(int status, std::string_view reason, std::string_view details);

// What the server makes of the bytes at the start of a connection's input.
struct ParsedRequest {
  enum class State {
    kNeedMore,  // the bytes end inside the request: the server reads on
    kComplete,  // `request` is ready for the handler
    kRefused,   // the server answers `status` and closes the connection
  };
  State state = State::kNeedMore;
  Request request;               // kComplete: converted, body included (remote empty)
  int status = 0;                // kRefused: 400, 413, 417, 431 or 505
  std::string reason;            // kRefused: "BAD_REQUEST", "PAYLOAD_TOO_LARGE", ...
  std::string details;           // kRefused: what was wrong
  bool keep_alive = false;       // kComplete: the connection stays open (HTTP/1.x rules)
  bool expect_continue = false;  // the client sent Expect: 100-continue
  size_t consumed = 0;           // kComplete: bytes of the input this request used
};

// Runs the server's request parser, with the limits of `options`
// (max_header_bytes, max_body_bytes), and ConvertHead over `bytes`, and
// classifies the outcome exactly as a connection does. For tests and the
// fuzzer; pipelined requests are parsed by calling it again on
// bytes.substr(consumed).
ParsedRequest ParseRequest(std::string_view bytes, const ServerOptions& options);

}  // namespace ipfs_kit::http::internal
