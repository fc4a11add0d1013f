// Fuzzes what the HTTP server does with a client's bytes: the server's Beast
// request parser with its limits, then the conversion into http::Request
// (internal::ParseRequest runs exactly the server's code), over pipelined
// requests as a connection would; plus the target conversion and the
// percent-coding helpers on their own.
//
// Invariants checked (abort on violation, so libFuzzer reports a crash):
// - a complete request consumed at least one and at most all of the bytes;
//   its path holds no NUL, its header names no upper case, its body is
//   within the limit;
// - a refusal is one of the documented statuses with a reason and details,
//   and its JSON error body holds no raw control character;
// - PercentDecode(PercentEncode(x)) == x.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "../src/http/server_internal.h"
#include "ipfs_kit/http/message.h"

namespace http = ipfs_kit::http;
using http::internal::ParsedRequest;

namespace {

void CheckRequest(const http::Request& r, const http::ServerOptions& options) {
  if (r.method.empty()) std::abort();
  if (r.path.find('\0') != std::string::npos) std::abort();
  if (r.body.size() > options.max_body_bytes) std::abort();
  for (const auto& [name, value] : r.headers) {
    for (char c : name) {
      if (c >= 'A' && c <= 'Z') std::abort();
    }
  }
}

void CheckRefusal(const ParsedRequest& p) {
  switch (p.status) {
    case 400:
    case 413:
    case 417:
    case 431:
    case 505:
      break;
    default:
      std::abort();
  }
  if (p.reason.empty() || p.details.empty()) std::abort();
  http::Response r = http::internal::ErrorResponse(p.status, p.reason, p.details);
  for (unsigned char c : r.body) {
    if (c < 0x20) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  // Small limits, so that 413 and 431 are within the fuzzer's reach.
  http::ServerOptions options;
  options.max_header_bytes = 2048;
  options.max_body_bytes = 4096;
  std::string_view rest = input;
  for (int i = 0; i < 64 && !rest.empty(); ++i) {
    ParsedRequest p = http::internal::ParseRequest(rest, options);
    if (p.state == ParsedRequest::State::kRefused) {
      CheckRefusal(p);
      break;
    }
    if (p.state == ParsedRequest::State::kNeedMore) break;
    if (p.consumed == 0 || p.consumed > rest.size()) std::abort();
    CheckRequest(p.request, options);
    rest.remove_prefix(p.consumed);
  }

  // The first line as a request target, past the parser's character checks.
  std::string_view target = input.substr(0, input.find('\n'));
  http::internal::RawHead head;
  head.method = "GET";
  head.target = target;
  head.fields = {{"Host", "fuzz"}};
  http::Request r;
  if (http::internal::ConvertHead(head, &r).ok()) {
    if (r.path.find('\0') != std::string::npos) std::abort();
    if (r.target != target) std::abort();
  }

  for (bool keep_slash : {false, true}) {
    auto back = http::PercentDecode(http::PercentEncode(input, keep_slash), false);
    if (!back || *back != input) std::abort();
  }
  auto query = http::ParseQuery(input);
  (void)query;
  return 0;
}
