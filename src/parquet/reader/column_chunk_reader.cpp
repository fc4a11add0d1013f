#include "reader/column_chunk_reader.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "compression/codec.h"
#include "encoding/delta_binary_packed.h"
#include "encoding/delta_byte_array.h"
#include "encoding/dictionary.h"
#include "encoding/plain.h"
#include "encoding/rle_hybrid.h"

namespace ipfs_kit::parquet {
namespace {

using format::Encoding;
using format::PageType;

class ChunkDecoder {
 public:
  ChunkDecoder(const Column& column, const format::ColumnMetaData& md, const std::string& where)
      : column_(column), md_(md), where_(where) {
    out_.type = column.type;
  }

  Status Fail(const std::string& what) const { return Status::Corruption(where_ + ": " + what); }
  Status Wrap(const Status& s) const { return s.ok() ? s : Status(s.code(), where_ + ": " + s.message()); }

  Status DecodeDictionaryPage(ByteView page, int32_t count) {
    if (dict_present_) return Fail("second dictionary page");
    if (count < 0) return Fail("negative dictionary size");
    if (column_.type == PhysicalType::kBoolean || column_.type == PhysicalType::kInt96) {
      return Fail(std::string("dictionary page for a ") + PhysicalTypeName(column_.type) +
                  " column");
    }
    dict_.type = column_.type;
    RETURN_IF_ERROR(DecodePlain(page, static_cast<size_t>(count), &dict_));
    dict_present_ = true;
    return Status::Ok();
  }

  // PLAIN-decodes `n` values of the column's type, appending to *out.
  Status DecodePlain(ByteView data, size_t n, ColumnValues* out) const {
    size_t used = 0;
    Status s;
    switch (column_.type) {
      case PhysicalType::kBoolean: {
        std::vector<bool> b;
        s = PlainDecodeBooleans(data, n, &b, &used);
        for (bool v : b) out->bools.push_back(v);
        break;
      }
      case PhysicalType::kInt32: s = PlainDecodeInt32(data, n, &out->i32, &used); break;
      case PhysicalType::kInt64: s = PlainDecodeInt64(data, n, &out->i64, &used); break;
      case PhysicalType::kFloat: s = PlainDecodeFloat(data, n, &out->f32, &used); break;
      case PhysicalType::kDouble: s = PlainDecodeDouble(data, n, &out->f64, &used); break;
      case PhysicalType::kInt96: {
        std::vector<Int96> v;
        s = PlainDecodeInt96(data, n, &v, &used);
        for (const auto& x : v) out->bytes.emplace_back(reinterpret_cast<const char*>(x.data()), 12);
        break;
      }
      case PhysicalType::kByteArray:
      case PhysicalType::kFixedLenByteArray: {
        std::vector<std::string_view> views;
        s = column_.type == PhysicalType::kByteArray
                ? PlainDecodeByteArrays(data, n, &views, &used)
                : PlainDecodeFixedLenByteArrays(data, n, column_.type_length, &views, &used);
        for (auto v : views) out->bytes.emplace_back(v);
        break;
      }
    }
    return Wrap(s);
  }

