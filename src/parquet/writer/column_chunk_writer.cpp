#include "writer/column_chunk_writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>

#include "bloom/split_block_bloom.h"
#include "compression/codec.h"
#include "encoding/dictionary.h"
#include "encoding/plain.h"
#include "encoding/rle_hybrid.h"

namespace ipfs_kit::parquet {
namespace {

using format::Encoding;
using format::PageType;

// Dictionaries above this (PLAIN bytes) fall back to PLAIN, as parquet-mr and
// arrow do with their dictionary page size limit.
constexpr size_t kMaxDictionaryBytes = 1 << 20;

template <typename T>
std::string PlainBytes(T v) {
  std::string s(sizeof(T), '\0');
  std::memcpy(s.data(), &v, sizeof(T));
  return s;
}

// min/max in the column's sort order over the defined values, PLAIN-encoded.
void ComputeStats(const Column& c, const ColumnValues& v, format::Statistics* st) {
  st->null_count = static_cast<int64_t>(v.num_rows() - v.value_count());
  auto set = [&](std::string mn, std::string mx, bool legacy) {
    st->min_value = mn;
    st->max_value = mx;
    if (legacy) {  // the deprecated fields, same signed order for these types
      st->min = std::move(mn);
      st->max = std::move(mx);
    }
  };
  switch (c.type) {
    case PhysicalType::kBoolean:
      if (!v.bools.empty()) {
        auto [mn, mx] = std::minmax_element(v.bools.begin(), v.bools.end());
        set(std::string(1, char(*mn != 0)), std::string(1, char(*mx != 0)), true);
      }
      break;
    case PhysicalType::kInt32:
      if (!v.i32.empty()) {
        auto [mn, mx] = std::minmax_element(v.i32.begin(), v.i32.end());
        set(PlainBytes(*mn), PlainBytes(*mx), true);
      }
      break;
    case PhysicalType::kInt64:
      if (!v.i64.empty()) {
        auto [mn, mx] = std::minmax_element(v.i64.begin(), v.i64.end());
        set(PlainBytes(*mn), PlainBytes(*mx), true);
      }
      break;
    case PhysicalType::kFloat:
    case PhysicalType::kDouble: {
      // NaN is left out of min/max; the spec asks for -0.0 as min and +0.0
      // as max when the extreme is a zero.
      bool any = false;
      double mn = 0, mx = 0;
      auto visit = [&](double x) {
        if (std::isnan(x)) return;
        if (!any || x < mn) mn = x;
        if (!any || x > mx) mx = x;
        any = true;
      };
      if (c.type == PhysicalType::kFloat) {
        for (float x : v.f32) visit(x);
      } else {
        for (double x : v.f64) visit(x);
      }
      if (any) {
        if (mn == 0) mn = -0.0;
        if (mx == 0) mx = 0.0;
        if (c.type == PhysicalType::kFloat) {
          set(PlainBytes(static_cast<float>(mn)), PlainBytes(static_cast<float>(mx)), true);
        } else {
          set(PlainBytes(mn), PlainBytes(mx), true);
        }
      }
      break;
    }
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray:
      if (!v.bytes.empty()) {
        // std::string compares as unsigned bytes? No: char may be signed, so
        // compare through unsigned char explicitly.
        auto less = [](const std::string& a, const std::string& b) {
          return std::lexicographical_compare(
              a.begin(), a.end(), b.begin(), b.end(),
              [](char x, char y) { return uint8_t(x) < uint8_t(y); });
        };
        auto [mn, mx] = std::minmax_element(v.bytes.begin(), v.bytes.end(), less);
        set(*mn, *mx, false);
      }
      break;
    case PhysicalType::kInt96:
      break;  // no defined order
  }
}

// PLAIN bytes of values [begin, end) (value indices, not rows).
Status EncodePlainRange(const Column& c, const ColumnValues& v, size_t begin, size_t end,
                        Bytes* out) {
  switch (c.type) {
    case PhysicalType::kBoolean: {
      std::vector<bool> b(v.bools.begin() + begin, v.bools.begin() + end);
      PlainEncodeBooleans(b, out);
      return Status::Ok();
    }
    case PhysicalType::kInt32:
      PlainEncodeInt32(std::span(v.i32).subspan(begin, end - begin), out);
      return Status::Ok();
    case PhysicalType::kInt64:
      PlainEncodeInt64(std::span(v.i64).subspan(begin, end - begin), out);
      return Status::Ok();
    case PhysicalType::kFloat:
      PlainEncodeFloat(std::span(v.f32).subspan(begin, end - begin), out);
      return Status::Ok();
    case PhysicalType::kDouble:
      PlainEncodeDouble(std::span(v.f64).subspan(begin, end - begin), out);
      return Status::Ok();
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray: {
      std::vector<std::string_view> views(v.bytes.begin() + begin, v.bytes.begin() + end);
      return c.type == PhysicalType::kByteArray
                 ? PlainEncodeByteArrays(views, out)
                 : PlainEncodeFixedLenByteArrays(views, c.type_length, out);
    }
    case PhysicalType::kInt96:
      return Status::Unsupported("writing INT96 columns");
  }
  return Status::Internal("unknown type");
}

size_t ValueWidth(const Column& c, const ColumnValues& v) {
  switch (c.type) {
    case PhysicalType::kBoolean: return 1;
    case PhysicalType::kInt32:
    case PhysicalType::kFloat: return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble: return 8;
    default: break;
  }
  if (v.bytes.empty()) return 16;
  size_t total = 0;
  size_t sample = std::min<size_t>(v.bytes.size(), 1024);
  for (size_t i = 0; i < sample; ++i) total += v.bytes[i].size() + 4;
  return std::max<size_t>(1, total / sample);
}

class ChunkEncoder {
 public:
  ChunkEncoder(const Column& c, const ColumnValues& v, const ColumnOptions& o, Codec codec,
               int level)
      : c_(c), v_(v), o_(o), codec_(static_cast<CompressionCodec>(codec)), level_(level) {}

