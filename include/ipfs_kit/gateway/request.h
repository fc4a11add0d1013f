// The trustless gateway's view of an HTTP request: which content, in which
// response format, with which CAR parameters. Pure parsing, no I/O; it is the
// part of the gateway that reads outside bytes, so it has a fuzzer
// (fuzz/gateway_request_fuzzer.cpp).
//
// Spec: https://specs.ipfs.tech/http-gateways/path-gateway/ and
// https://specs.ipfs.tech/http-gateways/trustless-gateway/. What is supported
// and how each input maps to a status code: docs/gateway.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipfs_kit/http/message.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::gateway {

// Limits on the content path "/ipfs/{cid}/a/b" (DESIGN §11: no path escapes).
inline constexpr size_t kMaxContentPathBytes = 4096;
inline constexpr size_t kMaxSegmentBytes = 255;
inline constexpr size_t kMaxSegments = 256;

// kPlain: the deserialized UnixFS response a browser wants (file bytes, a
// directory listing); kRaw: one block (application/vnd.ipld.raw); kCar: a
// CARv1 stream (application/vnd.ipld.car).
enum class ResponseFormat { kPlain, kRaw, kCar };
enum class DagScope { kAll, kEntity, kBlock };
const char* DagScopeName(DagScope s);

// entity-bytes=from:to, both inclusive; negative values count from the end of
// the entity; `to` absent is "*" (the last byte).
struct EntityBytes {
  int64_t from = 0;
  std::optional<int64_t> to;
  bool operator==(const EntityBytes&) const = default;
};

struct CarParams {
  // What the client asked for; the answer is always CARv1 in DFS order,
  // which satisfies order=unk too.
  bool order_unknown_requested = false;
  bool dups = false;  // dups=y: a block is repeated each time the walk meets it
  DagScope scope = DagScope::kAll;
  // Applied only with dag-scope=entity (validated in every case).
  std::optional<EntityBytes> entity_bytes;
};

struct GatewayRequest {
  bool head = false;
  multiformats::Cid root;
  // Decoded path segments after the CID ("a", "b c"); never empty strings,
  // ".", "..", or strings holding '/' or NUL.
  std::vector<std::string> segments;
  bool trailing_slash = false;
  // "/ipfs/{cid}/a/b" as it appeared in the request target (still
  // percent-encoded): the X-Ipfs-Path header and the base of links.
  std::string content_path;
  std::string raw_query;  // after '?', as sent (kept on redirects)
  ResponseFormat format = ResponseFormat::kPlain;
  bool format_from_query = false;  // ?format= (else Accept or the default)
  CarParams car;
  std::optional<std::string> filename;       // ?filename=
  bool download = false;                     // ?download=true
  std::optional<std::string> if_none_match;  // header value as sent
  std::optional<std::string> range;          // Range header (plain responses only)
  std::optional<std::string> if_range;
};

// Why a request cannot be served, and the HTTP status that says so: 400 (bad
// CID, path or parameter), 404 (not under /ipfs/), 405 (method), 406 (no
// acceptable media type in Accept), 501 (a known format this gateway does not
// produce: tar, dag-json, dag-cbor, json, cbor, ipns-record).
struct RequestError {
  int status = 400;
  std::string message;
};

// Parses `in` (method, target, Accept, If-None-Match, Range, If-Range). The
// target is re-split from its raw form so that an encoded '/' ("%2F") inside a
// segment is refused instead of silently becoming a separator. Returns
// nullopt and fills *out on success.
std::optional<RequestError> ParseGatewayRequest(const http::Request& in, GatewayRequest* out);

// The Accept header's choice, exposed for tests and the fuzzer: nullopt when
// nothing listed is acceptable (406). `car` receives version/order/dups
// parameters of the chosen application/vnd.ipld.car entry.
std::optional<ResponseFormat> NegotiateAccept(std::string_view accept, CarParams* car);

// "from:to" as in entity-bytes; nullopt when malformed or from > to.
std::optional<EntityBytes> ParseEntityBytes(std::string_view s);

}  // namespace ipfs_kit::gateway
