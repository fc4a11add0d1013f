// DELTA_BINARY_PACKED encoder and bounded decoder. Format: delta_binary_packed.h.
#include "delta_binary_packed.h"

#include <algorithm>
#include <string>
#include <type_traits>

#include "bit_util.h"

namespace ipfs_kit::parquet {

namespace {

constexpr uint64_t kBlockSize = 128;
constexpr uint64_t kMiniblocks = 4;
constexpr uint64_t kValuesPerMiniblock = kBlockSize / kMiniblocks;
// Upper bound on a block size read from a file; keeps every size computation
// far from overflow. (Writers use 128 or a small multiple.)
constexpr uint64_t kMaxBlockSize = uint64_t{1} << 24;

template <typename T>
void Encode(std::span<const T> values, Bytes* out) {
  using UT = std::make_unsigned_t<T>;
  bit_util::PutUleb128(kBlockSize, out);
  bit_util::PutUleb128(kMiniblocks, out);
  bit_util::PutUleb128(values.size(), out);
  bit_util::PutUleb128(bit_util::ZigZagEncode64(values.empty() ? 0 : values[0]), out);
  if (values.size() <= 1) return;

  T deltas[kBlockSize];
  size_t i = 1;
  while (i < values.size()) {
    size_t count = std::min<size_t>(kBlockSize, values.size() - i);
    T min_delta = 0;
    for (size_t j = 0; j < count; ++j) {
      deltas[j] = static_cast<T>(static_cast<UT>(values[i + j]) - static_cast<UT>(values[i + j - 1]));
      if (j == 0 || deltas[j] < min_delta) min_delta = deltas[j];
    }
    bit_util::PutUleb128(bit_util::ZigZagEncode64(min_delta), out);
    int widths[kMiniblocks] = {};
    for (size_t m = 0; m < kMiniblocks; ++m) {
      size_t begin = m * kValuesPerMiniblock;
      UT max_adj = 0;
      for (size_t j = begin; j < std::min<size_t>(count, begin + kValuesPerMiniblock); ++j) {
        max_adj = std::max<UT>(max_adj, static_cast<UT>(static_cast<UT>(deltas[j]) - static_cast<UT>(min_delta)));
      }
      widths[m] = bit_util::BitWidth(max_adj);
      out->push_back(static_cast<uint8_t>(widths[m]));
    }
    bit_util::BitWriter w(out);
    for (size_t m = 0; m < kMiniblocks; ++m) {
      size_t begin = m * kValuesPerMiniblock;
      if (begin >= count) break;  // miniblocks after the last value are omitted
      for (size_t j = begin; j < begin + kValuesPerMiniblock; ++j) {
        UT adj = j < count ? static_cast<UT>(static_cast<UT>(deltas[j]) - static_cast<UT>(min_delta)) : 0;
        w.Put(adj, widths[m]);
      }
      w.Flush();  // 32 values: always byte aligned already
    }
    i += count;
  }
}

Status Bad(const std::string& what) {
  return Status::Corruption("DELTA_BINARY_PACKED " + what);
}

template <typename T>
Status Decode(ByteView data, size_t max_values, std::vector<T>* out, size_t* consumed) {
  using UT = std::make_unsigned_t<T>;
  constexpr uint64_t kMaxWidth = sizeof(T) * 8;
  size_t pos = 0;
  uint64_t block_size = 0, miniblocks = 0, total = 0, first_zz = 0;
  if (!bit_util::GetUleb128(data, &pos, &block_size)) return Bad("header: block size truncated");
  if (block_size == 0 || block_size % 128 != 0 || block_size > kMaxBlockSize) {
    return Bad("header: block size " + std::to_string(block_size) +
               " is not a positive multiple of 128 (at most " + std::to_string(kMaxBlockSize) + ")");
  }
  if (!bit_util::GetUleb128(data, &pos, &miniblocks)) return Bad("header: miniblock count truncated");
  if (miniblocks == 0 || block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return Bad("header: " + std::to_string(miniblocks) + " miniblocks do not divide block size " +
               std::to_string(block_size) + " into multiples of 32 values");
  }
  const uint64_t per_mb = block_size / miniblocks;
  if (!bit_util::GetUleb128(data, &pos, &total)) return Bad("header: value count truncated");
  if (total > max_values) {
    return Bad("header claims " + std::to_string(total) + " values, at most " +
               std::to_string(max_values) + " expected");
  }
  if (!bit_util::GetUleb128(data, &pos, &first_zz)) return Bad("header: first value truncated");
  if (total == 0) {
    *consumed = pos;
    return Status::Ok();
  }

  const size_t old_size = out->size();
  auto fail = [&](const std::string& what) {
    out->resize(old_size);
    return Bad(what);
  };
  out->reserve(old_size + static_cast<size_t>(total));
  UT last = static_cast<UT>(bit_util::ZigZagDecode64(first_zz));
  out->push_back(static_cast<T>(last));
  uint64_t remaining = total - 1;
  while (remaining > 0) {
    uint64_t min_zz = 0;
    size_t block_at = pos;
    if (!bit_util::GetUleb128(data, &pos, &min_zz)) {
      return fail("block at offset " + std::to_string(block_at) + ": min delta truncated");
    }
    const UT min_delta = static_cast<UT>(bit_util::ZigZagDecode64(min_zz));
    if (miniblocks > data.size() - pos) {
      return fail("block at offset " + std::to_string(block_at) + ": miniblock bit widths truncated");
    }
    const uint8_t* widths = data.data() + pos;
    pos += static_cast<size_t>(miniblocks);
    for (uint64_t m = 0; m < miniblocks && remaining > 0; ++m) {
      const int w = widths[m];
      if (static_cast<uint64_t>(w) > kMaxWidth) {
        return fail("miniblock bit width " + std::to_string(w) + " exceeds " +
                    std::to_string(kMaxWidth));
      }
      const uint64_t take = std::min(per_mb, remaining);
      const uint64_t mb_bytes = per_mb * static_cast<uint64_t>(w) / 8;
      const size_t left = data.size() - pos;
      uint64_t advance = mb_bytes;
      if (mb_bytes > left) {
        // Tolerate a final miniblock whose padding was cut off at the end of
        // the data, as long as every needed value is present.
        uint64_t needed = (take * static_cast<uint64_t>(w) + 7) / 8;
        if (take != remaining || needed > left) {
          return fail("miniblock at offset " + std::to_string(pos) + " needs " +
                      std::to_string(mb_bytes) + " bytes, " + std::to_string(left) + " remain");
        }
        advance = left;
      }
      const uint8_t* p = data.data() + pos;
      for (uint64_t j = 0; j < take; ++j) {
        UT adj = static_cast<UT>(bit_util::UnpackAt(p, j * static_cast<uint64_t>(w), w));
        last = static_cast<UT>(last + min_delta + adj);
        out->push_back(static_cast<T>(last));
      }
      pos += static_cast<size_t>(advance);
      remaining -= take;
    }
  }
  *consumed = pos;
  return Status::Ok();
}

}  // namespace

void DeltaBinaryPackedEncodeInt32(std::span<const int32_t> values, Bytes* out) {
  Encode<int32_t>(values, out);
}
void DeltaBinaryPackedEncodeInt64(std::span<const int64_t> values, Bytes* out) {
  Encode<int64_t>(values, out);
}

Status DeltaBinaryPackedDecodeInt32(ByteView data, size_t max_values, std::vector<int32_t>* out,
                                    size_t* consumed) {
  return Decode<int32_t>(data, max_values, out, consumed);
}
Status DeltaBinaryPackedDecodeInt64(ByteView data, size_t max_values, std::vector<int64_t>* out,
                                    size_t* consumed) {
  return Decode<int64_t>(data, max_values, out, consumed);
}

}  // namespace ipfs_kit::parquet
