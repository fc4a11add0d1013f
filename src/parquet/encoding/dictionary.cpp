// Dictionary builders and index pages. Format: dictionary.h.
#include "dictionary.h"

#include <bit>
#include <string>
#include <type_traits>

#include "bit_util.h"
#include "plain.h"
#include "rle_hybrid.h"

namespace ipfs_kit::parquet {

namespace {

template <typename T>
uint64_t KeyOf(T v) {
  if constexpr (sizeof(T) == 4) {
    return std::bit_cast<uint32_t>(v);
  } else {
    return std::bit_cast<uint64_t>(v);
  }
}

}  // namespace

template <typename T>
uint32_t DictionaryBuilder<T>::Insert(T v) {
  auto [it, inserted] = index_.try_emplace(KeyOf(v), static_cast<uint32_t>(values_.size()));
  if (inserted) values_.push_back(v);
  return it->second;
}

template <typename T>
void DictionaryBuilder<T>::EncodePlain(Bytes* out) const {
  if constexpr (std::is_same_v<T, int32_t>) {
    PlainEncodeInt32(values_, out);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    PlainEncodeInt64(values_, out);
  } else if constexpr (std::is_same_v<T, float>) {
    PlainEncodeFloat(values_, out);
  } else {
    PlainEncodeDouble(values_, out);
  }
}

template class DictionaryBuilder<int32_t>;
template class DictionaryBuilder<int64_t>;
template class DictionaryBuilder<float>;
template class DictionaryBuilder<double>;

uint32_t ByteArrayDictionaryBuilder::Insert(std::string_view v) {
  // C++20 unordered_map has no heterogeneous lookup without a transparent
  // hash, so look up with a temporary key only when needed.
  auto [it, inserted] = index_.try_emplace(std::string(v), static_cast<uint32_t>(values_.size()));
  if (inserted) {
    values_.push_back(it->first);
    plain_size_ += 4 + v.size();
  }
  return it->second;
}

Status ByteArrayDictionaryBuilder::EncodePlain(Bytes* out) const {
  return PlainEncodeByteArrays(values_, out);
}

Status ByteArrayDictionaryBuilder::EncodePlainFixed(size_t type_length, Bytes* out) const {
  return PlainEncodeFixedLenByteArrays(values_, type_length, out);
}

int DictionaryIndexBitWidth(size_t dict_size) {
  return dict_size <= 1 ? 0 : bit_util::BitWidth(static_cast<uint64_t>(dict_size - 1));
}

void EncodeDictionaryIndices(std::span<const uint32_t> indices, size_t dict_size, Bytes* out) {
  int width = DictionaryIndexBitWidth(dict_size);
  RleBitPackedEncoder enc(width);
  for (uint32_t i : indices) enc.Put(i);
  out->push_back(static_cast<uint8_t>(width));
  Append(*out, enc.Finish());
}

Status DecodeDictionaryIndices(ByteView data, size_t n, size_t dict_size,
                               std::vector<uint32_t>* out) {
  if (n == 0) return Status::Ok();
  if (data.empty()) return Status::Corruption("dictionary index data is empty");
  int width = data[0];
  if (width > 32) {
    return Status::Corruption("dictionary index bit width " + std::to_string(width) +
                              " exceeds 32");
  }
  const size_t old_size = out->size();
  out->resize(old_size + n);
  RleBitPackedDecoder dec(data.subspan(1), width);
  Status s = dec.Get(n, out->data() + old_size);
  if (!s.ok()) {
    out->resize(old_size);
    return s.WithContext("dictionary indices");
  }
  for (size_t i = old_size; i < out->size(); ++i) {
    if ((*out)[i] >= dict_size) {
      Status bad = Status::Corruption("dictionary index " + std::to_string((*out)[i]) +
                                      " out of range (size " + std::to_string(dict_size) + ")");
      out->resize(old_size);
      return bad;
    }
  }
  return Status::Ok();
}

}  // namespace ipfs_kit::parquet
