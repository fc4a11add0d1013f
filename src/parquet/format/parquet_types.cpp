// Parquet metadata structs <-> Thrift compact protocol. See parquet_types.h.

#include "format/parquet_types.h"

#include <string>
#include <type_traits>
#include <utility>

namespace ipfs_kit::parquet::format {

namespace {

using thrift::CompactReader;
using thrift::CompactWriter;

// ---------------------------------------------------------------------------------------
// Wire<T>: compact type code, element reader and element writer of a field/element type.

template <typename T>
struct Wire {  // structs
  static constexpr uint8_t kType = thrift::kStruct;
  static Status Read(CompactReader& r, T* v) { return T::Read(r, v); }
  static void Write(CompactWriter& w, const T& v) { v.Write(w); }
};

template <>
struct Wire<bool> {
  static constexpr uint8_t kType = thrift::kBoolTrue;
  static Status Read(CompactReader& r, bool* v) { return r.ReadBool(v); }
  static void Write(CompactWriter& w, bool v) { w.WriteBool(v); }
};

template <>
struct Wire<int8_t> {
  static constexpr uint8_t kType = thrift::kByte;
  static Status Read(CompactReader& r, int8_t* v) { return r.ReadByte(v); }
  static void Write(CompactWriter& w, int8_t v) { w.WriteByte(v); }
};

template <>
struct Wire<int16_t> {
  static constexpr uint8_t kType = thrift::kI16;
  static Status Read(CompactReader& r, int16_t* v) { return r.ReadI16(v); }
  static void Write(CompactWriter& w, int16_t v) { w.WriteI16(v); }
};

template <>
struct Wire<int32_t> {
  static constexpr uint8_t kType = thrift::kI32;
  static Status Read(CompactReader& r, int32_t* v) { return r.ReadI32(v); }
  static void Write(CompactWriter& w, int32_t v) { w.WriteI32(v); }
};

template <>
struct Wire<int64_t> {
  static constexpr uint8_t kType = thrift::kI64;
  static Status Read(CompactReader& r, int64_t* v) { return r.ReadI64(v); }
  static void Write(CompactWriter& w, int64_t v) { w.WriteI64(v); }
};

template <>
struct Wire<std::string> {
  static constexpr uint8_t kType = thrift::kBinary;
  static Status Read(CompactReader& r, std::string* v) { return r.ReadString(v); }
  static void Write(CompactWriter& w, const std::string& v) { w.WriteString(v); }
};

// Thrift enums are i32 on the wire; unknown values are kept.
template <typename E>
requires std::is_enum_v<E>
struct Wire<E> {
  static_assert(std::is_same_v<std::underlying_type_t<E>, int32_t>);
  static constexpr uint8_t kType = thrift::kI32;
  static Status Read(CompactReader& r, E* v) {
    int32_t x;
    RETURN_IF_ERROR(r.ReadI32(&x));
    *v = static_cast<E>(x);
    return Status::Ok();
  }
  static void Write(CompactWriter& w, E v) { w.WriteI32(static_cast<int32_t>(v)); }
};

template <typename T>
constexpr bool kSmallElement = std::is_arithmetic_v<T> || std::is_enum_v<T>;

// ---------------------------------------------------------------------------------------
// Reading

Status WrongType(const CompactReader& r, const char* st, const char* field, uint8_t got,
                 uint8_t want) {
  return CompactReader::Corrupt(std::string(st) + "." + field + " has wire type " +
                                    thrift::TypeName(got) + ", expected " + thrift::TypeName(want),
                                r.position());
}

bool TypeMatches(uint8_t got, uint8_t want) {
  if (want == thrift::kBoolTrue) return got == thrift::kBoolTrue || got == thrift::kBoolFalse;
  return got == want;
}

template <typename T>
Status ReadValue(CompactReader& r, uint8_t type, const char* st, const char* field, T* v) {
  if (!TypeMatches(type, Wire<T>::kType)) return WrongType(r, st, field, type, Wire<T>::kType);
  return Wire<T>::Read(r, v);
}

template <typename T>
Status ReadValue(CompactReader& r, uint8_t type, const char* st, const char* field,
                 std::vector<T>* v) {
  if (type != thrift::kList) return WrongType(r, st, field, type, thrift::kList);
  size_t start = r.position();
  uint8_t et;
  uint32_t n;
  RETURN_IF_ERROR(r.ReadListBegin(&et, &n));
  if (n > 0 && !TypeMatches(et, Wire<T>::kType)) {
    return CompactReader::Corrupt(std::string(st) + "." + field + " has element type " +
                                      thrift::TypeName(et) + ", expected " +
                                      thrift::TypeName(Wire<T>::kType),
                                  start);
  }
  v->clear();
  // n is bounded by the remaining input; only reserve for small elements so that a list of
  // tiny encoded structs cannot reserve n large objects up front.
  if constexpr (kSmallElement<T>) v->reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    v->emplace_back();
    RETURN_IF_ERROR(Wire<T>::Read(r, &v->back()));
  }
  return Status::Ok();
}

template <typename T>
Status ReadValue(CompactReader& r, uint8_t type, const char* st, const char* field,
                 std::optional<T>* v) {
  T x{};
  RETURN_IF_ERROR(ReadValue(r, type, st, field, &x));
  *v = std::move(x);
  return Status::Ok();
}

// Reads a struct: StructBegin, on_field(id, type) for every field until STOP, StructEnd.
template <typename F>
Status ReadStruct(CompactReader& r, F&& on_field) {
  RETURN_IF_ERROR(r.StructBegin());
  for (;;) {
    int16_t id;
    uint8_t type;
    RETURN_IF_ERROR(r.ReadFieldBegin(&id, &type));
    if (type == thrift::kStop) break;
    RETURN_IF_ERROR(on_field(id, type));
  }
  return r.StructEnd();
}

Status Missing(const CompactReader& r, const char* st, const char* field) {
  return CompactReader::Corrupt(std::string("required field ") + st + "." + field + " missing",
                                r.position());
}

// A union whose members are all (empty) structs: sets *id to the member's field id, or 0
// if the union is empty and allow_empty. The member's content is skipped.
Status ReadStructUnion(CompactReader& r, const char* st, const char* field, int16_t* id,
                       bool allow_empty) {
  int members = 0;
  *id = 0;
  size_t start = r.position();
  RETURN_IF_ERROR(ReadStruct(r, [&](int16_t fid, uint8_t wt) -> Status {
    if (wt != thrift::kStruct) return WrongType(r, st, field, wt, thrift::kStruct);
    if (++members > 1) {
      return CompactReader::Corrupt(
          std::string(st) + "." + field + " union has more than one member", r.position());
    }
    *id = fid;
    return r.Skip(wt);
  }));
  if (members == 0 && !allow_empty) {
    return CompactReader::Corrupt(std::string(st) + "." + field + " union has no member", start);
  }
  return Status::Ok();
}

Status ReadEmptyStruct(CompactReader& r) {
  return ReadStruct(r, [&](int16_t, uint8_t wt) { return r.Skip(wt); });
}

// Field-reading shorthands inside a Read(): `kS` names the struct, `out` the destination,
// `wt` is the wire type from the field header,
// `seen` collects required-field bits.
#define PQ_OPT(n, member) \
  case n:                 \
    return ReadValue(r, wt, kS, #member, &out->member)
#define PQ_REQ(n, member) \
  case n:                 \
    seen |= 1u << (n);    \
    return ReadValue(r, wt, kS, #member, &out->member)
#define PQ_CHECK(n, member) \
  if (!(seen & (1u << (n)))) return Missing(r, kS, #member)

// ---------------------------------------------------------------------------------------
// Writing

template <typename T>
void WriteField(CompactWriter& w, int16_t id, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    w.FieldBool(id, v);
  } else {
    w.WriteFieldBegin(id, Wire<T>::kType);
    Wire<T>::Write(w, v);
  }
}

template <typename T>
void WriteField(CompactWriter& w, int16_t id, const std::vector<T>& v) {
  w.FieldListBegin(id, Wire<T>::kType, v.size());
  for (const T& x : v) Wire<T>::Write(w, x);
}

template <typename T>
void WriteField(CompactWriter& w, int16_t id, const std::optional<T>& v) {
  if (v) WriteField(w, id, *v);
}

void WriteTimeUnit(CompactWriter& w, int16_t id, TimeUnit u) {
  w.FieldStructBegin(id);
  w.FieldEmptyStruct(static_cast<int16_t>(u));
  w.StructEnd();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Names

const char* TypeName(Type t) {
  switch (t) {
    case Type::BOOLEAN:
      return "BOOLEAN";
    case Type::INT32:
      return "INT32";
    case Type::INT64:
      return "INT64";
    case Type::INT96:
      return "INT96";
    case Type::FLOAT:
      return "FLOAT";
    case Type::DOUBLE:
      return "DOUBLE";
    case Type::BYTE_ARRAY:
      return "BYTE_ARRAY";
    case Type::FIXED_LEN_BYTE_ARRAY:
      return "FIXED_LEN_BYTE_ARRAY";
  }
  return "?";
}

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::PLAIN:
      return "PLAIN";
    case Encoding::PLAIN_DICTIONARY:
      return "PLAIN_DICTIONARY";
    case Encoding::RLE:
      return "RLE";
    case Encoding::BIT_PACKED:
      return "BIT_PACKED";
    case Encoding::DELTA_BINARY_PACKED:
      return "DELTA_BINARY_PACKED";
    case Encoding::DELTA_LENGTH_BYTE_ARRAY:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::DELTA_BYTE_ARRAY:
      return "DELTA_BYTE_ARRAY";
    case Encoding::RLE_DICTIONARY:
      return "RLE_DICTIONARY";
    case Encoding::BYTE_STREAM_SPLIT:
      return "BYTE_STREAM_SPLIT";
  }
  return "?";
}

const char* CodecName(CompressionCodec c) {
  switch (c) {
    case CompressionCodec::UNCOMPRESSED:
      return "UNCOMPRESSED";
    case CompressionCodec::SNAPPY:
      return "SNAPPY";
    case CompressionCodec::GZIP:
      return "GZIP";
    case CompressionCodec::LZO:
      return "LZO";
    case CompressionCodec::BROTLI:
      return "BROTLI";
    case CompressionCodec::LZ4:
      return "LZ4";
    case CompressionCodec::ZSTD:
      return "ZSTD";
    case CompressionCodec::LZ4_RAW:
      return "LZ4_RAW";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------
// Statistics

void Statistics::Write(CompactWriter& w) const {
  w.StructBegin();
  WriteField(w, 1, max);
  WriteField(w, 2, min);
  WriteField(w, 3, null_count);
  WriteField(w, 4, distinct_count);
  WriteField(w, 5, max_value);
  WriteField(w, 6, min_value);
  WriteField(w, 7, is_max_value_exact);
  WriteField(w, 8, is_min_value_exact);
  WriteField(w, 9, nan_count);
  w.StructEnd();
}

Status Statistics::Read(CompactReader& r, Statistics* out) {
  static constexpr const char* kS = "Statistics";
  *out = Statistics();
  return ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_OPT(1, max);
      PQ_OPT(2, min);
      PQ_OPT(3, null_count);
      PQ_OPT(4, distinct_count);
      PQ_OPT(5, max_value);
      PQ_OPT(6, min_value);
      PQ_OPT(7, is_max_value_exact);
      PQ_OPT(8, is_min_value_exact);
      PQ_OPT(9, nan_count);
      default:
        return r.Skip(wt);
    }
  });
}

// ---------------------------------------------------------------------------------------
// LogicalType

LogicalType LogicalType::Timestamp(bool utc, TimeUnit u) {
  LogicalType t = Simple(Kind::kTimestamp);
  t.is_adjusted_to_utc = utc;
  t.unit = u;
  return t;
}

LogicalType LogicalType::Time(bool utc, TimeUnit u) {
  LogicalType t = Simple(Kind::kTime);
  t.is_adjusted_to_utc = utc;
  t.unit = u;
  return t;
}

LogicalType LogicalType::Decimal(int32_t scale, int32_t precision) {
  LogicalType t = Simple(Kind::kDecimal);
  t.scale = scale;
  t.precision = precision;
  return t;
}

LogicalType LogicalType::Integer(int8_t bit_width, bool is_signed) {
  LogicalType t = Simple(Kind::kInteger);
  t.bit_width = bit_width;
  t.is_signed = is_signed;
  return t;
}

void LogicalType::Write(CompactWriter& w) const {
  w.StructBegin();
  switch (kind) {
    case Kind::kNone:
      break;
    case Kind::kString:
      w.FieldEmptyStruct(1);
      break;
    case Kind::kMap:
      w.FieldEmptyStruct(2);
      break;
    case Kind::kList:
      w.FieldEmptyStruct(3);
      break;
    case Kind::kEnum:
      w.FieldEmptyStruct(4);
      break;
    case Kind::kDecimal:
      w.FieldStructBegin(5);
      w.FieldI32(1, scale);
      w.FieldI32(2, precision);
      w.StructEnd();
      break;
    case Kind::kDate:
      w.FieldEmptyStruct(6);
      break;
    case Kind::kTime:
    case Kind::kTimestamp:
      w.FieldStructBegin(kind == Kind::kTime ? 7 : 8);
      w.FieldBool(1, is_adjusted_to_utc);
      WriteTimeUnit(w, 2, unit);
      w.StructEnd();
      break;
    case Kind::kInteger:
      w.FieldStructBegin(10);
      w.FieldByte(1, bit_width);
      w.FieldBool(2, is_signed);
      w.StructEnd();
      break;
    case Kind::kUnknown:
      w.FieldEmptyStruct(11);
      break;
    case Kind::kJson:
      w.FieldEmptyStruct(12);
      break;
    case Kind::kBson:
      w.FieldEmptyStruct(13);
      break;
    case Kind::kUuid:
      w.FieldEmptyStruct(14);
      break;
    case Kind::kFloat16:
      w.FieldEmptyStruct(15);
      break;
    case Kind::kOther:
      w.WriteFieldBegin(other_field_id, other_type);
      w.WriteRaw(other_value);
      break;
  }
  w.StructEnd();
}

namespace {

// TimeType / TimestampType: 1: required bool isAdjustedToUTC, 2: required TimeUnit unit.
Status ReadTimeLike(CompactReader& r, const char* kS, LogicalType* out) {
  uint32_t seen = 0;
  auto on_field = [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      case 1:
        seen |= 1u << 1;
        return ReadValue(r, wt, kS, "isAdjustedToUTC", &out->is_adjusted_to_utc);
      case 2: {
        seen |= 1u << 2;
        if (wt != thrift::kStruct) return WrongType(r, kS, "unit", wt, thrift::kStruct);
        size_t at = r.position();
        int16_t unit_id;
        RETURN_IF_ERROR(ReadStructUnion(r, kS, "unit", &unit_id, /*allow_empty=*/false));
        if (unit_id < 1 || unit_id > 3) {
          return CompactReader::Corrupt(
              std::string(kS) + ".unit has unknown member " + std::to_string(unit_id), at);
        }
        out->unit = static_cast<TimeUnit>(unit_id);
        return Status::Ok();
      }
      default:
        return r.Skip(wt);
    }
  };
  RETURN_IF_ERROR(ReadStruct(r, on_field));
  if (!(seen & (1u << 1))) return Missing(r, kS, "isAdjustedToUTC");
  if (!(seen & (1u << 2))) return Missing(r, kS, "unit");
  return Status::Ok();
}

Status ReadDecimal(CompactReader& r, LogicalType* out) {
  static constexpr const char* kS = "DecimalType";
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_REQ(1, scale);
      PQ_REQ(2, precision);
      default:
        return r.Skip(wt);
    }
  }));
  PQ_CHECK(1, scale);
  PQ_CHECK(2, precision);
  return Status::Ok();
}