  Status AppendPage(PageType type, const Bytes& body, format::PageHeader h, Bytes* out,
                    int64_t* uncompressed_total) {
    Bytes compressed;
    const Bytes* payload = &body;
    if (codec_ != CompressionCodec::kUncompressed) {
      RETURN_IF_ERROR(Compress(codec_, body, &compressed, level_));
      payload = &compressed;
    }
    if (body.size() > INT32_MAX || payload->size() > INT32_MAX) {
      return Status::InvalidArgument("page larger than 2 GiB");
    }
    h.type = type;
    h.uncompressed_page_size = static_cast<int32_t>(body.size());
    h.compressed_page_size = static_cast<int32_t>(payload->size());
    size_t before = out->size();
    format::EncodePageHeader(h, *out);
    size_t header = out->size() - before;
    out->insert(out->end(), payload->begin(), payload->end());
    *uncompressed_total += static_cast<int64_t>(header + body.size());
    return Status::Ok();
  }

  Result<ChunkWriteResult> Run(size_t page_bytes, int64_t offset) {
    ChunkWriteResult r;
    auto& md = r.md;
    md.type = static_cast<format::Type>(static_cast<int32_t>(c_.type));
    md.path_in_schema = {c_.name};
    md.codec = static_cast<format::CompressionCodec>(static_cast<int32_t>(codec_));
    md.num_values = static_cast<int64_t>(v_.num_rows());
    int64_t uncompressed = 0;
    std::vector<format::PageEncodingStats> enc_stats;

    // Dictionary: indices per value, when it fits.
    std::vector<uint32_t> indices;
    size_t dict_size = 0;
    Bytes dict_page;
    if (o_.dictionary && c_.type != PhysicalType::kBoolean && c_.type != PhysicalType::kInt96) {
      bool ok = BuildDictionary(&indices, &dict_size, &dict_page);
      if (ok && static_cast<double>(dict_size) >
                    o_.dictionary_max_ratio * static_cast<double>(v_.value_count())) {
        ok = false;  // mostly distinct values: PLAIN (+ ZSTD) is smaller
      }
      if (!ok) {
        indices.clear();
        dict_size = 0;
        distinct_hint_ = 0;
      } else {
        distinct_hint_ = dict_size;
      }
    }
    const bool use_dict = dict_size > 0;
    if (use_dict) {
      format::PageHeader h;
      format::DictionaryPageHeader dh;
      dh.num_values = static_cast<int32_t>(dict_size);
      dh.encoding = Encoding::PLAIN;
      h.dictionary_page_header = dh;
      md.dictionary_page_offset = offset + static_cast<int64_t>(r.pages.size());
      RETURN_IF_ERROR(AppendPage(PageType::DICTIONARY_PAGE, dict_page, h, &r.pages, &uncompressed));
      enc_stats.push_back({PageType::DICTIONARY_PAGE, Encoding::PLAIN, 1});
    }
    md.data_page_offset = offset + static_cast<int64_t>(r.pages.size());

    const size_t rows = v_.num_rows();
    const size_t width = use_dict ? std::max(1, DictionaryIndexBitWidth(dict_size)) / 8 + 1
                                  : ValueWidth(c_, v_);
    const size_t rows_per_page = std::max<size_t>(1, page_bytes / width);
    size_t value_pos = 0;
    int32_t data_pages = 0;
    for (size_t row = 0; row < rows || (rows == 0 && data_pages == 0); row += rows_per_page) {
      size_t end_row = std::min(rows, row + rows_per_page);
      Bytes body;
      size_t defined = end_row - row;
      if (c_.optional) {
        RleBitPackedEncoder levels(1);
        defined = 0;
        for (size_t i = row; i < end_row; ++i) {
          levels.Put(v_.defined[i]);
          defined += v_.defined[i];
        }
        AppendLengthPrefixed(levels.Finish(), &body);
      }
      if (use_dict) {
        EncodeDictionaryIndices(std::span(indices).subspan(value_pos, defined), dict_size, &body);
      } else {
        RETURN_IF_ERROR(EncodePlainRange(c_, v_, value_pos, value_pos + defined, &body));
      }
      value_pos += defined;
      format::PageHeader h;
      format::DataPageHeader dh;
      dh.num_values = static_cast<int32_t>(end_row - row);
      dh.encoding = use_dict ? Encoding::RLE_DICTIONARY : Encoding::PLAIN;
      dh.definition_level_encoding = Encoding::RLE;
      dh.repetition_level_encoding = Encoding::RLE;
      h.data_page_header = dh;
      RETURN_IF_ERROR(AppendPage(PageType::DATA_PAGE, body, h, &r.pages, &uncompressed));
      ++data_pages;
      if (rows == 0) break;
    }
    enc_stats.push_back({PageType::DATA_PAGE, use_dict ? Encoding::RLE_DICTIONARY : Encoding::PLAIN,
                         data_pages});
    md.encodings = use_dict ? std::vector<Encoding>{Encoding::PLAIN, Encoding::RLE,
                                                    Encoding::RLE_DICTIONARY}
                            : std::vector<Encoding>{Encoding::PLAIN, Encoding::RLE};
    md.encoding_stats = enc_stats;
    md.total_uncompressed_size = uncompressed;
    md.total_compressed_size = static_cast<int64_t>(r.pages.size());
    if (o_.statistics) {
      format::Statistics st;
      ComputeStats(c_, v_, &st);
      md.statistics = st;
    }
    if (o_.bloom_filter && c_.type != PhysicalType::kBoolean && c_.type != PhysicalType::kInt96) {
      RETURN_IF_ERROR(BuildBloom(offset + static_cast<int64_t>(r.pages.size()), &r));
    }
    return r;
  }

