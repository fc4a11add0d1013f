// Dictionary encoding: building a column chunk's dictionary (writer side) and
// the RLE_DICTIONARY / PLAIN_DICTIONARY data page indices (both sides).
//
// The dictionary page body is the dictionary's values in PLAIN encoding. A
// data page body is one byte holding the index bit width (0..32), then the
// indices in the RLE / bit-packed hybrid (rle_hybrid.h) with that width.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::parquet {

// Maps each distinct value to its index, in order of first appearance.
// T is int32_t, int64_t, float or double. Floating-point values are compared
// by bit pattern, so 0.0 and -0.0 are distinct entries and NaN is one entry per
// NaN payload.
template <typename T>
class DictionaryBuilder {
 public:
  // Returns v's index, adding v if it is new.
  uint32_t Insert(T v);
  size_t size() const { return values_.size(); }
  const std::vector<T>& values() const { return values_; }
  // Size of the PLAIN dictionary page body (writers fall back to PLAIN when a
  // dictionary grows too large).
  size_t plain_size() const { return values_.size() * sizeof(T); }
  // Appends the dictionary page body: the values, PLAIN encoded.
  void EncodePlain(Bytes* out) const;

 private:
  std::unordered_map<uint64_t, uint32_t> index_;  // keyed by the value's bits
  std::vector<T> values_;
};

extern template class DictionaryBuilder<int32_t>;
extern template class DictionaryBuilder<int64_t>;
extern template class DictionaryBuilder<float>;
extern template class DictionaryBuilder<double>;

// BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY dictionary. Values are copied in.
class ByteArrayDictionaryBuilder {
 public:
  uint32_t Insert(std::string_view v);
  size_t size() const { return values_.size(); }
  // Views into the builder's own copies; valid while the builder lives.
  const std::vector<std::string_view>& values() const { return values_; }
  // Size of the PLAIN BYTE_ARRAY dictionary page body (4 + length per value).
  size_t plain_size() const { return plain_size_; }
  // Appends the dictionary page body: PLAIN BYTE_ARRAY values.
  Status EncodePlain(Bytes* out) const;
  // Appends the dictionary page body for FIXED_LEN_BYTE_ARRAY(type_length)
  // (every value must have that length).
  Status EncodePlainFixed(size_t type_length, Bytes* out) const;

 private:
  std::unordered_map<std::string, uint32_t> index_;  // node keys never move
  std::vector<std::string_view> values_;
  size_t plain_size_ = 0;
};

// Bit width of indices into a dictionary of dict_size entries (0 for 0 or 1
// entries).
int DictionaryIndexBitWidth(size_t dict_size);

// Appends a data page body: the bit-width byte, then the indices RLE/bit-packed.
void EncodeDictionaryIndices(std::span<const uint32_t> indices, size_t dict_size, Bytes* out);

// Decodes n indices from a data page body and APPENDS them to *out. Fails with
// Corruption on an empty body, a bit width > 32, malformed or short RLE data,
// or "dictionary index N out of range (size M)"; *out is unchanged on failure.
// n comes from the page header and must be bounded by the caller (with bit
// width 0 a few bytes describe any number of indices).
Status DecodeDictionaryIndices(ByteView data, size_t n, size_t dict_size, std::vector<uint32_t>* out);

// out[i] = dictionary[indices[i]], appended; checks every index.
template <typename T>
Status DictionaryGather(std::span<const T> dictionary, std::span<const uint32_t> indices,
                        std::vector<T>* out) {
  for (uint32_t i : indices) {
    if (i >= dictionary.size()) {
      return Status::Corruption("dictionary index " + std::to_string(i) + " out of range (size " +
                                std::to_string(dictionary.size()) + ")");
    }
  }
  out->reserve(out->size() + indices.size());
  for (uint32_t i : indices) out->push_back(dictionary[i]);
  return Status::Ok();
}

}  // namespace ipfs_kit::parquet
