// Small bit-level helpers shared by the Parquet encodings: ULEB128 varints,
// zigzag, bit widths and LSB-first bit packing. Internal to the parquet library.
//
// Readers here never trust their input: every read is checked against the end
// of the buffer and reports failure instead of reading past it.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "ipfs_kit/base/bytes.h"

namespace ipfs_kit::parquet::bit_util {

// Number of bits needed to represent v (0 for v == 0).
inline int BitWidth(uint64_t v) { return v == 0 ? 0 : 64 - std::countl_zero(v); }

inline uint64_t ZigZagEncode64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode64(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

inline void PutUleb128(uint64_t v, Bytes* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<uint8_t>(v));
}

// Reads a ULEB128 varint of at most `max_bytes` bytes (5 for 32-bit values,
// 10 for 64-bit) starting at *pos. Returns false on truncation, on a varint
// longer than max_bytes, or on a value that overflows 64 bits.
inline bool GetUleb128(ByteView data, size_t* pos, uint64_t* v, int max_bytes = 10) {
  uint64_t result = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (*pos >= data.size()) return false;
    uint8_t b = data[(*pos)++];
    if (i == 9 && (b & 0x7e) != 0) return false;  // bits beyond 64
    result |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

inline uint64_t LoadLE(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

inline void StoreLE(uint64_t v, size_t n, Bytes* out) {
  for (size_t i = 0; i < n; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Reads the `width`-bit (0..64) value that starts at bit `bit_offset` of `p`,
// LSB first. The caller guarantees that bytes up to
// ceil((bit_offset + width) / 8) are readable.
inline uint64_t UnpackAt(const uint8_t* p, uint64_t bit_offset, int width) {
  if (width == 0) return 0;
  const uint8_t* b = p + (bit_offset >> 3);
  int shift = static_cast<int>(bit_offset & 7);
  int nbytes = (shift + width + 7) >> 3;  // 1..9
  uint64_t lo = LoadLE(b, nbytes > 8 ? 8 : static_cast<size_t>(nbytes)) >> shift;
  if (nbytes > 8) lo |= static_cast<uint64_t>(b[8]) << (64 - shift);
  if (width < 64) lo &= (uint64_t{1} << width) - 1;
  return lo;
}

// Appends values LSB first with a fixed bit width; Flush() pads the last byte
// with zero bits.
class BitWriter {
 public:
  explicit BitWriter(Bytes* out) : out_(out) {}
  void Put(uint64_t v, int width) {
    if (width < 64) v &= (uint64_t{1} << width) - 1;
    while (width > 0) {
      int take = 8 - used_;
      if (take > width) take = width;
      cur_ |= static_cast<uint8_t>((v & ((1u << take) - 1)) << used_);
      v >>= take;
      width -= take;
      used_ += take;
      if (used_ == 8) {
        out_->push_back(cur_);
        cur_ = 0;
        used_ = 0;
      }
    }
  }
  void Flush() {
    if (used_ > 0) {
      out_->push_back(cur_);
      cur_ = 0;
      used_ = 0;
    }
  }

 private:
  Bytes* out_;
  uint8_t cur_ = 0;
  int used_ = 0;
};

}  // namespace ipfs_kit::parquet::bit_util
