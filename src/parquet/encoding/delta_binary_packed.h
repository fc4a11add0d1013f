// DELTA_BINARY_PACKED (encoding id 5) for INT32 and INT64. The byte array
// encodings built on it are in delta_byte_array.h.
//
//   header := ULEB128 block_size (a multiple of 128)
//             ULEB128 miniblocks_per_block (block_size / it is a multiple of 32)
//             ULEB128 total_value_count
//             zigzag ULEB128 first_value
//   block  := zigzag ULEB128 min_delta
//             miniblocks_per_block bytes: bit width of each miniblock
//             miniblocks: (value - previous - min_delta), bit-packed LSB first,
//             block_size / miniblocks_per_block values each (the last one
//             padded; miniblocks after the last value are absent)
//
// Arithmetic wraps in the column's width (32 bits for INT32), as in parquet-mr
// and Arrow. Decoders APPEND to *out and on failure leave *out as it was. Every
// size field is checked: a header may not claim more than `max_values` values
// (the caller passes the page's num_values), so the output is bounded by the
// caller, never by the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::parquet {

// Encoders use block size 128 with 4 miniblocks of 32 values (the parquet-mr
// and Arrow defaults) and append to *out.
void DeltaBinaryPackedEncodeInt32(std::span<const int32_t> values, Bytes* out);
void DeltaBinaryPackedEncodeInt64(std::span<const int64_t> values, Bytes* out);

// Decodes one DELTA_BINARY_PACKED stream from the front of `data`. *consumed
// is set to the stream's length in bytes (what follows it starts there).
Status DeltaBinaryPackedDecodeInt32(ByteView data, size_t max_values, std::vector<int32_t>* out,
                                    size_t* consumed);
Status DeltaBinaryPackedDecodeInt64(ByteView data, size_t max_values, std::vector<int64_t>* out,
                                    size_t* consumed);

}  // namespace ipfs_kit::parquet