 private:
  bool BuildDictionary(std::vector<uint32_t>* idx, size_t* size, Bytes* page) {
    idx->reserve(v_.value_count());
    switch (c_.type) {
      case PhysicalType::kInt32: return Fill(DictionaryBuilder<int32_t>(), v_.i32, idx, size, page);
      case PhysicalType::kInt64: return Fill(DictionaryBuilder<int64_t>(), v_.i64, idx, size, page);
      case PhysicalType::kFloat: return Fill(DictionaryBuilder<float>(), v_.f32, idx, size, page);
      case PhysicalType::kDouble: return Fill(DictionaryBuilder<double>(), v_.f64, idx, size, page);
      case PhysicalType::kByteArray:
      case PhysicalType::kFixedLenByteArray: {
        ByteArrayDictionaryBuilder b;
        for (const auto& s : v_.bytes) {
          idx->push_back(b.Insert(s));
          if (b.plain_size() > kMaxDictionaryBytes) return false;
        }
        Status st = c_.type == PhysicalType::kByteArray ? b.EncodePlain(page)
                                                        : b.EncodePlainFixed(c_.type_length, page);
        if (!st.ok()) return false;
        *size = b.size();
        return true;
      }
      default: return false;
    }
  }

  template <typename B, typename T>
  bool Fill(B b, const std::vector<T>& vals, std::vector<uint32_t>* idx, size_t* size,
            Bytes* page) {
    for (const T& x : vals) {
      idx->push_back(b.Insert(x));
      if (b.plain_size() > kMaxDictionaryBytes) return false;
    }
    b.EncodePlain(page);
    *size = b.size();
    return true;
  }