Status ReadInteger(CompactReader& r, LogicalType* out) {
  static constexpr const char* kS = "IntType";
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_REQ(1, bit_width);
      PQ_REQ(2, is_signed);
      default:
        return r.Skip(wt);
    }
  }));
  PQ_CHECK(1, bit_width);
  PQ_CHECK(2, is_signed);
  return Status::Ok();
}

}  // namespace

Status LogicalType::Read(CompactReader& r, LogicalType* out) {
  static constexpr const char* kS = "LogicalType";
  *out = LogicalType();
  int members = 0;
  return ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    if (++members > 1) {
      return CompactReader::Corrupt("LogicalType union has more than one member", r.position());
    }
    bool known = (id >= 1 && id <= 8) || (id >= 10 && id <= 15);
    if (!known) {
      out->kind = Kind::kOther;
      out->other_field_id = id;
      out->other_type = wt;
      ByteView raw;
      RETURN_IF_ERROR(r.SkipCapture(wt, &raw));
      out->other_value.assign(raw.begin(), raw.end());
      return Status::Ok();
    }
    if (wt != thrift::kStruct) return WrongType(r, kS, "member", wt, thrift::kStruct);
    switch (id) {
      case 1:
        out->kind = Kind::kString;
        return ReadEmptyStruct(r);
      case 2:
        out->kind = Kind::kMap;
        return ReadEmptyStruct(r);
      case 3:
        out->kind = Kind::kList;
        return ReadEmptyStruct(r);
      case 4:
        out->kind = Kind::kEnum;
        return ReadEmptyStruct(r);
      case 5:
        out->kind = Kind::kDecimal;
        return ReadDecimal(r, out);
      case 6:
        out->kind = Kind::kDate;
        return ReadEmptyStruct(r);
      case 7:
        out->kind = Kind::kTime;
        return ReadTimeLike(r, "TimeType", out);
      case 8:
        out->kind = Kind::kTimestamp;
        return ReadTimeLike(r, "TimestampType", out);
      case 10:
        out->kind = Kind::kInteger;
        return ReadInteger(r, out);
      case 11:
        out->kind = Kind::kUnknown;
        return ReadEmptyStruct(r);
      case 12:
        out->kind = Kind::kJson;
        return ReadEmptyStruct(r);
      case 13:
        out->kind = Kind::kBson;
        return ReadEmptyStruct(r);
      case 14:
        out->kind = Kind::kUuid;
        return ReadEmptyStruct(r);
      case 15:
        out->kind = Kind::kFloat16;
        return ReadEmptyStruct(r);
    }
    return r.Skip(wt);  // unreachable
  });
}

