// Unsigned varint as specified by multiformats/unsigned-varint: LEB128, at most
// 9 bytes (63 bits), minimal encoding only (no trailing zero groups).
#pragma once

#include <cstdint>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::multiformats {

inline constexpr size_t kMaxVarintBytes = 9;

void AppendUvarint(Bytes& out, uint64_t value);
size_t UvarintSize(uint64_t value);

// Decodes one varint at the start of `in`. On success sets *consumed to the
// number of bytes read. Fails on truncation, on more than 9 bytes, and on a
// non-minimal encoding.
Result<uint64_t> ReadUvarint(ByteView in, size_t* consumed);

}  // namespace ipfs_kit::multiformats
