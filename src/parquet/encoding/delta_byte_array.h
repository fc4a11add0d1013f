// DELTA_LENGTH_BYTE_ARRAY (encoding id 6) and DELTA_BYTE_ARRAY (7), both built
// on DELTA_BINARY_PACKED (delta_binary_packed.h) INT32 streams.
//
// Decoders APPEND to *out, leave *out as it was on failure, and refuse a
// stream claiming more than `max_values` values (the page's num_values).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::parquet {

// DELTA_LENGTH_BYTE_ARRAY: the lengths DELTA_BINARY_PACKED (INT32), then all
// values' bytes concatenated. Values longer than 2^31 - 1 bytes are refused.
Status DeltaLengthByteArrayEncode(std::span<const std::string_view> values, Bytes* out);
// Views point into `data`.
Status DeltaLengthByteArrayDecode(ByteView data, size_t max_values,
                                  std::vector<std::string_view>* out, size_t* consumed);

// DELTA_BYTE_ARRAY: prefix lengths (shared with the previous value)
// DELTA_BINARY_PACKED, then the suffixes as DELTA_LENGTH_BYTE_ARRAY.
Status DeltaByteArrayEncode(std::span<const std::string_view> values, Bytes* out);
// Values are rebuilt, so they are copies. Their total size may be far larger
// than `data` (every value can repeat a long prefix), so it is capped by
// max_total_bytes; a stream whose values would exceed it is refused.
Status DeltaByteArrayDecode(ByteView data, size_t max_values, std::vector<std::string>* out,
                            size_t* consumed, size_t max_total_bytes = size_t{256} << 20);

}  // namespace ipfs_kit::parquet
