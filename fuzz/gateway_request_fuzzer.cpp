// Fuzzes the gateway's parsers of outside bytes: the request target (content
// path and query), Accept, If-None-Match, Range, entity-bytes, and the
// header values built from them. Input: newline-separated fields
//   method-selector, target, Accept, If-None-Match, Range
// Each must answer a request or a RequestError with a 4xx/5xx status and a
// message, never crash or hang; what parses must keep the path invariants
// (no segment could escape: "", ".", "..", '/', NUL, over 255 bytes).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "../src/gateway/response_headers.h"
#include "ipfs_kit/gateway/request.h"

namespace gw = ipfs_kit::gateway;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> f;
  while (f.size() < 4) {
    size_t nl = in.find('\n');
    f.emplace_back(in.substr(0, nl));
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  }
  f.emplace_back(in);

  ipfs_kit::http::Request r;
  static const char* kMethods[] = {"GET", "HEAD", "POST", "get"};
  r.method = kMethods[f[0].empty() ? 0 : static_cast<unsigned char>(f[0][0]) % 4];
  r.target = f[1];
  if (!f[2].empty()) r.headers.emplace_back("accept", f[2]);
  if (!f[3].empty()) r.headers.emplace_back("if-none-match", f[3]);
  if (!f[4].empty()) r.headers.emplace_back("range", f[4]);

  gw::GatewayRequest req;
  auto err = gw::ParseGatewayRequest(r, &req);
  if (err) {
    if (err->status < 400 || err->status > 599 || err->message.empty()) std::abort();
  } else {
    if (req.segments.size() > gw::kMaxSegments) std::abort();
    for (const auto& s : req.segments) {
      if (s.empty() || s == "." || s == ".." || s.size() > gw::kMaxSegmentBytes ||
          s.find('/') != std::string::npos || s.find('\0') != std::string::npos) {
        std::abort();
      }
    }
    if (req.content_path.rfind("/ipfs/", 0) != 0) std::abort();
    // Header values built from the request must stay single-line.
    std::string etag = gw::CarEtag(req.root, req);
    std::string disp = gw::ContentDisposition(req.download, req.filename.value_or("x"));
    for (const std::string* v : {&etag, &disp}) {
      if (v->find_first_of("\r\n") != std::string::npos) std::abort();
    }
    if (req.if_none_match) (void)gw::EtagMatches(*req.if_none_match, etag);
  }

  gw::CarParams car;
  (void)gw::NegotiateAccept(f[2], &car);
  if (auto eb = gw::ParseEntityBytes(f[3])) {
    if (eb->to && (eb->from >= 0) == (*eb->to >= 0) && eb->from > *eb->to) std::abort();
  }
  for (uint64_t n : {uint64_t{0}, uint64_t{1}, uint64_t{20000}, UINT64_MAX / 2}) {
    gw::ByteRange br;
    if (gw::ParseRange(f[4], n, &br) == gw::RangeKind::kSatisfiable &&
        (br.first > br.last || br.last >= n)) {
      std::abort();
    }
  }
  (void)gw::TypeFromExtension(f[1]);
  (void)gw::SniffType(f[4]);
  return 0;
}
