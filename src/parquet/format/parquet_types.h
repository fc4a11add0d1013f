// Parquet file metadata structs (parquet.thrift, apache/parquet-format) with hand-written
// Thrift compact protocol codecs. Field ids mirror parquet.thrift exactly.
//
// Conventions:
//   - optional thrift fields are std::optional (optional lists too, so that "absent" and
//     "empty" survive a round trip); required fields are plain members.
//   - enums are `enum class : int32_t` and keep unknown wire values as-is (a newer writer's
//     encoding or codec is not a decode error; callers decide what they support).
//   - Read() fails with Corruption naming the struct and field when a required field is
//     missing, when a known field has the wrong wire type, or when the Thrift encoding is
//     broken. Unknown fields are skipped.
//   - Fields not modelled here (GeospatialStatistics, crypto metadata,
//     encryption algorithm, vector_length, ...) are skipped on read and not written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"
#include "thrift/compact_protocol.h"

namespace ipfs_kit::parquet::format {

enum class Type : int32_t {
  BOOLEAN = 0,
  INT32 = 1,
  INT64 = 2,
  INT96 = 3,
  FLOAT = 4,
  DOUBLE = 5,
  BYTE_ARRAY = 6,
  FIXED_LEN_BYTE_ARRAY = 7,
};

enum class ConvertedType : int32_t {
  UTF8 = 0,
  MAP = 1,
  MAP_KEY_VALUE = 2,
  LIST = 3,
  ENUM = 4,
  DECIMAL = 5,
  DATE = 6,
  TIME_MILLIS = 7,
  TIME_MICROS = 8,
  TIMESTAMP_MILLIS = 9,
  TIMESTAMP_MICROS = 10,
  UINT_8 = 11,
  UINT_16 = 12,
  UINT_32 = 13,
  UINT_64 = 14,
  INT_8 = 15,
  INT_16 = 16,
  INT_32 = 17,
  INT_64 = 18,
  JSON = 19,
  BSON = 20,
  INTERVAL = 21,
};

enum class FieldRepetitionType : int32_t {
  REQUIRED = 0,
  OPTIONAL = 1,
  REPEATED = 2,
};

enum class Encoding : int32_t {
  PLAIN = 0,
  PLAIN_DICTIONARY = 2,
  RLE = 3,
  BIT_PACKED = 4,
  DELTA_BINARY_PACKED = 5,
  DELTA_LENGTH_BYTE_ARRAY = 6,
  DELTA_BYTE_ARRAY = 7,
  RLE_DICTIONARY = 8,
  BYTE_STREAM_SPLIT = 9,
};

enum class CompressionCodec : int32_t {
  UNCOMPRESSED = 0,
  SNAPPY = 1,
  GZIP = 2,
  LZO = 3,
  BROTLI = 4,
  LZ4 = 5,
  ZSTD = 6,
  LZ4_RAW = 7,
};

enum class PageType : int32_t {
  DATA_PAGE = 0,
  INDEX_PAGE = 1,
  DICTIONARY_PAGE = 2,
  DATA_PAGE_V2 = 3,
};

// Names for messages ("ZSTD", "RLE_DICTIONARY"; "?" for values outside the enum).
const char* TypeName(Type t);
const char* EncodingName(Encoding e);
const char* CodecName(CompressionCodec c);

struct Statistics {
  std::optional<std::string> max;          // 1 (deprecated, signed order)
  std::optional<std::string> min;          // 2 (deprecated, signed order)
  std::optional<int64_t> null_count;       // 3
  std::optional<int64_t> distinct_count;   // 4
  std::optional<std::string> max_value;    // 5
  std::optional<std::string> min_value;    // 6
  std::optional<bool> is_max_value_exact;  // 7
  std::optional<bool> is_min_value_exact;  // 8
  std::optional<int64_t> nan_count;        // 9

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, Statistics* out);
  bool operator==(const Statistics&) const = default;
};

enum class TimeUnit : uint8_t { kMillis = 1, kMicros = 2, kNanos = 3 };  // = union field ids

// The LogicalType union. Exactly one member is set on the wire; kNone is an empty union
// (never written by sane writers, kept for round trips). Members this code does not model
// (VARIANT, GEOMETRY, GEOGRAPHY, VECTOR, future ones) are reported as kOther, with the
// member's field id, wire type and encoded value kept so they are re-written unchanged.
struct LogicalType {
  enum class Kind : uint8_t {
    kNone,
    kString,     // 1
    kMap,        // 2
    kList,       // 3
    kEnum,       // 4
    kDecimal,    // 5
    kDate,       // 6
    kTime,       // 7
    kTimestamp,  // 8
    kInteger,    // 10
    kUnknown,    // 11 (NullType)
    kJson,       // 12
    kBson,       // 13
    kUuid,       // 14
    kFloat16,    // 15
    kOther,
  };
  Kind kind = Kind::kNone;
  // kTime, kTimestamp
  bool is_adjusted_to_utc = false;
  TimeUnit unit = TimeUnit::kMillis;
  // kDecimal
  int32_t scale = 0;
  int32_t precision = 0;
  // kInteger
  int8_t bit_width = 0;
  bool is_signed = false;
  // kOther
  int16_t other_field_id = 0;
  uint8_t other_type = 0;
  Bytes other_value;

