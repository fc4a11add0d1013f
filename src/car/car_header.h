// Internal: the dag-cbor CAR header, decoded. Format: docs/formats/car.md.
#pragma once

#include <cstdint>
#include <vector>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::car {

// Largest header payload (after its varint length) the reader accepts. About
// 800 CIDv1 roots; real CARs have one.
inline constexpr size_t kMaxHeaderSize = 32 * 1024;

// The CARv2 pragma: varint(10) then dag-cbor {"version": 2}.
inline constexpr uint8_t kCarV2Pragma[11] = {0x0a, 0xa1, 0x67, 0x76, 0x65, 0x72,
                                             0x73, 0x69, 0x6f, 0x6e, 0x02};
// Size of the CARv2 fixed header that follows the pragma.
inline constexpr size_t kCarV2HeaderSize = 40;

struct CarHeader {
  uint64_t version = 0;
  bool has_roots = false;
  std::vector<multiformats::Cid> roots;
};

// Decodes a header payload: a dag-cbor map with the keys "version" (unsigned
// integer, required) and "roots" (array of tag-42 CID links). Only the subset
// of dag-cbor these keys need is accepted; unknown keys, duplicate keys,
// indefinite lengths, non-minimal integers and trailing bytes are
// kInvalidArgument. Checking the version value is left to the caller.
Result<CarHeader> DecodeHeaderPayload(ByteView payload);

}  // namespace ipfs_kit::car
