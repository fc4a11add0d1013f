// Thrift compact protocol, written by hand for Parquet metadata (footer, page headers,
// Bloom filter headers). Only the struct/field/container encoding is implemented; there is
// no message (RPC) framing.
//
// Wire format summary (see the Apache Thrift "compact protocol" spec):
//   - i16/i32/i64 are zigzag-encoded ULEB128 varints; a byte (i8) is one raw byte; a double
//     is 8 bytes little-endian; binary/string is a varint length followed by the bytes.
//   - A field header is one byte (id delta 1..15 << 4 | type) when the id is 1..15 above the
//     previous field id of the same struct, otherwise the type byte followed by the id as a
//     zigzag varint i16. A bool field carries its value in the type (1 = true, 2 = false).
//     A struct ends with a STOP byte (0).
//   - A list/set header is one byte (size << 4 | element type) when size < 15, otherwise
//     0xF0 | element type followed by the size as a varint. A bool element is one byte
//     (1 = true; 2, or 0 in old writers, = false).
//   - A map header is a varint size, then (if size > 0) one byte key type << 4 | value type.
//
// CompactWriter appends to a Bytes buffer and cannot fail. CompactReader is strict and
// bounded: every read checks the remaining bytes, varints are at most 10 bytes, nesting is
// limited, container sizes and binary lengths are checked against the remaining input before
// anything is allocated, and every error is Status::Corruption("thrift: <what> at byte N").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::parquet::thrift {

// Compact protocol type codes (field header low nibble, container element types).
inline constexpr uint8_t kStop = 0;
inline constexpr uint8_t kBoolTrue = 1;   // also the element type of list<bool>
inline constexpr uint8_t kBoolFalse = 2;  // accepted as list<bool> element type when reading
inline constexpr uint8_t kByte = 3;       // i8
inline constexpr uint8_t kI16 = 4;
inline constexpr uint8_t kI32 = 5;
inline constexpr uint8_t kI64 = 6;
inline constexpr uint8_t kDouble = 7;
inline constexpr uint8_t kBinary = 8;  // binary and string
inline constexpr uint8_t kList = 9;
inline constexpr uint8_t kSet = 10;
inline constexpr uint8_t kMap = 11;
inline constexpr uint8_t kStruct = 12;
inline constexpr uint8_t kUuid = 13;  // 16 raw bytes

// Human-readable name of a type code ("i32", "struct", ...), for messages.
const char* TypeName(uint8_t type);

class CompactWriter {
 public:
  // Appends to `out`; `out` must outlive the writer.
  explicit CompactWriter(Bytes& out);

  CompactWriter(const CompactWriter&) = delete;
  CompactWriter& operator=(const CompactWriter&) = delete;

  // Struct framing. Every struct (top-level, field value or list element) is written as
  // StructBegin(), its fields, StructEnd(). StructEnd writes the STOP byte.
  void StructBegin();
  void StructEnd();

  // Low-level field header; `type` is kBoolTrue/kBoolFalse for bool fields (no value follows).
  void WriteFieldBegin(int16_t id, uint8_t type);
  void WriteStop();

  // Values: use after WriteFieldBegin, or as list/set/map elements.
  void WriteBool(bool v);  // element form: one byte, 1 or 2
  void WriteByte(int8_t v);
  void WriteI16(int16_t v);
  void WriteI32(int32_t v);
  void WriteI64(int64_t v);
  void WriteDouble(double v);
  void WriteBinary(ByteView v);
  void WriteString(std::string_view v) { WriteBinary(AsBytes(v)); }
  void WriteListBegin(uint8_t elem_type, size_t n);
  void WriteSetBegin(uint8_t elem_type, size_t n) { WriteListBegin(elem_type, n); }
  void WriteMapBegin(uint8_t key_type, uint8_t value_type, size_t n);
  void WriteVarint(uint64_t v);
  // Appends already-encoded bytes (e.g. a value captured by CompactReader::SkipCapture).
  void WriteRaw(ByteView v);