  // Decodes `n` non-null values from `data` with `encoding`, appending to out_.
  Status DecodeValues(ByteView data, Encoding encoding, size_t n) {
    if (n == 0) return Status::Ok();
    size_t used = 0;
    if (encoding == Encoding::RLE_DICTIONARY || encoding == Encoding::PLAIN_DICTIONARY) {
      if (!dict_present_) return Fail("dictionary-encoded page without a dictionary page");
      std::vector<uint32_t> idx;
      RETURN_IF_ERROR(Wrap(DecodeDictionaryIndices(data, n, dict_.value_count(), &idx)));
      switch (column_.type) {
        case PhysicalType::kInt32:
          return Wrap(DictionaryGather<int32_t>(dict_.i32, idx, &out_.i32));
        case PhysicalType::kInt64:
          return Wrap(DictionaryGather<int64_t>(dict_.i64, idx, &out_.i64));
        case PhysicalType::kFloat:
          return Wrap(DictionaryGather<float>(dict_.f32, idx, &out_.f32));
        case PhysicalType::kDouble:
          return Wrap(DictionaryGather<double>(dict_.f64, idx, &out_.f64));
        case PhysicalType::kByteArray:
        case PhysicalType::kFixedLenByteArray:
          return Wrap(DictionaryGather<std::string>(dict_.bytes, idx, &out_.bytes));
        default:
          return Fail("dictionary encoding on a " + std::string(PhysicalTypeName(column_.type)) +
                      " column");
      }
    }
    if (encoding == Encoding::PLAIN) return DecodePlain(data, n, &out_);
    if (encoding == Encoding::DELTA_BINARY_PACKED) {
      size_t before;
      if (column_.type == PhysicalType::kInt32) {
        before = out_.i32.size();
        RETURN_IF_ERROR(Wrap(DeltaBinaryPackedDecodeInt32(data, n, &out_.i32, &used)));
        if (out_.i32.size() - before != n) return Fail("DELTA_BINARY_PACKED value count mismatch");
        return Status::Ok();
      }
      if (column_.type == PhysicalType::kInt64) {
        before = out_.i64.size();
        RETURN_IF_ERROR(Wrap(DeltaBinaryPackedDecodeInt64(data, n, &out_.i64, &used)));
        if (out_.i64.size() - before != n) return Fail("DELTA_BINARY_PACKED value count mismatch");
        return Status::Ok();
      }
      return Fail("DELTA_BINARY_PACKED on a non-integer column");
    }
    const bool bytes_col = column_.type == PhysicalType::kByteArray ||
                           column_.type == PhysicalType::kFixedLenByteArray;
    if (encoding == Encoding::DELTA_LENGTH_BYTE_ARRAY && column_.type == PhysicalType::kByteArray) {
      std::vector<std::string_view> v;
      RETURN_IF_ERROR(Wrap(DeltaLengthByteArrayDecode(data, n, &v, &used)));
      if (v.size() != n) return Fail("DELTA_LENGTH_BYTE_ARRAY value count mismatch");
      for (auto x : v) out_.bytes.emplace_back(x);
      return Status::Ok();
    }
    if (encoding == Encoding::DELTA_BYTE_ARRAY && bytes_col) {
      std::vector<std::string> v;
      RETURN_IF_ERROR(Wrap(DeltaByteArrayDecode(data, n, &v, &used)));
      if (v.size() != n) return Fail("DELTA_BYTE_ARRAY value count mismatch");
      for (auto& x : v) {
        if (column_.type == PhysicalType::kFixedLenByteArray &&
            x.size() != static_cast<size_t>(column_.type_length)) {
          return Fail("DELTA_BYTE_ARRAY value of the wrong length in a fixed-length column");
        }
        out_.bytes.push_back(std::move(x));
      }
      return Status::Ok();
    }
    if (encoding == Encoding::RLE && column_.type == PhysicalType::kBoolean) {
      // Booleans as RLE (data page v2 writers): 4-byte length, bit width 1.
      size_t consumed = 0;
      ASSIGN_OR_RETURN(ByteView rle, ReadLengthPrefixed(data, &consumed));
      RleBitPackedDecoder dec(rle, 1);
      std::vector<uint32_t> v(n);
      RETURN_IF_ERROR(Wrap(dec.Get(n, v.data())));
      for (uint32_t x : v) out_.bools.push_back(x != 0);
      return Status::Ok();
    }
    return Fail(std::string("unsupported encoding ") +
                format::EncodingName(encoding));
  }

  // Definition levels for `num_values` slots; appends to out_.defined and
  // returns how many are defined.
  Result<size_t> DecodeLevels(ByteView rle, size_t num_values) {
    RleBitPackedDecoder dec(rle, 1);
    std::vector<uint32_t> levels(num_values);
    RETURN_IF_ERROR(Wrap(dec.Get(num_values, levels.data())));
    size_t defined = 0;
    for (uint32_t l : levels) {
      if (l > 1) return Fail("definition level " + std::to_string(l) + " above the maximum 1");
      out_.defined.push_back(static_cast<uint8_t>(l));
      defined += l;
    }
    return defined;
  }

  Status DataPageV1(ByteView page, const format::DataPageHeader& h) {
    if (h.num_values < 0) return Fail("negative value count in a data page");
    size_t n = static_cast<size_t>(h.num_values);
    size_t defined = n;
    if (column_.optional) {
      size_t consumed = 0;
      auto levels = ReadLengthPrefixed(page, &consumed);
      if (!levels.ok()) return Wrap(levels.status());
      ASSIGN_OR_RETURN(defined, DecodeLevels(*levels, n));
      page = page.subspan(consumed);
    }
    return DecodeValues(page, h.encoding, defined);
  }

  Status DataPageV2(ByteView raw, const format::DataPageHeaderV2& h, format::CompressionCodec codec,
                    int32_t uncompressed_size) {
    if (h.num_values < 0 || h.num_nulls < 0 || h.num_nulls > h.num_values ||
        h.definition_levels_byte_length < 0 || h.repetition_levels_byte_length < 0) {
      return Fail("inconsistent data page v2 header");
    }
    size_t rep = h.repetition_levels_byte_length, def = h.definition_levels_byte_length;
    if (rep != 0) return Fail("repetition levels in a flat column");
    if (rep + def > raw.size() || static_cast<int64_t>(rep + def) > uncompressed_size) {
      return Fail("data page v2 level lengths past the page");
    }
    size_t n = static_cast<size_t>(h.num_values);
    size_t defined = n - static_cast<size_t>(h.num_nulls);
    if (column_.optional) {
      ASSIGN_OR_RETURN(size_t d, DecodeLevels(raw.subspan(rep, def), n));
      if (d != defined) return Fail("data page v2 null count does not match its levels");
    } else if (h.num_nulls != 0) {
      return Fail("nulls in a REQUIRED column");
    }
    ByteView values = raw.subspan(rep + def);
    Bytes buf;
    if (h.is_compressed.value_or(true) && codec != format::CompressionCodec::UNCOMPRESSED) {
      size_t want = static_cast<size_t>(uncompressed_size) - rep - def;
      RETURN_IF_ERROR(Wrap(Decompress(static_cast<CompressionCodec>(codec), values, want, &buf)));
      values = buf;
    }
    return DecodeValues(values, h.encoding, defined);
  }

