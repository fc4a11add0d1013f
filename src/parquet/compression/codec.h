// Page compression codecs. Numbering is parquet-format's CompressionCodec enum
// (thrift), so a value read from a ColumnMetaData can be cast directly.
//
// Supported: UNCOMPRESSED, SNAPPY (raw snappy blocks, not framed) and ZSTD.
// Others (GZIP, LZO, BROTLI, LZ4, LZ4_RAW) return Status::Unsupported naming
// the codec.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::parquet {

enum class CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7,
};

// Largest page (compressed or uncompressed) handled: 1 GiB.
inline constexpr size_t kMaxPageBytes = size_t{1} << 30;

// "SNAPPY", "ZSTD", ..., or "codec 42" for a number outside the enum.
std::string CompressionCodecName(CompressionCodec codec);

// Replaces *out with `in` compressed. zstd_level is used by kZstd only.
Status Compress(CompressionCodec codec, ByteView in, Bytes* out, int zstd_level = 3);

// Replaces *out with `in` decompressed, which must be exactly
// uncompressed_size bytes (from the page header); Corruption otherwise, or if
// `in` is malformed. uncompressed_size above kMaxPageBytes is refused before
// anything is allocated.
Status Decompress(CompressionCodec codec, ByteView in, size_t uncompressed_size, Bytes* out);

}  // namespace ipfs_kit::parquet