// ---------------------------------------------------------------------------------------
// SchemaElement

void SchemaElement::Write(CompactWriter& w) const {
  w.StructBegin();
  WriteField(w, 1, type);
  WriteField(w, 2, type_length);
  WriteField(w, 3, repetition_type);
  WriteField(w, 4, name);
  WriteField(w, 5, num_children);
  WriteField(w, 6, converted_type);
  WriteField(w, 7, scale);
  WriteField(w, 8, precision);
  WriteField(w, 9, field_id);
  WriteField(w, 10, logical_type);
  w.StructEnd();
}

Status SchemaElement::Read(CompactReader& r, SchemaElement* out) {
  static constexpr const char* kS = "SchemaElement";
  *out = SchemaElement();
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_OPT(1, type);
      PQ_OPT(2, type_length);
      PQ_OPT(3, repetition_type);
      PQ_REQ(4, name);
      PQ_OPT(5, num_children);
      PQ_OPT(6, converted_type);
      PQ_OPT(7, scale);
      PQ_OPT(8, precision);
      PQ_OPT(9, field_id);
      PQ_OPT(10, logical_type);
      default:
        return r.Skip(wt);
    }
  }));
  PQ_CHECK(4, name);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// KeyValue

void KeyValue::Write(CompactWriter& w) const {
  w.StructBegin();
  WriteField(w, 1, key);
  WriteField(w, 2, value);
  w.StructEnd();
}