  static LogicalType String() { return Simple(Kind::kString); }
  static LogicalType Date() { return Simple(Kind::kDate); }
  static LogicalType Timestamp(bool utc, TimeUnit u);
  static LogicalType Time(bool utc, TimeUnit u);
  static LogicalType Decimal(int32_t scale, int32_t precision);
  static LogicalType Integer(int8_t bit_width, bool is_signed);
  static LogicalType Simple(Kind k) {
    LogicalType t;
    t.kind = k;
    return t;
  }

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, LogicalType* out);
  bool operator==(const LogicalType&) const = default;
};

struct SchemaElement {
  std::optional<Type> type;                            // 1
  std::optional<int32_t> type_length;                  // 2
  std::optional<FieldRepetitionType> repetition_type;  // 3
  std::string name;                                    // 4 required
  std::optional<int32_t> num_children;                 // 5
  std::optional<ConvertedType> converted_type;         // 6
  std::optional<int32_t> scale;                        // 7
  std::optional<int32_t> precision;                    // 8
  std::optional<int32_t> field_id;                     // 9
  std::optional<LogicalType> logical_type;             // 10

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, SchemaElement* out);
  bool operator==(const SchemaElement&) const = default;
};

struct KeyValue {
  std::string key;                   // 1 required
  std::optional<std::string> value;  // 2

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, KeyValue* out);
  bool operator==(const KeyValue&) const = default;
};

struct PageEncodingStats {
  PageType page_type = PageType::DATA_PAGE;  // 1 required
  Encoding encoding = Encoding::PLAIN;       // 2 required
  int32_t count = 0;                         // 3 required

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, PageEncodingStats* out);
  bool operator==(const PageEncodingStats&) const = default;
};

// Sizes for estimating memory; histograms are per repetition/definition level.
struct SizeStatistics {
  std::optional<int64_t> unencoded_byte_array_data_bytes;          // 1
  std::optional<std::vector<int64_t>> repetition_level_histogram;  // 2
  std::optional<std::vector<int64_t>> definition_level_histogram;  // 3

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, SizeStatistics* out);
  bool operator==(const SizeStatistics&) const = default;
};

struct ColumnMetaData {
  Type type = Type::BOOLEAN;                                     // 1 required
  std::vector<Encoding> encodings;                               // 2 required
  std::vector<std::string> path_in_schema;                       // 3 required
  CompressionCodec codec = CompressionCodec::UNCOMPRESSED;       // 4 required
  int64_t num_values = 0;                                        // 5 required
  int64_t total_uncompressed_size = 0;                           // 6 required
  int64_t total_compressed_size = 0;                             // 7 required
  std::optional<std::vector<KeyValue>> key_value_metadata;       // 8
  int64_t data_page_offset = 0;                                  // 9 required
  std::optional<int64_t> index_page_offset;                      // 10
  std::optional<int64_t> dictionary_page_offset;                 // 11
  std::optional<Statistics> statistics;                          // 12
  std::optional<std::vector<PageEncodingStats>> encoding_stats;  // 13
  std::optional<int64_t> bloom_filter_offset;                    // 14
  std::optional<int32_t> bloom_filter_length;                    // 15
  std::optional<SizeStatistics> size_statistics;                 // 16
  // 17 geospatial_statistics: skipped.

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, ColumnMetaData* out);
  bool operator==(const ColumnMetaData&) const = default;
};

struct ColumnChunk {
  std::optional<std::string> file_path;        // 1
  int64_t file_offset = 0;                     // 2 required (deprecated; 0 if absent)
  std::optional<ColumnMetaData> meta_data;     // 3
  std::optional<int64_t> offset_index_offset;  // 4
  std::optional<int32_t> offset_index_length;  // 5
  std::optional<int64_t> column_index_offset;  // 6
  std::optional<int32_t> column_index_length;  // 7
  // 8 crypto_metadata, 9 encrypted_column_metadata: skipped.

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, ColumnChunk* out);
  bool operator==(const ColumnChunk&) const = default;
};

struct SortingColumn {
  int32_t column_idx = 0;    // 1 required
  bool descending = false;   // 2 required
  bool nulls_first = false;  // 3 required

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, SortingColumn* out);
  bool operator==(const SortingColumn&) const = default;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;                           // 1 required
  int64_t total_byte_size = 0;                                // 2 required
  int64_t num_rows = 0;                                       // 3 required
  std::optional<std::vector<SortingColumn>> sorting_columns;  // 4
  std::optional<int64_t> file_offset;                         // 5
  std::optional<int64_t> total_compressed_size;               // 6
  std::optional<int16_t> ordinal;                             // 7

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, RowGroup* out);
  bool operator==(const RowGroup&) const = default;
};

