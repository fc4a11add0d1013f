// The Parquet PLAIN encoding (encoding id 0) for every physical type.
//
//   BOOLEAN               bit-packed, LSB first, 1 bit per value
//   INT32 / FLOAT         4 bytes little-endian (FLOAT: IEEE 754 bits)
//   INT64 / DOUBLE        8 bytes little-endian
//   INT96                 12 bytes, kept raw
//   BYTE_ARRAY            4-byte little-endian length, then the bytes
//   FIXED_LEN_BYTE_ARRAY  type_length bytes, no length
//
// Decoders read n values from the front of `data`, APPEND them to *out, and
// set *consumed to the bytes used; they fail with Corruption on truncation
// before touching *out, so a short page never costs more memory than its size.
// Byte-array decoders return views into `data`: keep the page buffer alive
// while they are used.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::parquet {

using Int96 = std::array<uint8_t, 12>;

// Encoders append to *out.
void PlainEncodeBooleans(const std::vector<bool>& values, Bytes* out);
void PlainEncodeInt32(std::span<const int32_t> values, Bytes* out);
void PlainEncodeInt64(std::span<const int64_t> values, Bytes* out);
void PlainEncodeInt96(std::span<const Int96> values, Bytes* out);
void PlainEncodeFloat(std::span<const float> values, Bytes* out);
void PlainEncodeDouble(std::span<const double> values, Bytes* out);
// Fails (InvalidArgument) if a value is longer than 2^31 - 1 bytes.
Status PlainEncodeByteArrays(std::span<const std::string_view> values, Bytes* out);
// Every value must be exactly type_length bytes (InvalidArgument otherwise).
Status PlainEncodeFixedLenByteArrays(std::span<const std::string_view> values, size_t type_length,
                                     Bytes* out);

Status PlainDecodeBooleans(ByteView data, size_t n, std::vector<bool>* out, size_t* consumed);
Status PlainDecodeInt32(ByteView data, size_t n, std::vector<int32_t>* out, size_t* consumed);
Status PlainDecodeInt64(ByteView data, size_t n, std::vector<int64_t>* out, size_t* consumed);
Status PlainDecodeInt96(ByteView data, size_t n, std::vector<Int96>* out, size_t* consumed);
Status PlainDecodeFloat(ByteView data, size_t n, std::vector<float>* out, size_t* consumed);
Status PlainDecodeDouble(ByteView data, size_t n, std::vector<double>* out, size_t* consumed);
// Each value is a view into `data`.
Status PlainDecodeByteArrays(ByteView data, size_t n, std::vector<std::string_view>* out,
                             size_t* consumed);
// type_length must be > 0 (Corruption otherwise: a zero length would let a
// tiny page claim any number of values).
Status PlainDecodeFixedLenByteArrays(ByteView data, size_t n, size_t type_length,
                                     std::vector<std::string_view>* out, size_t* consumed);

}  // namespace ipfs_kit::parquet