Status KeyValue::Read(CompactReader& r, KeyValue* out) {
  static constexpr const char* kS = "KeyValue";
  *out = KeyValue();
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_REQ(1, key);
      PQ_OPT(2, value);
      default:
        return r.Skip(wt);
    }
  }));
  PQ_CHECK(1, key);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// PageEncodingStats

void PageEncodingStats::Write(CompactWriter& w) const {
  w.StructBegin();
  WriteField(w, 1, page_type);
  WriteField(w, 2, encoding);
  WriteField(w, 3, count);
  w.StructEnd();
}

Status PageEncodingStats::Read(CompactReader& r, PageEncodingStats* out) {
  static constexpr const char* kS = "PageEncodingStats";
  *out = PageEncodingStats();
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_REQ(1, page_type);
      PQ_REQ(2, encoding);
      PQ_REQ(3, count);
      default:
        return r.Skip(wt);
    }
  }));
  PQ_CHECK(1, page_type);
  PQ_CHECK(2, encoding);
  PQ_CHECK(3, count);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// SizeStatistics

void SizeStatistics::Write(CompactWriter& w) const {
  w.StructBegin();
  WriteField(w, 1, unencoded_byte_array_data_bytes);
  WriteField(w, 2, repetition_level_histogram);
  WriteField(w, 3, definition_level_histogram);
  w.StructEnd();
}

