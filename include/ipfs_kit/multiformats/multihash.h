// Multihash: <varint code><varint digest length><digest>.
#pragma once

#include <cstdint>
#include <string>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::multiformats {

inline constexpr uint64_t kIdentity = 0x00;
inline constexpr uint64_t kSha2_256 = 0x12;
inline constexpr uint64_t kSha2_512 = 0x13;

// Identity multihashes carry their data inline; cap what we accept.
inline constexpr size_t kMaxIdentityDigest = 128;

struct Multihash {
  uint64_t code = kSha2_256;
  Bytes digest;

  bool operator==(const Multihash&) const = default;

  Bytes ToBytes() const;
  void AppendTo(Bytes& out) const;
  // Parses one multihash at the start of `in`; *consumed gets its length.
  static Result<Multihash> Parse(ByteView in, size_t* consumed);
  // Parses exactly `in` (no trailing bytes).
  static Result<Multihash> FromBytes(ByteView in);
};

// Hashes `data` with the function `code` (sha2-256, sha2-512, identity).
Result<Multihash> ComputeMultihash(uint64_t code, ByteView data);
// True if `data` hashes to `mh`. Unsupported hash codes give an error.
Result<bool> VerifyMultihash(const Multihash& mh, ByteView data);

std::string_view MultihashName(uint64_t code);  // "sha2-256", or "" if unknown
Result<uint64_t> MultihashCodeFromName(std::string_view name);

}  // namespace ipfs_kit::multiformats
