// Tests for the Parquet metadata structs and their Thrift compact codecs, including two real
// footers written by parquet-wasm (arrow-rs) and DuckDB (testdata/sample_footers.h).

#include "format/parquet_types.h"

#include <cstdint>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "format/testdata/sample_footers.h"

namespace ipfs_kit::parquet::format {
namespace {

using thrift::CompactReader;
using thrift::CompactWriter;

void ExpectCorruption(const Status& st, std::string_view needle = {}) {
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_EQ(st.message().rfind("thrift: ", 0), 0u) << st.message();
  if (!needle.empty()) {
    EXPECT_NE(st.message().find(needle), std::string::npos) << st.message();
  }
}

template <typename T>
T RoundTrip(const T& v) {
  Bytes buf;
  {
    CompactWriter w(buf);
    v.Write(w);
  }
  CompactReader r(buf);
  T out;
  Status st = T::Read(r, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(r.remaining(), 0u);
  return out;
}

Statistics FullStats() {
  Statistics s;
  s.max = std::string("\xff\x00zz", 4);
  s.min = "a";
  s.null_count = 0;
  s.distinct_count = 12;
  s.max_value = "zz";
  s.min_value = "";
  s.is_max_value_exact = true;
  s.is_min_value_exact = false;
  s.nan_count = 3;
  return s;
}

ColumnMetaData FullColumnMeta() {
  ColumnMetaData m;
  m.type = Type::BYTE_ARRAY;
  m.encodings = {Encoding::PLAIN, Encoding::RLE, Encoding::RLE_DICTIONARY,
                 static_cast<Encoding>(42)};  // unknown values are kept
  m.path_in_schema = {"a", "b"};
  m.codec = CompressionCodec::ZSTD;
  m.num_values = 1000;
  m.total_uncompressed_size = 5'000'000'000;
  m.total_compressed_size = 123456;
  m.key_value_metadata = std::vector<KeyValue>{{"k", "v"}, {"nov", std::nullopt}};
  m.data_page_offset = 4;
  m.index_page_offset = 77;
  m.dictionary_page_offset = 3;
  m.statistics = FullStats();
  m.encoding_stats =
      std::vector<PageEncodingStats>{{PageType::DICTIONARY_PAGE, Encoding::PLAIN, 1},
                                     {PageType::DATA_PAGE, Encoding::RLE_DICTIONARY, 20}};
  m.bloom_filter_offset = 99999;
  m.bloom_filter_length = 1024;
  m.size_statistics =
      SizeStatistics{77, std::vector<int64_t>{1, 2}, std::vector<int64_t>{0, 500, 12}};
  return m;
}

FileMetaData FullFileMeta() {
  FileMetaData md;
  md.version = 2;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 4;
  md.schema.push_back(root);
  SchemaElement s;
  s.type = Type::BYTE_ARRAY;
  s.repetition_type = FieldRepetitionType::OPTIONAL;
  s.name = "s";
  s.converted_type = ConvertedType::UTF8;
  s.logical_type = LogicalType::String();
  s.field_id = 7;
  md.schema.push_back(s);
  SchemaElement d;
  d.type = Type::FIXED_LEN_BYTE_ARRAY;
  d.type_length = 16;
  d.repetition_type = FieldRepetitionType::REQUIRED;
  d.name = "dec";
  d.converted_type = ConvertedType::DECIMAL;
  d.scale = 2;
  d.precision = 30;
  d.logical_type = LogicalType::Decimal(2, 30);
  md.schema.push_back(d);
  SchemaElement ts;
  ts.type = Type::INT64;
  ts.repetition_type = FieldRepetitionType::REQUIRED;
  ts.name = "ts";
  ts.converted_type = ConvertedType::TIMESTAMP_MICROS;
  ts.logical_type = LogicalType::Timestamp(true, TimeUnit::kMicros);
  md.schema.push_back(ts);
  SchemaElement i;
  i.type = Type::INT32;
  i.repetition_type = FieldRepetitionType::REPEATED;
  i.name = "u16";
  i.converted_type = ConvertedType::UINT_16;
  i.logical_type = LogicalType::Integer(16, false);
  md.schema.push_back(i);
  md.num_rows = 3'000'000'000;
  for (int g = 0; g < 2; ++g) {
    RowGroup rg;
    for (int c = 0; c < 4; ++c) {
      ColumnChunk cc;
      cc.file_offset = 0;
      cc.meta_data = FullColumnMeta();
      if (c == 1) {
        cc.file_path = "other.parquet";
        cc.offset_index_offset = 10;
        cc.offset_index_length = 20;
        cc.column_index_offset = 30;
        cc.column_index_length = 40;
      }
      rg.columns.push_back(cc);
    }
    rg.total_byte_size = 1'500'000'000;
    rg.num_rows = 1'500'000'000;
    if (g == 1) {
      rg.sorting_columns = std::vector<SortingColumn>{{0, true, false}, {2, false, true}};
      rg.ordinal = 1;
    }
    rg.file_offset = 4 + g;
    rg.total_compressed_size = 1000;
    md.row_groups.push_back(rg);
  }
  md.key_value_metadata = std::vector<KeyValue>{{"ARROW:schema", "xyz"}};
  md.created_by = "ipfs-kit test";
  md.column_orders = TypeDefinedOrders(4);
  return md;
}

// ---------------------------------------------------------------------------------------
// Round trips

TEST(ParquetTypes, StatisticsRoundTrip) {
  EXPECT_EQ(RoundTrip(FullStats()), FullStats());
  EXPECT_EQ(RoundTrip(Statistics()), Statistics());
  SizeStatistics ss{5, std::nullopt, std::vector<int64_t>{}};
  EXPECT_EQ(RoundTrip(ss), ss);
}

TEST(ParquetTypes, LogicalTypeRoundTrip) {
  using K = LogicalType::Kind;
  std::vector<LogicalType> all = {
      LogicalType(),
      LogicalType::String(),
      LogicalType::Simple(K::kMap),
      LogicalType::Simple(K::kList),
      LogicalType::Simple(K::kEnum),
      LogicalType::Decimal(3, 9),
      LogicalType::Date(),
      LogicalType::Time(false, TimeUnit::kMillis),
      LogicalType::Time(true, TimeUnit::kNanos),
      LogicalType::Timestamp(true, TimeUnit::kMillis),
      LogicalType::Timestamp(false, TimeUnit::kMicros),
      LogicalType::Timestamp(true, TimeUnit::kNanos),
      LogicalType::Integer(8, true),
      LogicalType::Integer(64, false),
      LogicalType::Simple(K::kUnknown),
      LogicalType::Simple(K::kJson),
      LogicalType::Simple(K::kBson),
      LogicalType::Simple(K::kUuid),
      LogicalType::Simple(K::kFloat16),
  };
  for (const auto& t : all) EXPECT_EQ(RoundTrip(t), t) << static_cast<int>(t.kind);
}

TEST(ParquetTypes, LogicalTypeUnknownMemberIsOtherAndReencodesIdentically) {
  // union LogicalType { 16: VariantType VARIANT { 1: optional i8 specification_version } }
  Bytes buf;
  {
    CompactWriter w(buf);
    w.StructBegin();
    w.FieldStructBegin(16);
    w.FieldByte(1, 1);
    w.StructEnd();
    w.StructEnd();
  }
  CompactReader r(buf);
  LogicalType t;
  ASSERT_TRUE(LogicalType::Read(r, &t).ok());
  EXPECT_EQ(t.kind, LogicalType::Kind::kOther);
  EXPECT_EQ(t.other_field_id, 16);
  Bytes again;
  {
    CompactWriter w(again);
    t.Write(w);
  }
  EXPECT_EQ(again, buf);
}

TEST(ParquetTypes, LogicalTypeRejectsTwoMembersAndBadUnit) {
  Bytes two;
  {
    CompactWriter w(two);
    w.StructBegin();
    w.FieldEmptyStruct(1);
    w.FieldEmptyStruct(6);
    w.StructEnd();
  }
  CompactReader r(two);
  LogicalType t;
  ExpectCorruption(LogicalType::Read(r, &t), "more than one member");

  Bytes unit;
  {
    CompactWriter w(unit);
    w.StructBegin();
    w.FieldStructBegin(8);
    w.FieldBool(1, true);
    w.FieldStructBegin(2);
    w.FieldEmptyStruct(9);  // unknown TimeUnit member
    w.StructEnd();
    w.StructEnd();
    w.StructEnd();
  }
  CompactReader r2(unit);
  ExpectCorruption(LogicalType::Read(r2, &t), "unknown member");
}

TEST(ParquetTypes, SmallStructsRoundTrip) {
  KeyValue kv{"key", "value"};
  EXPECT_EQ(RoundTrip(kv), kv);
  KeyValue kv2{"key", std::nullopt};
  EXPECT_EQ(RoundTrip(kv2), kv2);
  PageEncodingStats pes{PageType::DATA_PAGE_V2, Encoding::DELTA_BYTE_ARRAY, 5};
  EXPECT_EQ(RoundTrip(pes), pes);
  SortingColumn sc{3, true, true};
  EXPECT_EQ(RoundTrip(sc), sc);
  for (int16_t k : {1, 2, 3, 9}) {
    ColumnOrder co{k};
    EXPECT_EQ(RoundTrip(co), co);
  }
  EXPECT_EQ(RoundTrip(FullColumnMeta()), FullColumnMeta());
  ColumnChunk cc;
  cc.file_offset = 1234;
  EXPECT_EQ(RoundTrip(cc), cc);
}

TEST(ParquetTypes, FileMetaDataRoundTrip) {
  FileMetaData md = FullFileMeta();
  Bytes enc = EncodeFileMetaData(md);
  auto dec = DecodeFileMetaData(enc);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  EXPECT_EQ(*dec, md);
  EXPECT_EQ(EncodeFileMetaData(*dec), enc);

  FileMetaData minimal;
  minimal.schema.push_back(SchemaElement{});
  minimal.schema[0].name = "root";
  auto dec2 = DecodeFileMetaData(EncodeFileMetaData(minimal));
  ASSERT_TRUE(dec2.ok()) << dec2.status().ToString();
  EXPECT_EQ(*dec2, minimal);
}

TEST(ParquetTypes, PageHeadersRoundTrip) {
  std::vector<PageHeader> headers;
  PageHeader v1;
  v1.type = PageType::DATA_PAGE;
  v1.uncompressed_page_size = 4000;
  v1.compressed_page_size = 1500;
  v1.crc = -12345;
  v1.data_page_header =
      DataPageHeader{500, Encoding::PLAIN, Encoding::RLE, Encoding::RLE, FullStats()};
  headers.push_back(v1);
  PageHeader dict;
  dict.type = PageType::DICTIONARY_PAGE;
  dict.uncompressed_page_size = 10;
  dict.compressed_page_size = 10;
  dict.dictionary_page_header = DictionaryPageHeader{4, Encoding::PLAIN, true};
  headers.push_back(dict);
  PageHeader v2;
  v2.type = PageType::DATA_PAGE_V2;
  v2.uncompressed_page_size = 100;
  v2.compressed_page_size = 80;
  v2.data_page_header_v2 =
      DataPageHeaderV2{100, 3, 90, Encoding::DELTA_BINARY_PACKED, 12, 0, false, Statistics()};
  headers.push_back(v2);
  PageHeader index;
  index.type = PageType::INDEX_PAGE;
  index.index_page_header = IndexPageHeader{};
  headers.push_back(index);

  for (const PageHeader& h : headers) {
    Bytes buf;
    EncodePageHeader(h, buf);
    size_t header_size = buf.size();
    buf.insert(buf.end(), {0xde, 0xad, 0xbe, 0xef});  // page data follows the header
    size_t consumed = 0;
    auto dec = DecodePageHeader(buf, &consumed);
    ASSERT_TRUE(dec.ok()) << dec.status().ToString();
    EXPECT_EQ(*dec, h);
    EXPECT_EQ(consumed, header_size);
    for (size_t len = 0; len < header_size; ++len) {
      EXPECT_FALSE(DecodePageHeader(ByteView(buf.data(), len), &consumed).ok()) << len;
    }
  }
}

TEST(ParquetTypes, BloomFilterHeaderBytes) {
  BloomFilterHeader h;
  h.num_bytes = 1024;
  Bytes buf;
  EncodeBloomFilterHeader(h, buf);
  // 1: i32 1024 (zigzag 2048); 2,3,4: struct { 1: struct {} }; stop.
  Bytes want = {0x15, 0x80, 0x10, 0x1c, 0x1c, 0x00, 0x00, 0x1c,
                0x1c, 0x00, 0x00, 0x1c, 0x1c, 0x00, 0x00, 0x00};
  EXPECT_EQ(buf, want);
  buf.push_back(0x55);  // bitset follows
  size_t consumed = 0;
  auto dec = DecodeBloomFilterHeader(buf, &consumed);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  EXPECT_EQ(*dec, h);
  EXPECT_EQ(consumed, want.size());
  for (size_t len = 0; len < want.size(); ++len) {
    EXPECT_FALSE(DecodeBloomFilterHeader(ByteView(buf.data(), len), &consumed).ok());
  }
  // Missing hash union member.
  Bytes bad = {0x15, 0x80, 0x10, 0x1c, 0x1c, 0x00, 0x00, 0x1c, 0x00, 0x1c, 0x1c, 0x00, 0x00, 0x00};
  ExpectCorruption(DecodeBloomFilterHeader(bad, &consumed).status(), "BloomFilterHeader.hash");
}

// ---------------------------------------------------------------------------------------
// Errors

TEST(ParquetTypes, MissingRequiredFieldsNamed) {
  {
    Bytes buf;
    CompactWriter w(buf);
    w.StructBegin();
    w.FieldI32(1, 6);  // type only
    w.StructEnd();
    CompactReader r(buf);
    SchemaElement e;
    ExpectCorruption(SchemaElement::Read(r, &e), "required field SchemaElement.name missing");
  }
  {
    FileMetaData md = FullFileMeta();
    Bytes buf;
    CompactWriter w(buf);
    w.StructBegin();
    w.FieldI32(1, 1);
    w.FieldListBegin(2, thrift::kStruct, md.schema.size());
    for (const auto& e : md.schema) e.Write(w);
    w.FieldListBegin(4, thrift::kStruct, 0);
    w.StructEnd();
    ExpectCorruption(DecodeFileMetaData(buf).status(), "FileMetaData.num_rows");
  }
  {
    ColumnMetaData m = FullColumnMeta();
    Bytes buf;
    CompactWriter w(buf);
    w.StructBegin();
    w.FieldI32(1, 6);
    w.FieldListBegin(2, thrift::kI32, 0);
    w.FieldListBegin(3, thrift::kBinary, 0);
    w.FieldI32(4, 0);
    w.FieldI64(5, 0);
    w.FieldI64(6, 0);
    w.FieldI64(7, 0);
    w.StructEnd();  // no data_page_offset
    CompactReader r(buf);
    ExpectCorruption(ColumnMetaData::Read(r, &m), "ColumnMetaData.data_page_offset");
  }
  {
    Bytes buf;
    CompactWriter w(buf);
    w.StructBegin();
    w.FieldI32(1, 0);
    w.FieldI32(2, 10);
    w.StructEnd();
    size_t consumed;
    ExpectCorruption(DecodePageHeader(buf, &consumed).status(), "PageHeader.compressed_page_size");
  }
}

TEST(ParquetTypes, WrongWireTypeRejected) {
  Bytes buf;
  CompactWriter w(buf);
  w.StructBegin();
  w.FieldI64(1, 1);  // version must be i32
  w.StructEnd();
  ExpectCorruption(DecodeFileMetaData(buf).status(), "FileMetaData.version");

  Bytes buf2;
  CompactWriter w2(buf2);
  w2.StructBegin();
  w2.FieldListBegin(2, thrift::kI32, 1);  // list<SchemaElement> with i32 elements
  w2.WriteI32(1);
  w2.StructEnd();
  ExpectCorruption(DecodeFileMetaData(buf2).status(), "element type");
}

TEST(ParquetTypes, UnknownFieldsSkipped) {
  FileMetaData md = FullFileMeta();
  Bytes buf;
  CompactWriter w(buf);
  w.StructBegin();
  w.FieldI32(1, md.version);
  w.FieldListBegin(2, thrift::kStruct, md.schema.size());
  for (const auto& e : md.schema) e.Write(w);
  w.FieldI64(3, md.num_rows);
  w.FieldListBegin(4, thrift::kStruct, md.row_groups.size());
  for (const auto& g : md.row_groups) g.Write(w);
  w.FieldListBegin(5, thrift::kStruct, md.key_value_metadata->size());
  for (const auto& kv : *md.key_value_metadata) kv.Write(w);
  w.FieldBinary(6, std::string_view(*md.created_by));
  w.FieldListBegin(7, thrift::kStruct, md.column_orders->size());
  for (const auto& co : *md.column_orders) co.Write(w);
  // 8: encryption_algorithm union { 1: AesGcmV1 { 1: binary, 3: bool } }
  w.FieldStructBegin(8);
  w.FieldStructBegin(1);
  w.FieldBinary(1, std::string_view("aad"));
  w.FieldBool(3, true);
  w.StructEnd();
  w.StructEnd();
  // 200: a future field with a map<string, list<double>> and a set.
  w.WriteFieldBegin(200, thrift::kMap);
  w.WriteMapBegin(thrift::kBinary, thrift::kList, 1);
  w.WriteString("k");
  w.WriteListBegin(thrift::kDouble, 2);
  w.WriteDouble(1.5);
  w.WriteDouble(-2);
  w.WriteFieldBegin(201, thrift::kSet);
  w.WriteSetBegin(thrift::kI64, 1);
  w.WriteI64(5);
  w.StructEnd();
  auto dec = DecodeFileMetaData(buf);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  EXPECT_EQ(*dec, md);
}

TEST(ParquetTypes, TrailingBytesRejected) {
  Bytes enc = EncodeFileMetaData(FullFileMeta());
  enc.push_back(0);
  ExpectCorruption(DecodeFileMetaData(enc).status(), "trailing");
}

TEST(ParquetTypes, TruncatedFileMetaDataRejectedAtEveryPrefix) {
  Bytes enc = EncodeFileMetaData(FullFileMeta());
  for (size_t len = 0; len < enc.size(); ++len) {
    auto dec = DecodeFileMetaData(ByteView(enc.data(), len));
    ASSERT_FALSE(dec.ok()) << "prefix " << len << " of " << enc.size();
    EXPECT_EQ(dec.status().code(), StatusCode::kCorruption);
  }
}

TEST(ParquetTypes, RandomGarbageDoesNotCrash) {
  std::mt19937 rng(99);
  for (int iter = 0; iter < 20000; ++iter) {
    Bytes buf(rng() % 200);
    for (auto& b : buf) b = static_cast<uint8_t>(rng());
    (void)DecodeFileMetaData(buf);
    size_t consumed = 0;
    auto ph = DecodePageHeader(buf, &consumed);
    if (ph.ok()) {
      EXPECT_LE(consumed, buf.size());
    }
    (void)DecodeBloomFilterHeader(buf, &consumed);
  }
}

// ---------------------------------------------------------------------------------------
// Real footers (pins_*.parquet from the oracle samples, embedded in sample_footers.h).

ByteView ZstdFooter() { return ByteView(testdata::kPinsZstdFooter); }
ByteView DuckdbFooter() { return ByteView(testdata::kPinsDuckdbZstdFooter); }

void ExpectPinsCommon(const FileMetaData& md) {
  EXPECT_EQ(md.version, 1);
  EXPECT_EQ(md.num_rows, 1000);
  ASSERT_EQ(md.schema.size(), 6u);
  EXPECT_EQ(md.schema[0].num_children, 5);
  EXPECT_FALSE(md.schema[0].type.has_value());
  const char* names[] = {"cid", "backend", "size_bytes", "pinned_at", "replicas"};
  const Type types[] = {Type::BYTE_ARRAY, Type::BYTE_ARRAY, Type::INT64, Type::INT64, Type::INT32};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(md.schema[i + 1].name, names[i]);
    EXPECT_EQ(md.schema[i + 1].type, types[i]);
    EXPECT_FALSE(md.schema[i + 1].num_children.has_value());
  }
  EXPECT_EQ(md.schema[1].converted_type, ConvertedType::UTF8);
  ASSERT_EQ(md.row_groups.size(), 2u);
  for (const RowGroup& rg : md.row_groups) {
    EXPECT_EQ(rg.num_rows, 500);
    ASSERT_EQ(rg.columns.size(), 5u);
    for (int c = 0; c < 5; ++c) {
      const auto& cc = rg.columns[c];
      ASSERT_TRUE(cc.meta_data.has_value());
      const ColumnMetaData& m = *cc.meta_data;
      EXPECT_EQ(m.type, types[c]);
      EXPECT_EQ(m.codec, CompressionCodec::ZSTD);
      EXPECT_EQ(m.num_values, 500);
      EXPECT_EQ(m.path_in_schema, std::vector<std::string>{names[c]});
      ASSERT_TRUE(m.statistics.has_value()) << names[c];
      EXPECT_EQ(m.statistics->null_count, 0);
      EXPECT_EQ(m.statistics->is_max_value_exact, true);
      EXPECT_EQ(m.statistics->is_min_value_exact, true);
    }
  }
  // Row group 0 statistics (from hyparquet, pq-read.mjs).
  const auto& s0 = *md.row_groups[0].columns[0].meta_data->statistics;
  EXPECT_EQ(s0.min_value, "bafkrei235arj6hnsgfeqvmt7it5orel3lako54icozqkrumrajazbd27k");
  EXPECT_EQ(s0.max_value, "bafkreizzxexznfyinjjo6ibeqv3b6ale6mggx2zigqjfpceswadd3q2rj");
  const auto& s1 = *md.row_groups[0].columns[1].meta_data->statistics;
  EXPECT_EQ(s1.min_value, "filecoin");
  EXPECT_EQ(s1.max_value, "s3");
  // size_bytes: PLAIN int64 little-endian; min 1048573, max 5521140781.
  const auto& s2 = *md.row_groups[0].columns[2].meta_data->statistics;
  ASSERT_TRUE(s2.min_value.has_value());
  ASSERT_EQ(s2.min_value->size(), 8u);
  int64_t min_size = 0, max_size = 0;
  for (int i = 7; i >= 0; --i) {
    min_size = (min_size << 8) | static_cast<uint8_t>((*s2.min_value)[i]);
    max_size = (max_size << 8) | static_cast<uint8_t>((*s2.max_value)[i]);
  }
  EXPECT_EQ(min_size, 1048573);
  EXPECT_EQ(max_size, 5521140781);
}

// Both writers' footers contain only fields modelled here, in field-id order, so
// re-encoding reproduces them byte for byte.
void ExpectReencodeStable(ByteView footer, const FileMetaData& md) {
  Bytes enc = EncodeFileMetaData(md);
  EXPECT_EQ(enc, Bytes(footer.begin(), footer.end()));
  auto again = DecodeFileMetaData(enc);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, md);
  EXPECT_EQ(EncodeFileMetaData(*again), enc);
}

TEST(RealFooter, ParquetWasmZstd) {
  auto dec = DecodeFileMetaData(ZstdFooter());
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  const FileMetaData& md = *dec;
  ExpectPinsCommon(md);
  EXPECT_EQ(md.created_by, "parquet-wasm 0.8.0 (make-samples.mjs)");
  EXPECT_EQ(md.schema[0].name, "arrow_schema");
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(md.schema[i].repetition_type, FieldRepetitionType::REQUIRED);
  }
  EXPECT_EQ(md.schema[1].logical_type, LogicalType::String());
  EXPECT_EQ(md.schema[2].logical_type, LogicalType::String());
  EXPECT_FALSE(md.schema[3].logical_type.has_value());
  EXPECT_EQ(md.schema[4].converted_type, ConvertedType::TIMESTAMP_MILLIS);
  EXPECT_EQ(md.schema[4].logical_type, LogicalType::Timestamp(true, TimeUnit::kMillis));
  ASSERT_TRUE(md.key_value_metadata.has_value());
  ASSERT_EQ(md.key_value_metadata->size(), 1u);
  EXPECT_EQ((*md.key_value_metadata)[0].key, "ARROW:schema");

