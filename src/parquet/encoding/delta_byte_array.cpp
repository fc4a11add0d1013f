// DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY. Format: delta_byte_array.h.
#include "delta_byte_array.h"

#include <algorithm>

#include "delta_binary_packed.h"

namespace ipfs_kit::parquet {

namespace {

constexpr size_t kMaxValueLength = 0x7fffffff;

Status CheckLengths(std::span<const std::string_view> values, const char* encoding) {
  for (std::string_view v : values) {
    if (v.size() > kMaxValueLength) {
      return Status::InvalidArgument(std::string(encoding) + " value of " +
                                     std::to_string(v.size()) + " bytes is too long");
    }
  }
  return Status::Ok();
}

}  // namespace

Status DeltaLengthByteArrayEncode(std::span<const std::string_view> values, Bytes* out) {
  RETURN_IF_ERROR(CheckLengths(values, "DELTA_LENGTH_BYTE_ARRAY"));
  std::vector<int32_t> lengths;
  lengths.reserve(values.size());
  for (std::string_view v : values) lengths.push_back(static_cast<int32_t>(v.size()));
  DeltaBinaryPackedEncodeInt32(lengths, out);
  for (std::string_view v : values) Append(*out, AsBytes(v));
  return Status::Ok();
}

Status DeltaLengthByteArrayDecode(ByteView data, size_t max_values,
                                  std::vector<std::string_view>* out, size_t* consumed) {
  std::vector<int32_t> lengths;
  size_t pos = 0;
  Status s = DeltaBinaryPackedDecodeInt32(data, max_values, &lengths, &pos);
  if (!s.ok()) return s.WithContext("DELTA_LENGTH_BYTE_ARRAY lengths");
  uint64_t total = 0;
  for (size_t i = 0; i < lengths.size(); ++i) {
    if (lengths[i] < 0) {
      return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY value " + std::to_string(i) +
                                " has negative length " + std::to_string(lengths[i]));
    }
    total += static_cast<uint64_t>(lengths[i]);
  }
  if (total > data.size() - pos) {
    return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY values need " + std::to_string(total) +
                              " bytes, " + std::to_string(data.size() - pos) + " remain");
  }
  out->reserve(out->size() + lengths.size());
  for (int32_t len : lengths) {
    out->push_back(AsString(data.subspan(pos, static_cast<size_t>(len))));
    pos += static_cast<size_t>(len);
  }
  *consumed = pos;
  return Status::Ok();
}

Status DeltaByteArrayEncode(std::span<const std::string_view> values, Bytes* out) {
  RETURN_IF_ERROR(CheckLengths(values, "DELTA_BYTE_ARRAY"));
  std::vector<int32_t> prefixes;
  std::vector<std::string_view> suffixes;
  prefixes.reserve(values.size());
  suffixes.reserve(values.size());
  std::string_view prev;
  for (std::string_view v : values) {
    size_t limit = std::min(prev.size(), v.size());
    size_t p = 0;
    while (p < limit && prev[p] == v[p]) ++p;
    prefixes.push_back(static_cast<int32_t>(p));
    suffixes.push_back(v.substr(p));
    prev = v;
  }
  DeltaBinaryPackedEncodeInt32(prefixes, out);
  return DeltaLengthByteArrayEncode(suffixes, out);
}

Status DeltaByteArrayDecode(ByteView data, size_t max_values, std::vector<std::string>* out,
                            size_t* consumed, size_t max_total_bytes) {
  std::vector<int32_t> prefixes;
  size_t pos = 0;
  Status s = DeltaBinaryPackedDecodeInt32(data, max_values, &prefixes, &pos);
  if (!s.ok()) return s.WithContext("DELTA_BYTE_ARRAY prefix lengths");
  std::vector<std::string_view> suffixes;
  size_t suffix_bytes = 0;
  RETURN_IF_ERROR(DeltaLengthByteArrayDecode(data.subspan(pos), max_values, &suffixes, &suffix_bytes)
                      .WithContext("DELTA_BYTE_ARRAY suffixes"));
  if (suffixes.size() != prefixes.size()) {
    return Status::Corruption("DELTA_BYTE_ARRAY has " + std::to_string(prefixes.size()) +
                              " prefix lengths but " + std::to_string(suffixes.size()) +
                              " suffixes");
  }
  // Check every size before building any value.
  uint64_t total = 0;
  uint64_t prev_len = 0;
  for (size_t i = 0; i < prefixes.size(); ++i) {
    if (prefixes[i] < 0 || static_cast<uint64_t>(prefixes[i]) > prev_len) {
      return Status::Corruption("DELTA_BYTE_ARRAY value " + std::to_string(i) + " prefix length " +
                                std::to_string(prefixes[i]) + " exceeds the previous value's " +
                                std::to_string(prev_len) + " bytes");
    }
    prev_len = static_cast<uint64_t>(prefixes[i]) + suffixes[i].size();
    total += prev_len;
    if (total > max_total_bytes) {
      return Status::Corruption("DELTA_BYTE_ARRAY values exceed " +
                                std::to_string(max_total_bytes) + " bytes in total");
    }
  }
  const size_t base = out->size();
  out->reserve(base + prefixes.size());
  for (size_t i = 0; i < prefixes.size(); ++i) {
    std::string v;
    v.reserve(static_cast<size_t>(prefixes[i]) + suffixes[i].size());
    if (prefixes[i] > 0) v.append((*out)[base + i - 1], 0, static_cast<size_t>(prefixes[i]));
    v.append(suffixes[i]);
    out->push_back(std::move(v));
  }
  *consumed = pos + suffix_bytes;
  return Status::Ok();
}

}  // namespace ipfs_kit::parquet
