// Internal: header values of gateway responses (ETag forms, conditional
// requests, Range, Content-Type and Content-Disposition), as pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ipfs_kit/gateway/request.h"

namespace ipfs_kit::gateway {

inline constexpr std::string_view kImmutable = "public, max-age=29030400, immutable";
inline constexpr std::string_view kRawType = "application/vnd.ipld.raw";

// "\"{cid}.raw\"" for a block.
std::string RawEtag(const multiformats::Cid& cid);
// "\"{cid}.car.{h}\"", h a 64-bit FNV-1a (base32) of everything that changes
// the bytes: the content path, dag-scope, entity-bytes (when applied), dups.
std::string CarEtag(const multiformats::Cid& terminal, const GatewayRequest& r);
// "\"{cid}\"" for file bytes; a versioned tag for generated listings.
std::string FileEtag(const multiformats::Cid& cid);
std::string ListingEtag(const multiformats::Cid& cid);

// The Content-Type of a CAR answer, stating the parameters actually used.
std::string CarContentType(const CarParams& p);

// True if an If-None-Match value matches `etag` (weak comparison; "*" matches).
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

// A single byte range of a `size`-byte body from a Range header.
struct ByteRange {
  uint64_t first = 0, last = 0;  // inclusive
};
enum class RangeKind { kNone, kSatisfiable, kUnsatisfiable };
// kNone: no usable Range (absent, malformed, several ranges, not "bytes"):
// serve the whole body. kUnsatisfiable: 416.
RangeKind ParseRange(std::string_view header, uint64_t size, ByteRange* out);

// Content type from the file name's extension (a small table), or nullopt.
std::optional<std::string_view> TypeFromExtension(std::string_view name);
// Content type from the first bytes: HTML, PDF, PNG/JPEG/GIF/WebP, text
// (valid UTF-8 without control bytes), else application/octet-stream.
std::string_view SniffType(std::string_view head);

// `attachment` or `inline` with filename="ascii" and, when the name is not
// plain ASCII, filename*=UTF-8''percent-encoded (RFC 6266).
std::string ContentDisposition(bool attachment, std::string_view filename);

}  // namespace ipfs_kit::gateway