  // Distinct values, for sizing the bloom filter (the dictionary's size when
  // there is one, else counted through hashes).
  size_t DistinctCount() const {
    if (distinct_hint_ > 0) return distinct_hint_;
    std::vector<uint64_t> h;
    h.reserve(v_.value_count());
    switch (c_.type) {
      case PhysicalType::kInt32: for (auto x : v_.i32) h.push_back(SplitBlockBloomFilter::HashInt32(x)); break;
      case PhysicalType::kInt64: for (auto x : v_.i64) h.push_back(SplitBlockBloomFilter::HashInt64(x)); break;
      case PhysicalType::kFloat: for (auto x : v_.f32) h.push_back(SplitBlockBloomFilter::HashFloat(x)); break;
      case PhysicalType::kDouble: for (auto x : v_.f64) h.push_back(SplitBlockBloomFilter::HashDouble(x)); break;
      default:
        for (const auto& x : v_.bytes) h.push_back(SplitBlockBloomFilter::Hash(std::string_view(x)));
    }
    std::sort(h.begin(), h.end());
    return static_cast<size_t>(std::unique(h.begin(), h.end()) - h.begin());
  }

  Status BuildBloom(int64_t offset, ChunkWriteResult* r) {
    size_t distinct = std::max<size_t>(1, DistinctCount());
    auto f = SplitBlockBloomFilter::WithNdvFpp(distinct, o_.bloom_fpp);
    auto add = [&](uint64_t h) { f.InsertHash(h); };
    switch (c_.type) {
      case PhysicalType::kInt32: for (auto x : v_.i32) add(SplitBlockBloomFilter::HashInt32(x)); break;
      case PhysicalType::kInt64: for (auto x : v_.i64) add(SplitBlockBloomFilter::HashInt64(x)); break;
      case PhysicalType::kFloat: for (auto x : v_.f32) add(SplitBlockBloomFilter::HashFloat(x)); break;
      case PhysicalType::kDouble: for (auto x : v_.f64) add(SplitBlockBloomFilter::HashDouble(x)); break;
      case PhysicalType::kByteArray:
      case PhysicalType::kFixedLenByteArray:
        for (const auto& s : v_.bytes) add(SplitBlockBloomFilter::Hash(std::string_view(s)));
        break;
      default: return Status::Ok();
    }
    format::BloomFilterHeader h;
    h.num_bytes = static_cast<int32_t>(f.bytes().size());
    format::EncodeBloomFilterHeader(h, r->bloom);
    r->bloom.insert(r->bloom.end(), f.bytes().begin(), f.bytes().end());
    r->md.bloom_filter_offset = offset;
    r->md.bloom_filter_length = static_cast<int32_t>(r->bloom.size());
    return Status::Ok();
  }

  const Column& c_;
  const ColumnValues& v_;
  const ColumnOptions& o_;
  CompressionCodec codec_;
  int level_;
  size_t distinct_hint_ = 0;
};

}  // namespace

Result<ChunkWriteResult> EncodeColumnChunk(const Column& column, const ColumnValues& values,
                                           const ColumnOptions& options, Codec codec,
                                           int zstd_level, size_t page_bytes, int64_t offset) {
  ChunkEncoder e(column, values, options, codec, zstd_level);
  return e.Run(page_bytes, offset);
}

}  // namespace ipfs_kit::parquet