Status SizeStatistics::Read(CompactReader& r, SizeStatistics* out) {
  static constexpr const char* kS = "SizeStatistics";
  *out = SizeStatistics();
  return ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_OPT(1, unencoded_byte_array_data_bytes);
      PQ_OPT(2, repetition_level_histogram);
      PQ_OPT(3, definition_level_histogram);
      default:
        return r.Skip(wt);
    }
  });
}

// ---------------------------------------------------------------------------------------
// ColumnMetaData

void ColumnMetaData::Write(CompactWriter& w) const {
  w.StructBegin();
  WriteField(w, 1, type);
  WriteField(w, 2, encodings);
  WriteField(w, 3, path_in_schema);
  WriteField(w, 4, codec);
  WriteField(w, 5, num_values);
  WriteField(w, 6, total_uncompressed_size);
  WriteField(w, 7, total_compressed_size);
  WriteField(w, 8, key_value_metadata);
  WriteField(w, 9, data_page_offset);
  WriteField(w, 10, index_page_offset);
  WriteField(w, 11, dictionary_page_offset);
  WriteField(w, 12, statistics);
  WriteField(w, 13, encoding_stats);
  WriteField(w, 14, bloom_filter_offset);
  WriteField(w, 15, bloom_filter_length);
  WriteField(w, 16, size_statistics);
  w.StructEnd();
}

Status ColumnMetaData::Read(CompactReader& r, ColumnMetaData* out) {
  static constexpr const char* kS = "ColumnMetaData";
  *out = ColumnMetaData();
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_REQ(1, type);
      PQ_REQ(2, encodings);
      PQ_REQ(3, path_in_schema);
      PQ_REQ(4, codec);
      PQ_REQ(5, num_values);
      PQ_REQ(6, total_uncompressed_size);
      PQ_REQ(7, total_compressed_size);
      PQ_OPT(8, key_value_metadata);
      PQ_REQ(9, data_page_offset);
      PQ_OPT(10, index_page_offset);
      PQ_OPT(11, dictionary_page_offset);
      PQ_OPT(12, statistics);
      PQ_OPT(13, encoding_stats);
      PQ_OPT(14, bloom_filter_offset);
      PQ_OPT(15, bloom_filter_length);
      PQ_OPT(16, size_statistics);
      default:
        return r.Skip(wt);  // 17 geospatial_statistics, ...
    }
  }));
  PQ_CHECK(1, type);
  PQ_CHECK(2, encodings);
  PQ_CHECK(3, path_in_schema);
  PQ_CHECK(4, codec);
  PQ_CHECK(5, num_values);
  PQ_CHECK(6, total_uncompressed_size);
  PQ_CHECK(7, total_compressed_size);
  PQ_CHECK(9, data_page_offset);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// ColumnChunk