// The ColumnOrder union; every member is an empty struct. kind is the union field id.
struct ColumnOrder {
  enum Kind : int16_t {
    kTypeDefinedOrder = 1,
    kIeee754TotalOrder = 2,
    kInt96TimestampOrder = 3,
  };
  int16_t kind = kTypeDefinedOrder;  // any other id is kept as-is

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, ColumnOrder* out);
  bool operator==(const ColumnOrder&) const = default;
};

struct FileMetaData {
  int32_t version = 1;                                      // 1 required
  std::vector<SchemaElement> schema;                        // 2 required
  int64_t num_rows = 0;                                     // 3 required
  std::vector<RowGroup> row_groups;                         // 4 required
  std::optional<std::vector<KeyValue>> key_value_metadata;  // 5
  std::optional<std::string> created_by;                    // 6
  std::optional<std::vector<ColumnOrder>> column_orders;    // 7
  // 8 encryption_algorithm, 9 footer_signing_key_metadata: skipped.

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, FileMetaData* out);
  bool operator==(const FileMetaData&) const = default;
};

// One TypeDefinedOrder per leaf column: what a writer should put in column_orders.
std::vector<ColumnOrder> TypeDefinedOrders(size_t num_leaves);

struct DataPageHeader {
  int32_t num_values = 0;                              // 1 required
  Encoding encoding = Encoding::PLAIN;                 // 2 required
  Encoding definition_level_encoding = Encoding::RLE;  // 3 required
  Encoding repetition_level_encoding = Encoding::RLE;  // 4 required
  std::optional<Statistics> statistics;                // 5

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, DataPageHeader* out);
  bool operator==(const DataPageHeader&) const = default;
};

struct IndexPageHeader {
  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, IndexPageHeader* out);
  bool operator==(const IndexPageHeader&) const = default;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;               // 1 required
  Encoding encoding = Encoding::PLAIN;  // 2 required
  std::optional<bool> is_sorted;        // 3

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, DictionaryPageHeader* out);
  bool operator==(const DictionaryPageHeader&) const = default;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;                     // 1 required
  int32_t num_nulls = 0;                      // 2 required
  int32_t num_rows = 0;                       // 3 required
  Encoding encoding = Encoding::PLAIN;        // 4 required
  int32_t definition_levels_byte_length = 0;  // 5 required
  int32_t repetition_levels_byte_length = 0;  // 6 required
  std::optional<bool> is_compressed;          // 7 (absent means true)
  std::optional<Statistics> statistics;       // 8

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, DataPageHeaderV2* out);
  bool operator==(const DataPageHeaderV2&) const = default;
};

struct PageHeader {
  PageType type = PageType::DATA_PAGE;                         // 1 required
  int32_t uncompressed_page_size = 0;                          // 2 required
  int32_t compressed_page_size = 0;                            // 3 required
  std::optional<int32_t> crc;                                  // 4
  std::optional<DataPageHeader> data_page_header;              // 5
  std::optional<IndexPageHeader> index_page_header;            // 6
  std::optional<DictionaryPageHeader> dictionary_page_header;  // 7
  std::optional<DataPageHeaderV2> data_page_header_v2;         // 8

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, PageHeader* out);
  bool operator==(const PageHeader&) const = default;
};

// BloomFilterHeader's three unions each have one known member (an empty struct); the value
// is the union field id, and other ids are kept as-is.
enum class BloomFilterAlgorithm : int16_t { kBlock = 1 };
enum class BloomFilterHash : int16_t { kXxHash = 1 };
enum class BloomFilterCompression : int16_t { kUncompressed = 1 };

struct BloomFilterHeader {
  int32_t num_bytes = 0;                                                       // 1 required
  BloomFilterAlgorithm algorithm = BloomFilterAlgorithm::kBlock;               // 2 required
  BloomFilterHash hash = BloomFilterHash::kXxHash;                             // 3 required
  BloomFilterCompression compression = BloomFilterCompression::kUncompressed;  // 4 required

  void Write(thrift::CompactWriter& w) const;
  static Status Read(thrift::CompactReader& r, BloomFilterHeader* out);
  bool operator==(const BloomFilterHeader&) const = default;
};

// Footer codec: `in` is exactly the footer (the bytes before the 4-byte length and "PAR1");
// trailing bytes after the FileMetaData struct are an error.
Result<FileMetaData> DecodeFileMetaData(ByteView in);
Bytes EncodeFileMetaData(const FileMetaData& md);

// Page header codec: decodes one PageHeader at the start of `in` (the page data follows);
// *consumed is set to the header's encoded size. Encode appends to `out`.
Result<PageHeader> DecodePageHeader(ByteView in, size_t* consumed);
void EncodePageHeader(const PageHeader& h, Bytes& out);

// Bloom filter header codec (the bitset follows the header).
Result<BloomFilterHeader> DecodeBloomFilterHeader(ByteView in, size_t* consumed);
void EncodeBloomFilterHeader(const BloomFilterHeader& h, Bytes& out);

}  // namespace ipfs_kit::parquet::format