  const RowGroup& rg0 = md.row_groups[0];
  EXPECT_EQ(rg0.total_byte_size, 41874);
  EXPECT_EQ(rg0.total_compressed_size, 20521);
  EXPECT_EQ(rg0.file_offset, 4);
  const RowGroup& rg1 = md.row_groups[1];
  EXPECT_EQ(rg1.total_compressed_size, 20533);
  EXPECT_EQ(rg1.file_offset, 20525);
  const ColumnMetaData& cid = *rg0.columns[0].meta_data;
  EXPECT_EQ(cid.encodings,
            (std::vector<Encoding>{Encoding::PLAIN, Encoding::RLE, Encoding::RLE_DICTIONARY}));
  EXPECT_EQ(cid.total_uncompressed_size, 31608);
  EXPECT_EQ(cid.total_compressed_size, 17046);
  EXPECT_EQ(cid.data_page_offset, 16451);
  EXPECT_EQ(cid.dictionary_page_offset, 4);
  ASSERT_TRUE(cid.encoding_stats.has_value());
  EXPECT_EQ(*cid.encoding_stats,
            (std::vector<PageEncodingStats>{{PageType::DATA_PAGE, Encoding::RLE_DICTIONARY, 1},
                                            {PageType::DICTIONARY_PAGE, Encoding::PLAIN, 1}}));
  const ColumnMetaData& replicas = *rg1.columns[4].meta_data;
  EXPECT_EQ(replicas.data_page_offset, 41001);
  EXPECT_EQ(replicas.total_compressed_size, 57);
  EXPECT_FALSE(replicas.dictionary_page_offset.has_value());
  // arrow-rs writes SizeStatistics for BYTE_ARRAY columns.
  ASSERT_TRUE(cid.size_statistics.has_value());
  EXPECT_TRUE(cid.size_statistics->unencoded_byte_array_data_bytes.has_value());
  ASSERT_TRUE(md.column_orders.has_value());
  EXPECT_EQ(*md.column_orders, TypeDefinedOrders(5));

