// PLAIN encoding. Format: plain.h.
#include "plain.h"

#include <bit>
#include <cstring>
#include <string>

#include "bit_util.h"

namespace ipfs_kit::parquet {

namespace {

template <typename T, typename U>
void EncodeFixed(std::span<const T> values, Bytes* out) {
  static_assert(sizeof(T) == sizeof(U));
  out->reserve(out->size() + values.size() * sizeof(T));
  for (const T& v : values) bit_util::StoreLE(std::bit_cast<U>(v), sizeof(T), out);
}

Status Truncated(const char* type, size_t n, size_t need, size_t have) {
  return Status::Corruption(std::string("PLAIN ") + type + " data truncated: " +
                            std::to_string(n) + " values need " + std::to_string(need) +
                            " bytes, page has " + std::to_string(have));
}

template <typename T, typename U>
Status DecodeFixed(const char* type, ByteView data, size_t n, std::vector<T>* out,
                   size_t* consumed) {
  static_assert(sizeof(T) == sizeof(U));
  if (n > data.size() / sizeof(T)) {
    return Truncated(type, n, n > SIZE_MAX / sizeof(T) ? SIZE_MAX : n * sizeof(T), data.size());
  }
  out->reserve(out->size() + n);
  const uint8_t* p = data.data();
  for (size_t i = 0; i < n; ++i, p += sizeof(T)) {
    out->push_back(std::bit_cast<T>(static_cast<U>(bit_util::LoadLE(p, sizeof(T)))));
  }
  *consumed = n * sizeof(T);
  return Status::Ok();
}

}  // namespace

void PlainEncodeBooleans(const std::vector<bool>& values, Bytes* out) {
  bit_util::BitWriter w(out);
  for (bool b : values) w.Put(b ? 1 : 0, 1);
  w.Flush();
}

void PlainEncodeInt32(std::span<const int32_t> values, Bytes* out) {
  EncodeFixed<int32_t, uint32_t>(values, out);
}
void PlainEncodeInt64(std::span<const int64_t> values, Bytes* out) {
  EncodeFixed<int64_t, uint64_t>(values, out);
}
void PlainEncodeFloat(std::span<const float> values, Bytes* out) {
  EncodeFixed<float, uint32_t>(values, out);
}
void PlainEncodeDouble(std::span<const double> values, Bytes* out) {
  EncodeFixed<double, uint64_t>(values, out);
}
void PlainEncodeInt96(std::span<const Int96> values, Bytes* out) {
  for (const Int96& v : values) out->insert(out->end(), v.begin(), v.end());
}

Status PlainEncodeByteArrays(std::span<const std::string_view> values, Bytes* out) {
  for (std::string_view v : values) {
    if (v.size() > 0x7fffffffu) {
      return Status::InvalidArgument("BYTE_ARRAY value of " + std::to_string(v.size()) +
                                     " bytes is too long for PLAIN");
    }
  }
  for (std::string_view v : values) {
    bit_util::StoreLE(v.size(), 4, out);
    Append(*out, AsBytes(v));
  }
  return Status::Ok();
}

Status PlainEncodeFixedLenByteArrays(std::span<const std::string_view> values, size_t type_length,
                                     Bytes* out) {
  for (std::string_view v : values) {
    if (v.size() != type_length) {
      return Status::InvalidArgument("FIXED_LEN_BYTE_ARRAY value of " + std::to_string(v.size()) +
                                     " bytes, type length is " + std::to_string(type_length));
    }
  }
  for (std::string_view v : values) Append(*out, AsBytes(v));
  return Status::Ok();
}

Status PlainDecodeBooleans(ByteView data, size_t n, std::vector<bool>* out, size_t* consumed) {
  size_t need = n / 8 + (n % 8 != 0 ? 1 : 0);
  if (need > data.size()) return Truncated("BOOLEAN", n, need, data.size());
  out->reserve(out->size() + n);
  for (size_t i = 0; i < n; ++i) out->push_back(((data[i >> 3] >> (i & 7)) & 1) != 0);
  *consumed = need;
  return Status::Ok();
}

Status PlainDecodeInt32(ByteView data, size_t n, std::vector<int32_t>* out, size_t* consumed) {
  return DecodeFixed<int32_t, uint32_t>("INT32", data, n, out, consumed);
}
Status PlainDecodeInt64(ByteView data, size_t n, std::vector<int64_t>* out, size_t* consumed) {
  return DecodeFixed<int64_t, uint64_t>("INT64", data, n, out, consumed);
}
Status PlainDecodeFloat(ByteView data, size_t n, std::vector<float>* out, size_t* consumed) {
  return DecodeFixed<float, uint32_t>("FLOAT", data, n, out, consumed);
}
Status PlainDecodeDouble(ByteView data, size_t n, std::vector<double>* out, size_t* consumed) {
  return DecodeFixed<double, uint64_t>("DOUBLE", data, n, out, consumed);
}

Status PlainDecodeInt96(ByteView data, size_t n, std::vector<Int96>* out, size_t* consumed) {
  if (n > data.size() / 12) return Truncated("INT96", n, n > SIZE_MAX / 12 ? SIZE_MAX : n * 12, data.size());
  out->reserve(out->size() + n);
  for (size_t i = 0; i < n; ++i) {
    Int96 v;
    std::memcpy(v.data(), data.data() + 12 * i, 12);
    out->push_back(v);
  }
  *consumed = n * 12;
  return Status::Ok();
}

Status PlainDecodeByteArrays(ByteView data, size_t n, std::vector<std::string_view>* out,
                             size_t* consumed) {
  // Every value takes at least its 4-byte length, which bounds n before any
  // allocation.
  if (n > data.size() / 4) {
    return Status::Corruption("PLAIN BYTE_ARRAY data truncated: " + std::to_string(n) +
                              " values need at least " + std::to_string(n) + " length prefixes, page has " +
                              std::to_string(data.size()) + " bytes");
  }
  size_t old_size = out->size();
  out->reserve(old_size + n);
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    if (data.size() - pos < 4) {
      out->resize(old_size);
      return Status::Corruption("PLAIN BYTE_ARRAY length of value " + std::to_string(i) +
                                " at offset " + std::to_string(pos) + " is truncated");
    }
    uint64_t len = bit_util::LoadLE(data.data() + pos, 4);
    pos += 4;
    if (len > data.size() - pos) {
      out->resize(old_size);
      return Status::Corruption("PLAIN BYTE_ARRAY value " + std::to_string(i) + " of " +
                                std::to_string(len) + " bytes at offset " + std::to_string(pos) +
                                " overruns the page (" + std::to_string(data.size() - pos) +
                                " bytes left)");
    }
    out->push_back(AsString(data.subspan(pos, static_cast<size_t>(len))));
    pos += static_cast<size_t>(len);
  }
  *consumed = pos;
  return Status::Ok();
}

Status PlainDecodeFixedLenByteArrays(ByteView data, size_t n, size_t type_length,
                                     std::vector<std::string_view>* out, size_t* consumed) {
  if (type_length == 0) {
    return Status::Corruption("FIXED_LEN_BYTE_ARRAY type length is 0");
  }
  if (n > data.size() / type_length) {
    return Status::Corruption("PLAIN FIXED_LEN_BYTE_ARRAY data truncated: " + std::to_string(n) +
                              " values of " + std::to_string(type_length) + " bytes, page has " +
                              std::to_string(data.size()));
  }
  out->reserve(out->size() + n);
  for (size_t i = 0; i < n; ++i) out->push_back(AsString(data.subspan(i * type_length, type_length)));
  *consumed = n * type_length;
  return Status::Ok();
}

}  // namespace ipfs_kit::parquet