void ColumnChunk::Write(CompactWriter& w) const {
  w.StructBegin();
  WriteField(w, 1, file_path);
  WriteField(w, 2, file_offset);
  WriteField(w, 3, meta_data);
  WriteField(w, 4, offset_index_offset);
  WriteField(w, 5, offset_index_length);
  WriteField(w, 6, column_index_offset);
  WriteField(w, 7, column_index_length);
  w.StructEnd();
}

Status ColumnChunk::Read(CompactReader& r, ColumnChunk* out) {
  static constexpr const char* kS = "ColumnChunk";
  *out = ColumnChunk();
  // file_offset is required in parquet.thrift but deprecated with a default of 0; a
  // missing one is accepted as 0.
  return ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_OPT(1, file_path);
      PQ_OPT(2, file_offset);
      PQ_OPT(3, meta_data);
      PQ_OPT(4, offset_index_offset);
      PQ_OPT(5, offset_index_length);
      PQ_OPT(6, column_index_offset);
      PQ_OPT(7, column_index_length);
      default:
        return r.Skip(wt);  // 8 crypto_metadata, 9 encrypted_column_metadata
    }
  });
}

// ---------------------------------------------------------------------------------------
// SortingColumn

void SortingColumn::Write(CompactWriter& w) const {
  w.StructBegin();
  WriteField(w, 1, column_idx);
  WriteField(w, 2, descending);
  WriteField(w, 3, nulls_first);
  w.StructEnd();
}

Status SortingColumn::Read(CompactReader& r, SortingColumn* out) {
  static constexpr const char* kS = "SortingColumn";
  *out = SortingColumn();
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_REQ(1, column_idx);
      PQ_REQ(2, descending);
      PQ_REQ(3, nulls_first);
      default:
        return r.Skip(wt);
    }
  }));
  PQ_CHECK(1, column_idx);
  PQ_CHECK(2, descending);
  PQ_CHECK(3, nulls_first);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// RowGroup

void RowGroup::Write(CompactWriter& w) const {
  w.StructBegin();
  WriteField(w, 1, columns);
  WriteField(w, 2, total_byte_size);
  WriteField(w, 3, num_rows);
  WriteField(w, 4, sorting_columns);
  WriteField(w, 5, file_offset);
  WriteField(w, 6, total_compressed_size);
  WriteField(w, 7, ordinal);
  w.StructEnd();
}

Status RowGroup::Read(CompactReader& r, RowGroup* out) {
  static constexpr const char* kS = "RowGroup";
  *out = RowGroup();
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_REQ(1, columns);
      PQ_REQ(2, total_byte_size);
      PQ_REQ(3, num_rows);
      PQ_OPT(4, sorting_columns);
      PQ_OPT(5, file_offset);
      PQ_OPT(6, total_compressed_size);
      PQ_OPT(7, ordinal);
      default:
        return r.Skip(wt);
    }
  }));
  PQ_CHECK(1, columns);
  PQ_CHECK(2, total_byte_size);
  PQ_CHECK(3, num_rows);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// ColumnOrder

void ColumnOrder::Write(CompactWriter& w) const {
  w.StructBegin();
  if (kind != 0) w.FieldEmptyStruct(kind);
  w.StructEnd();
}

Status ColumnOrder::Read(CompactReader& r, ColumnOrder* out) {
  // An empty union (kind 0) is accepted: readers then just cannot use min/max ordering.
  return ReadStructUnion(r, "ColumnOrder", "member", &out->kind, /*allow_empty=*/true);
}

std::vector<ColumnOrder> TypeDefinedOrders(size_t num_leaves) {
  return std::vector<ColumnOrder>(num_leaves, ColumnOrder{ColumnOrder::kTypeDefinedOrder});
}

// ---------------------------------------------------------------------------------------
// FileMetaData

void FileMetaData::Write(CompactWriter& w) const {
  w.StructBegin();
  WriteField(w, 1, version);
  WriteField(w, 2, schema);
  WriteField(w, 3, num_rows);
  WriteField(w, 4, row_groups);
  WriteField(w, 5, key_value_metadata);
  WriteField(w, 6, created_by);
  WriteField(w, 7, column_orders);
  w.StructEnd();
}

