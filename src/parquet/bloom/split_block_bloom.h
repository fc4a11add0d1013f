// Parquet split-block bloom filter (parquet-format BloomFilter.md): the
// BLOCK algorithm, XXHASH hash, UNCOMPRESSED.
//
// The bitset is an array of 32-byte blocks, each 8 little-endian uint32 words.
// A value is hashed with XXH64 (seed 0) over its PLAIN encoding, without the
// 4-byte length prefix for BYTE_ARRAY. The hash's upper 32 bits pick the block
// (((hash >> 32) * num_blocks) >> 32); its lower 32 bits, multiplied by eight
// odd SALT constants, set one bit in each of the block's words.
//
// This class is only the bitset; the BloomFilterHeader (thrift) that precedes
// it in a file is written and read by the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::parquet {

class SplitBlockBloomFilter {
 public:
  static constexpr size_t kBytesPerBlock = 32;
  static constexpr size_t kMinBytes = 32;
  static constexpr size_t kMaxBytes = size_t{128} << 20;  // 128 MiB

  // Bits the spec's formula asks for: -8 * ndv / ln(1 - fpp^(1/8)).
  static double OptimalNumBits(uint64_t ndv, double fpp);
  // OptimalNumBits / 8 rounded up to a power of two, clamped to
  // [kMinBytes, kMaxBytes].
  static size_t OptimalNumBytes(uint64_t ndv, double fpp);

  // An empty filter of OptimalNumBytes(ndv, fpp) bytes. fpp is clamped into
  // [1e-10, 0.99] (NaN counts as 0.01).
  static SplitBlockBloomFilter WithNdvFpp(uint64_t ndv, double fpp);
  // An empty filter of num_bytes bytes, rounded up to a power of two and
  // clamped to [kMinBytes, kMaxBytes].
  static SplitBlockBloomFilter WithNumBytes(size_t num_bytes);
  // A filter over a bitset read from a file. Its size must be a multiple of 32
  // bytes between kMinBytes and kMaxBytes (Corruption otherwise).
  static Result<SplitBlockBloomFilter> FromBytes(ByteView bitset);

  void InsertHash(uint64_t hash);
  bool MayContainHash(uint64_t hash) const;

  // XXH64 (seed 0) of a value's PLAIN encoding (for BYTE_ARRAY: the bytes
  // only, no length prefix).
  static uint64_t Hash(ByteView plain_value_bytes);
  static uint64_t Hash(std::string_view byte_array) { return Hash(AsBytes(byte_array)); }
  static uint64_t HashInt32(int32_t v);
  static uint64_t HashInt64(int64_t v);
  static uint64_t HashFloat(float v);
  static uint64_t HashDouble(double v);

  // The bitset, as written after the BloomFilterHeader.
  const Bytes& bytes() const { return bits_; }
  size_t num_blocks() const { return bits_.size() / kBytesPerBlock; }

 private:
  explicit SplitBlockBloomFilter(Bytes bits) : bits_(std::move(bits)) {}
  Bytes bits_;
};

}  // namespace ipfs_kit::parquet
