// Multibase: self-describing base encodings (one prefix character + payload).
// Supported: base16 (f/F), base32 (b/B, RFC 4648 no padding), base36 (k/K),
// base58btc (z), base64url (u, no padding), base64 (m), and identity-free.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::multiformats {

enum class Multibase {
  kBase16,       // 'f'
  kBase16Upper,  // 'F'
  kBase32,       // 'b'
  kBase32Upper,  // 'B'
  kBase36,       // 'k'
  kBase36Upper,  // 'K'
  kBase58Btc,    // 'z'
  kBase64,       // 'm'
  kBase64Url,    // 'u'
};

char MultibasePrefix(Multibase base);
// Canonical name as used by Kubo's `-b` flag: "base32", "base58btc", ...
std::string_view MultibaseName(Multibase base);
Result<Multibase> MultibaseFromName(std::string_view name);
Result<Multibase> MultibaseFromPrefix(char prefix);

// Encodes with the prefix character.
std::string MultibaseEncode(Multibase base, ByteView data);
// Decodes a prefixed string; sets *base to the base found when non-null.
Result<Bytes> MultibaseDecode(std::string_view text, Multibase* base = nullptr);

// Payload-only codecs (no prefix), used where the base is implied (CIDv0,
// flatfs keys).
std::string EncodeBase(Multibase base, ByteView data);
Result<Bytes> DecodeBase(Multibase base, std::string_view text);

// Standard base64 with '=' padding (RFC 4648 §4), as JSON APIs (MCP blobs,
// REST bodies) use it. Decoding accepts padded or unpadded input and
// refuses other characters with kInvalidArgument.
std::string Base64Encode(ByteView data);
Result<Bytes> Base64Decode(std::string_view text);

}  // namespace ipfs_kit::multiformats