  // Field helpers: header + value.
  void FieldBool(int16_t id, bool v) { WriteFieldBegin(id, v ? kBoolTrue : kBoolFalse); }
  void FieldByte(int16_t id, int8_t v);
  void FieldI16(int16_t id, int16_t v);
  void FieldI32(int16_t id, int32_t v);
  void FieldI64(int16_t id, int64_t v);
  void FieldDouble(int16_t id, double v);
  void FieldBinary(int16_t id, std::string_view v);
  void FieldBinary(int16_t id, ByteView v);
  // Header of a struct-valued field followed by StructBegin(); close with StructEnd().
  void FieldStructBegin(int16_t id);
  // A struct-valued field with no fields (union members such as TypeDefinedOrder).
  void FieldEmptyStruct(int16_t id);
  // Header of a list-valued field followed by the list header; then write n elements.
  void FieldListBegin(int16_t id, uint8_t elem_type, size_t n);

  size_t size() const { return out_.size(); }

 private:
  Bytes& out_;
  std::vector<int16_t> last_ids_;  // last field id per open struct; [0] is the outer level
};

class CompactReader {
 public:
  static constexpr int kDefaultMaxDepth = 64;

  // Reads from `in`, which must outlive the reader. `max_depth` bounds the nesting of
  // structs and containers.
  explicit CompactReader(ByteView in, int max_depth = kDefaultMaxDepth);

  CompactReader(const CompactReader&) = delete;
  CompactReader& operator=(const CompactReader&) = delete;

  size_t position() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }

  // Struct framing. StructBegin enters a struct (checking the depth limit); read fields with
  // ReadFieldBegin until it yields kStop, then call StructEnd.
  Status StructBegin();
  Status StructEnd();

  // Reads a field header. At the end of the struct, *type is kStop and *id is 0. For bool
  // fields *type is kBoolTrue or kBoolFalse and the value is fetched with ReadBool (or
  // dropped with Skip). The type code is validated (1..13).
  Status ReadFieldBegin(int16_t* id, uint8_t* type);

  // Values. ReadBool returns the value of a bool field just read by ReadFieldBegin, otherwise
  // reads an element byte (1 = true, 0 or 2 = false).
  Status ReadBool(bool* v);
  Status ReadByte(int8_t* v);
  Status ReadI16(int16_t* v);
  Status ReadI32(int32_t* v);
  Status ReadI64(int64_t* v);
  Status ReadDouble(double* v);
  Status ReadVarint(uint64_t* v);
  // Binary/string; the view points into the input.
  Status ReadBinary(ByteView* v);
  Status ReadString(std::string* v);
  // Container headers. Element types are validated; *n is checked against the remaining
  // bytes (every element takes at least one byte), so callers may reserve(*n) for small
  // element types. A bool element type is reported as kBoolTrue.
  Status ReadListBegin(uint8_t* elem_type, uint32_t* n);
  Status ReadSetBegin(uint8_t* elem_type, uint32_t* n) { return ReadListBegin(elem_type, n); }
  Status ReadMapBegin(uint8_t* key_type, uint8_t* value_type, uint32_t* n);

  // Skips a field value of `type` just announced by ReadFieldBegin (any type, including
  // nested structs, lists, sets and maps).
  Status Skip(uint8_t type);
  // Like Skip, and sets *raw to the encoded bytes of the value (for re-emitting unknown
  // struct-valued union members). For bool fields *raw is empty.
  Status SkipCapture(uint8_t type, ByteView* raw);

  // Corruption("thrift: <what> at byte <at>").
  static Status Corrupt(std::string_view what, size_t at);

 private:
  Status Need(size_t n, std::string_view what) const;
  Status ReadRawByte(uint8_t* b, std::string_view what);
  Status ReadVarintImpl(uint64_t* v, std::string_view what);
  Status SkipValue(uint8_t type, bool element);
  Status EnterNested(std::string_view what);

  ByteView in_;
  size_t pos_ = 0;
  int max_depth_;
  int depth_ = 0;
  std::vector<int16_t> last_ids_;  // last field id per open struct; [0] is the outer level
  bool bool_pending_ = false;
  bool bool_value_ = false;
};

}  // namespace ipfs_kit::parquet::thrift
