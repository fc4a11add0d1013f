// Content identifiers (CID v0 and v1), per multiformats/cid.
//
// CIDv0 is a bare base58btc sha2-256 multihash ("Qm..."), implicitly dag-pb.
// CIDv1 is <varint 1><varint codec><multihash>, printed with a multibase
// prefix (base32 lower-case "b" by default).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"
#include "ipfs_kit/multiformats/multibase.h"
#include "ipfs_kit/multiformats/multihash.h"

namespace ipfs_kit::multiformats {

inline constexpr uint64_t kCodecRaw = 0x55;
inline constexpr uint64_t kCodecDagPb = 0x70;
inline constexpr uint64_t kCodecDagCbor = 0x71;
inline constexpr uint64_t kCodecDagJson = 0x0129;
inline constexpr uint64_t kCodecLibp2pKey = 0x72;

std::string_view CodecName(uint64_t codec);  // "dag-pb", or "" if unknown
Result<uint64_t> CodecFromName(std::string_view name);

class Cid {
 public:
  Cid() = default;
  Cid(int version, uint64_t codec, Multihash hash)
      : version_(version), codec_(codec), hash_(std::move(hash)) {}

  // A CID for `data` with sha2-256: v0 requires codec dag-pb.
  static Cid Sha256(int version, uint64_t codec, ByteView data);

  // Parses the text form: "Qm..." (v0) or any supported multibase (v1).
  static Result<Cid> Parse(std::string_view text);
  // Parses the binary form exactly (no trailing bytes).
  static Result<Cid> FromBytes(ByteView bytes);
  // Parses one binary CID at the start of `in` (CAR sections, dag-pb links).
  static Result<Cid> ReadPrefix(ByteView in, size_t* consumed);

  int version() const { return version_; }
  uint64_t codec() const { return codec_; }
  const Multihash& hash() const { return hash_; }

  Bytes ToBytes() const;
  void AppendTo(Bytes& out) const;
  size_t ByteLength() const;
  // v0: base58btc without prefix; v1: base32 lower-case.
  std::string ToString() const;
  // v1 in the given base. v0 only has one text form; asking for another base
  // than base58btc on a v0 CID prints it as v1.
  std::string ToString(Multibase base) const;

  Cid ToV1() const { return Cid(1, codec_, hash_); }
  // Fails unless codec is dag-pb and the hash is sha2-256 with 32 bytes.
  Result<Cid> ToV0() const;

  bool operator==(const Cid&) const = default;
  bool operator<(const Cid& o) const { return ToBytes() < o.ToBytes(); }

 private:
  int version_ = 1;
  uint64_t codec_ = kCodecRaw;
  Multihash hash_;
};

}  // namespace ipfs_kit::multiformats

template <>
struct std::hash<ipfs_kit::multiformats::Cid> {
  size_t operator()(const ipfs_kit::multiformats::Cid& c) const noexcept;
};