  Result<ColumnValues> Run(ByteView file) {
    int64_t start = md_.data_page_offset;
    if (md_.dictionary_page_offset && *md_.dictionary_page_offset > 0 &&
        *md_.dictionary_page_offset < start) {
      start = *md_.dictionary_page_offset;
    }
    const int64_t len = md_.total_compressed_size;
    if (start < 4 || len < 0 || static_cast<uint64_t>(start) > file.size() ||
        static_cast<uint64_t>(len) > file.size() - static_cast<uint64_t>(start)) {
      return Fail("column chunk [" + std::to_string(start) + ", +" + std::to_string(len) +
                  ") lies outside the file");
    }
    if (md_.num_values < 0) return Fail("negative value count");
    ByteView chunk = file.subspan(start, len);
    const uint64_t want = static_cast<uint64_t>(md_.num_values);
    uint64_t slots = 0;
    size_t pos = 0;
    while (slots < want) {
      if (pos >= chunk.size()) {
        return Fail("column chunk ends after " + std::to_string(slots) + " of " +
                    std::to_string(want) + " values");
      }
      size_t hlen = 0;
      auto header = format::DecodePageHeader(chunk.subspan(pos), &hlen);
      if (!header.ok()) return Fail("bad page header at offset " + std::to_string(start + pos) +
                                    ": " + header.status().message());
      pos += hlen;
      const auto& h = *header;
      if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0 ||
          static_cast<size_t>(h.compressed_page_size) > chunk.size() - pos) {
        return Fail("page at offset " + std::to_string(start + pos) + " runs past the chunk");
      }
      ByteView raw = chunk.subspan(pos, h.compressed_page_size);
      pos += h.compressed_page_size;
      if (h.type == PageType::DATA_PAGE_V2) {
        if (!h.data_page_header_v2) return Fail("data page v2 without its header");
        RETURN_IF_ERROR(DataPageV2(raw, *h.data_page_header_v2, md_.codec, h.uncompressed_page_size));
        slots += static_cast<uint64_t>(h.data_page_header_v2->num_values);
        continue;
      }
      if (h.type != PageType::DATA_PAGE && h.type != PageType::DICTIONARY_PAGE) continue;  // index pages
      ByteView page = raw;
      Bytes buf;
      if (md_.codec != format::CompressionCodec::UNCOMPRESSED) {
        RETURN_IF_ERROR(Wrap(Decompress(static_cast<CompressionCodec>(md_.codec), raw,
                                        static_cast<size_t>(h.uncompressed_page_size), &buf)));
        page = buf;
      } else if (h.uncompressed_page_size != h.compressed_page_size) {
        return Fail("uncompressed page with differing sizes");
      }
      if (h.type == PageType::DICTIONARY_PAGE) {
        if (!h.dictionary_page_header) return Fail("dictionary page without its header");
        RETURN_IF_ERROR(DecodeDictionaryPage(page, h.dictionary_page_header->num_values));
        continue;
      }
      if (!h.data_page_header) return Fail("data page without its header");
      RETURN_IF_ERROR(DataPageV1(page, *h.data_page_header));
      slots += static_cast<uint64_t>(h.data_page_header->num_values);
    }
    if (slots != want) {
      return Fail("pages hold " + std::to_string(slots) + " values, the chunk claims " +
                  std::to_string(want));
    }
    if (!column_.optional) out_.defined.clear();
    return std::move(out_);
  }

 private:
  const Column& column_;
  const format::ColumnMetaData& md_;
  const std::string& where_;
  bool dict_present_ = false;
  ColumnValues dict_;  // the chunk's dictionary, decoded once
  ColumnValues out_;
};

}  // namespace

Result<ColumnValues> ReadColumnChunk(ByteView file, const format::ColumnMetaData& md,
                                     const Column& column, const std::string& where) {
  if (static_cast<int32_t>(md.type) != static_cast<int32_t>(column.type)) {
    return Status::Corruption(where + ": chunk type " + format::TypeName(md.type) +
                              " differs from the schema's " + PhysicalTypeName(column.type));
  }
  ChunkDecoder d(column, md, where);
  return d.Run(file);
}

}  // namespace ipfs_kit::parquet