Status FileMetaData::Read(CompactReader& r, FileMetaData* out) {
  static constexpr const char* kS = "FileMetaData";
  *out = FileMetaData();
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_REQ(1, version);
      PQ_REQ(2, schema);
      PQ_REQ(3, num_rows);
      PQ_REQ(4, row_groups);
      PQ_OPT(5, key_value_metadata);
      PQ_OPT(6, created_by);
      PQ_OPT(7, column_orders);
      default:
        return r.Skip(wt);  // 8 encryption_algorithm, 9 footer_signing_key_metadata
    }
  }));
  PQ_CHECK(1, version);
  PQ_CHECK(2, schema);
  PQ_CHECK(3, num_rows);
  PQ_CHECK(4, row_groups);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Page headers

void DataPageHeader::Write(CompactWriter& w) const {
  w.StructBegin();
  WriteField(w, 1, num_values);
  WriteField(w, 2, encoding);
  WriteField(w, 3, definition_level_encoding);
  WriteField(w, 4, repetition_level_encoding);
  WriteField(w, 5, statistics);
  w.StructEnd();
}

Status DataPageHeader::Read(CompactReader& r, DataPageHeader* out) {
  static constexpr const char* kS = "DataPageHeader";
  *out = DataPageHeader();
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_REQ(1, num_values);
      PQ_REQ(2, encoding);
      PQ_REQ(3, definition_level_encoding);
      PQ_REQ(4, repetition_level_encoding);
      PQ_OPT(5, statistics);
      default:
        return r.Skip(wt);
    }
  }));
  PQ_CHECK(1, num_values);
  PQ_CHECK(2, encoding);
  PQ_CHECK(3, definition_level_encoding);
  PQ_CHECK(4, repetition_level_encoding);
  return Status::Ok();
}

void IndexPageHeader::Write(CompactWriter& w) const {
  w.StructBegin();
  w.StructEnd();
}

Status IndexPageHeader::Read(CompactReader& r, IndexPageHeader*) { return ReadEmptyStruct(r); }

void DictionaryPageHeader::Write(CompactWriter& w) const {
  w.StructBegin();
  WriteField(w, 1, num_values);
  WriteField(w, 2, encoding);
  WriteField(w, 3, is_sorted);
  w.StructEnd();
}

Status DictionaryPageHeader::Read(CompactReader& r, DictionaryPageHeader* out) {
  static constexpr const char* kS = "DictionaryPageHeader";
  *out = DictionaryPageHeader();
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_REQ(1, num_values);
      PQ_REQ(2, encoding);
      PQ_OPT(3, is_sorted);
      default:
        return r.Skip(wt);
    }
  }));
  PQ_CHECK(1, num_values);
  PQ_CHECK(2, encoding);
  return Status::Ok();
}

void DataPageHeaderV2::Write(CompactWriter& w) const {
  w.StructBegin();
  WriteField(w, 1, num_values);
  WriteField(w, 2, num_nulls);
  WriteField(w, 3, num_rows);
  WriteField(w, 4, encoding);
  WriteField(w, 5, definition_levels_byte_length);
  WriteField(w, 6, repetition_levels_byte_length);
  WriteField(w, 7, is_compressed);
  WriteField(w, 8, statistics);
  w.StructEnd();
}

Status DataPageHeaderV2::Read(CompactReader& r, DataPageHeaderV2* out) {
  static constexpr const char* kS = "DataPageHeaderV2";
  *out = DataPageHeaderV2();
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_REQ(1, num_values);
      PQ_REQ(2, num_nulls);
      PQ_REQ(3, num_rows);
      PQ_REQ(4, encoding);
      PQ_REQ(5, definition_levels_byte_length);
      PQ_REQ(6, repetition_levels_byte_length);
      PQ_OPT(7, is_compressed);
      PQ_OPT(8, statistics);
      default:
        return r.Skip(wt);
    }
  }));
  PQ_CHECK(1, num_values);
  PQ_CHECK(2, num_nulls);
  PQ_CHECK(3, num_rows);
  PQ_CHECK(4, encoding);
  PQ_CHECK(5, definition_levels_byte_length);
  PQ_CHECK(6, repetition_levels_byte_length);
  return Status::Ok();
}

void PageHeader::Write(CompactWriter& w) const {
  w.StructBegin();
  WriteField(w, 1, type);
  WriteField(w, 2, uncompressed_page_size);
  WriteField(w, 3, compressed_page_size);
  WriteField(w, 4, crc);
  WriteField(w, 5, data_page_header);
  WriteField(w, 6, index_page_header);
  WriteField(w, 7, dictionary_page_header);
  WriteField(w, 8, data_page_header_v2);
  w.StructEnd();
}