  ExpectReencodeStable(ZstdFooter(), md);
}

TEST(RealFooter, DuckdbZstd) {
  auto dec = DecodeFileMetaData(DuckdbFooter());
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  const FileMetaData& md = *dec;
  ExpectPinsCommon(md);
  EXPECT_EQ(md.created_by, "DuckDB version v1.5.6 (build 069cc9f9b5)");
  EXPECT_EQ(md.schema[0].name, "duckdb_schema");
  EXPECT_EQ(md.schema[0].repetition_type, FieldRepetitionType::REQUIRED);
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(md.schema[i].repetition_type, FieldRepetitionType::OPTIONAL);
  }
  EXPECT_EQ(md.schema[3].converted_type, ConvertedType::INT_64);
  EXPECT_EQ(md.schema[4].converted_type, ConvertedType::TIMESTAMP_MICROS);
  EXPECT_EQ(md.schema[4].logical_type, LogicalType::Timestamp(true, TimeUnit::kMicros));
  EXPECT_EQ(md.schema[5].converted_type, ConvertedType::INT_32);

  const RowGroup& rg0 = md.row_groups[0];
  EXPECT_EQ(rg0.total_byte_size, 39617);
  EXPECT_EQ(rg0.total_compressed_size, 20509);
  EXPECT_EQ(rg0.file_offset, 4);
  EXPECT_EQ(md.row_groups[1].file_offset, 20513);
  const ColumnMetaData& backend = *rg0.columns[1].meta_data;
  EXPECT_EQ(backend.encodings, std::vector<Encoding>{Encoding::PLAIN_DICTIONARY});
  EXPECT_EQ(backend.dictionary_page_offset, 16585);
  EXPECT_EQ(backend.data_page_offset, 16653);
  EXPECT_EQ(backend.statistics->distinct_count, 4);
  EXPECT_EQ(backend.statistics->min, "filecoin");
  EXPECT_EQ(backend.statistics->max, "s3");
  const ColumnMetaData& cid = *rg0.columns[0].meta_data;
  EXPECT_EQ(cid.encodings, std::vector<Encoding>{Encoding::PLAIN});
  EXPECT_EQ(cid.total_compressed_size, 16581);

  ExpectReencodeStable(DuckdbFooter(), md);
}