Status PageHeader::Read(CompactReader& r, PageHeader* out) {
  static constexpr const char* kS = "PageHeader";
  *out = PageHeader();
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(r, [&](int16_t id, uint8_t wt) -> Status {
    switch (id) {
      PQ_REQ(1, type);
      PQ_REQ(2, uncompressed_page_size);
      PQ_REQ(3, compressed_page_size);
      PQ_OPT(4, crc);
      PQ_OPT(5, data_page_header);
      PQ_OPT(6, index_page_header);
      PQ_OPT(7, dictionary_page_header);
      PQ_OPT(8, data_page_header_v2);
      default:
        return r.Skip(wt);
    }
  }));
  PQ_CHECK(1, type);
  PQ_CHECK(2, uncompressed_page_size);
  PQ_CHECK(3, compressed_page_size);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// BloomFilterHeader

void BloomFilterHeader::Write(CompactWriter& w) const {
  w.StructBegin();
  w.FieldI32(1, num_bytes);
  w.FieldStructBegin(2);
  w.FieldEmptyStruct(static_cast<int16_t>(algorithm));
  w.StructEnd();
  w.FieldStructBegin(3);
  w.FieldEmptyStruct(static_cast<int16_t>(hash));
  w.StructEnd();
  w.FieldStructBegin(4);
  w.FieldEmptyStruct(static_cast<int16_t>(compression));
  w.StructEnd();
  w.StructEnd();
}

Status BloomFilterHeader::Read(CompactReader& r, BloomFilterHeader* out) {
  static constexpr const char* kS = "BloomFilterHeader";
  *out = BloomFilterHeader();
  uint32_t seen = 0;
  auto read_union = [&](uint8_t type, const char* field, int16_t* id) -> Status {
    if (type != thrift::kStruct) return WrongType(r, kS, field, type, thrift::kStruct);
    return ReadStructUnion(r, kS, field, id, /*allow_empty=*/false);
  };
  auto on_field = [&](int16_t id, uint8_t wt) -> Status {
    int16_t member = 0;
    switch (id) {
      PQ_REQ(1, num_bytes);
      case 2:
        seen |= 1u << 2;
        RETURN_IF_ERROR(read_union(wt, "algorithm", &member));
        out->algorithm = static_cast<BloomFilterAlgorithm>(member);
        return Status::Ok();
      case 3:
        seen |= 1u << 3;
        RETURN_IF_ERROR(read_union(wt, "hash", &member));
        out->hash = static_cast<BloomFilterHash>(member);
        return Status::Ok();
      case 4:
        seen |= 1u << 4;
        RETURN_IF_ERROR(read_union(wt, "compression", &member));
        out->compression = static_cast<BloomFilterCompression>(member);
        return Status::Ok();
      default:
        return r.Skip(wt);
    }
  };
  RETURN_IF_ERROR(ReadStruct(r, on_field));
  PQ_CHECK(1, num_bytes);
  PQ_CHECK(2, algorithm);
  PQ_CHECK(3, hash);
  PQ_CHECK(4, compression);
  return Status::Ok();
}

#undef PQ_OPT
#undef PQ_REQ
#undef PQ_CHECK

// ---------------------------------------------------------------------------------------
// Top-level codecs

Result<FileMetaData> DecodeFileMetaData(ByteView in) {
  thrift::CompactReader r(in);
  FileMetaData md;
  RETURN_IF_ERROR(FileMetaData::Read(r, &md));
  if (r.remaining() != 0) {
    return CompactReader::Corrupt(
        std::to_string(r.remaining()) + " trailing bytes after FileMetaData", r.position());
  }
  return md;
}

Bytes EncodeFileMetaData(const FileMetaData& md) {
  Bytes out;
  CompactWriter w(out);
  md.Write(w);
  return out;
}

Result<PageHeader> DecodePageHeader(ByteView in, size_t* consumed) {
  thrift::CompactReader r(in);
  PageHeader h;
  RETURN_IF_ERROR(PageHeader::Read(r, &h));
  if (consumed) *consumed = r.position();
  return h;
}

void EncodePageHeader(const PageHeader& h, Bytes& out) {
  CompactWriter w(out);
  h.Write(w);
}

Result<BloomFilterHeader> DecodeBloomFilterHeader(ByteView in, size_t* consumed) {
  thrift::CompactReader r(in);
  BloomFilterHeader h;
  RETURN_IF_ERROR(BloomFilterHeader::Read(r, &h));
  if (consumed) *consumed = r.position();
  return h;
}

void EncodeBloomFilterHeader(const BloomFilterHeader& h, Bytes& out) {
  CompactWriter w(out);
  h.Write(w);
}

}  // namespace ipfs_kit::parquet::format