Bytes FromHex(std::string_view hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Page headers copied from the sample files (offsets from the footers above).
TEST(RealPageHeader, DecodesAndReencodesIdentically) {
  struct Case {
    const char* what;
    const char* hex;
    PageHeader want;
  };
  PageHeader dict;  // pins_zstd.parquet @4: cid dictionary page
  dict.type = PageType::DICTIONARY_PAGE;
  dict.uncompressed_page_size = 31000;
  dict.compressed_page_size = 16428;
  dict.dictionary_page_header = DictionaryPageHeader{500, Encoding::PLAIN, false};
  PageHeader data;  // pins_zstd.parquet @16451: cid data page
  data.type = PageType::DATA_PAGE;
  data.uncompressed_page_size = 569;
  data.compressed_page_size = 579;
  data.data_page_header =
      DataPageHeader{500, Encoding::RLE_DICTIONARY, Encoding::RLE, Encoding::RLE, std::nullopt};
  PageHeader duck;  // pins_duckdb_zstd.parquet @16653: backend data page
  duck.type = PageType::DATA_PAGE;
  duck.uncompressed_page_size = 202;
  duck.compressed_page_size = 31;
  duck.data_page_header =
      DataPageHeader{500, Encoding::PLAIN_DICTIONARY, Encoding::RLE, Encoding::RLE, std::nullopt};
  const Case cases[] = {
      {"wasm dict", "150415b0e40315d880024c15e8071500120000", dict},
      {"wasm data", "150015f2081586092c15e8071510150615060000", data},
      {"duckdb data", "1500159403153e2c15e8071504150615060000", duck},
  };
  for (const Case& c : cases) {
    Bytes bytes = FromHex(c.hex);
    Bytes with_data = bytes;
    with_data.insert(with_data.end(), 8, 0x28);  // compressed page data follows
    size_t consumed = 0;
    auto h = DecodePageHeader(with_data, &consumed);
    ASSERT_TRUE(h.ok()) << c.what << ": " << h.status().ToString();
    EXPECT_EQ(*h, c.want) << c.what;
    EXPECT_EQ(consumed, bytes.size()) << c.what;
    Bytes enc;
    EncodePageHeader(*h, enc);
    EXPECT_EQ(enc, bytes) << c.what;
  }
}

TEST(RealFooter, TruncatedAtEveryPrefix) {
  for (ByteView footer : {ZstdFooter(), DuckdbFooter()}) {
    for (size_t len = 0; len < footer.size(); ++len) {
      auto dec = DecodeFileMetaData(footer.first(len));
      ASSERT_FALSE(dec.ok()) << "prefix " << len;
      EXPECT_EQ(dec.status().code(), StatusCode::kCorruption);
    }
  }
}

TEST(RealFooter, MutationsDoNotCrash) {
  std::mt19937 rng(2024);
  for (ByteView footer : {ZstdFooter(), DuckdbFooter()}) {
    for (int iter = 0; iter < 3000; ++iter) {
      Bytes buf(footer.begin(), footer.end());
      int flips = 1 + rng() % 3;
      for (int i = 0; i < flips; ++i) buf[rng() % buf.size()] = static_cast<uint8_t>(rng());
      auto dec = DecodeFileMetaData(buf);
      if (dec.ok()) {
        // Whatever decodes must re-encode and decode to the same value.
        auto again = DecodeFileMetaData(EncodeFileMetaData(*dec));
        ASSERT_TRUE(again.ok()) << again.status().ToString();
        EXPECT_EQ(*again, *dec);
      }
    }
  }
}

}  // namespace
}  // namespace ipfs_kit::parquet::format
