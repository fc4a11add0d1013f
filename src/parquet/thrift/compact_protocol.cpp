// Thrift compact protocol writer and strict, bounded reader. See compact_protocol.h.

#include "thrift/compact_protocol.h"

#include <bit>
#include <cstring>
#include <limits>

namespace ipfs_kit::parquet::thrift {

namespace {

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

bool ValidValueType(uint8_t t) { return t >= kBoolTrue && t <= kUuid; }

}  // namespace

const char* TypeName(uint8_t type) {
  switch (type) {
    case kStop:
      return "stop";
    case kBoolTrue:
    case kBoolFalse:
      return "bool";
    case kByte:
      return "i8";
    case kI16:
      return "i16";
    case kI32:
      return "i32";
    case kI64:
      return "i64";
    case kDouble:
      return "double";
    case kBinary:
      return "binary";
    case kList:
      return "list";
    case kSet:
      return "set";
    case kMap:
      return "map";
    case kStruct:
      return "struct";
    case kUuid:
      return "uuid";
  }
  return "invalid";
}

// ---------------------------------------------------------------------------------------
// CompactWriter

CompactWriter::CompactWriter(Bytes& out) : out_(out) { last_ids_.push_back(0); }

void CompactWriter::StructBegin() { last_ids_.push_back(0); }

void CompactWriter::StructEnd() {
  WriteStop();
  if (last_ids_.size() > 1) last_ids_.pop_back();
}

void CompactWriter::WriteFieldBegin(int16_t id, uint8_t type) {
  int16_t& last = last_ids_.back();
  int32_t delta = static_cast<int32_t>(id) - static_cast<int32_t>(last);
  if (delta > 0 && delta <= 15) {
    out_.push_back(static_cast<uint8_t>((delta << 4) | (type & 0x0f)));
  } else {
    out_.push_back(type & 0x0f);
    WriteVarint(ZigZag(id));
  }
  last = id;
}

void CompactWriter::WriteStop() { out_.push_back(kStop); }

void CompactWriter::WriteBool(bool v) { out_.push_back(v ? kBoolTrue : kBoolFalse); }

void CompactWriter::WriteByte(int8_t v) { out_.push_back(static_cast<uint8_t>(v)); }

void CompactWriter::WriteI16(int16_t v) { WriteVarint(ZigZag(v)); }

void CompactWriter::WriteI32(int32_t v) { WriteVarint(ZigZag(v)); }

void CompactWriter::WriteI64(int64_t v) { WriteVarint(ZigZag(v)); }

void CompactWriter::WriteDouble(double v) {
  uint64_t bits = std::bit_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
}

void CompactWriter::WriteBinary(ByteView v) {
  WriteVarint(v.size());
  Append(out_, v);
}

void CompactWriter::WriteListBegin(uint8_t elem_type, size_t n) {
  if (n < 15) {
    out_.push_back(static_cast<uint8_t>((n << 4) | (elem_type & 0x0f)));
  } else {
    out_.push_back(static_cast<uint8_t>(0xf0 | (elem_type & 0x0f)));
    WriteVarint(n);
  }
}

void CompactWriter::WriteMapBegin(uint8_t key_type, uint8_t value_type, size_t n) {
  WriteVarint(n);
  if (n > 0) {
    out_.push_back(static_cast<uint8_t>(((key_type & 0x0f) << 4) | (value_type & 0x0f)));
  }
}

void CompactWriter::WriteVarint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<uint8_t>(v));
}

void CompactWriter::WriteRaw(ByteView v) { Append(out_, v); }

void CompactWriter::FieldByte(int16_t id, int8_t v) {
  WriteFieldBegin(id, kByte);
  WriteByte(v);
}

void CompactWriter::FieldI16(int16_t id, int16_t v) {
  WriteFieldBegin(id, kI16);
  WriteI16(v);
}

void CompactWriter::FieldI32(int16_t id, int32_t v) {
  WriteFieldBegin(id, kI32);
  WriteI32(v);
}

void CompactWriter::FieldI64(int16_t id, int64_t v) {
  WriteFieldBegin(id, kI64);
  WriteI64(v);
}

void CompactWriter::FieldDouble(int16_t id, double v) {
  WriteFieldBegin(id, kDouble);
  WriteDouble(v);
}

void CompactWriter::FieldBinary(int16_t id, std::string_view v) {
  WriteFieldBegin(id, kBinary);
  WriteString(v);
}

void CompactWriter::FieldBinary(int16_t id, ByteView v) {
  WriteFieldBegin(id, kBinary);
  WriteBinary(v);
}

void CompactWriter::FieldStructBegin(int16_t id) {
  WriteFieldBegin(id, kStruct);
  StructBegin();
}

void CompactWriter::FieldEmptyStruct(int16_t id) {
  FieldStructBegin(id);
  StructEnd();
}

void CompactWriter::FieldListBegin(int16_t id, uint8_t elem_type, size_t n) {
  WriteFieldBegin(id, kList);
  WriteListBegin(elem_type, n);
}

// ---------------------------------------------------------------------------------------
// CompactReader

CompactReader::CompactReader(ByteView in, int max_depth) : in_(in), max_depth_(max_depth) {
  last_ids_.push_back(0);
}

Status CompactReader::Corrupt(std::string_view what, size_t at) {
  std::string m = "thrift: ";
  m.append(what);
  m.append(" at byte ");
  m.append(std::to_string(at));
  return Status::Corruption(std::move(m));
}

Status CompactReader::Need(size_t n, std::string_view what) const {
  if (n > remaining()) {
    return Corrupt("truncated " + std::string(what) + " (need " + std::to_string(n) +
                       " bytes, have " + std::to_string(remaining()) + ")",
                   pos_);
  }
  return Status::Ok();
}

Status CompactReader::ReadRawByte(uint8_t* b, std::string_view what) {
  RETURN_IF_ERROR(Need(1, what));
  *b = in_[pos_++];
  return Status::Ok();
}

Status CompactReader::ReadVarintImpl(uint64_t* v, std::string_view what) {
  size_t start = pos_;
  uint64_t result = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos_ >= in_.size()) {
      return Corrupt("truncated varint (" + std::string(what) + ")", start);
    }
    uint8_t b = in_[pos_++];
    if (i == 9 && b > 1)
      return Corrupt("varint overflows 64 bits (" + std::string(what) + ")", start);
    result |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *v = result;
      return Status::Ok();
    }
  }
  return Corrupt("varint longer than 10 bytes (" + std::string(what) + ")", start);  // unreachable
}

Status CompactReader::ReadVarint(uint64_t* v) { return ReadVarintImpl(v, "varint"); }

Status CompactReader::EnterNested(std::string_view what) {
  if (depth_ >= max_depth_) {
    return Corrupt(std::string(what) + " nested deeper than " + std::to_string(max_depth_), pos_);
  }
  ++depth_;
  return Status::Ok();
}

Status CompactReader::StructBegin() {
  RETURN_IF_ERROR(EnterNested("struct"));
  last_ids_.push_back(0);
  bool_pending_ = false;
  return Status::Ok();
}

Status CompactReader::StructEnd() {
  if (last_ids_.size() <= 1 || depth_ <= 0) return Corrupt("struct end without begin", pos_);
  last_ids_.pop_back();
  --depth_;
  bool_pending_ = false;
  return Status::Ok();
}

Status CompactReader::ReadFieldBegin(int16_t* id, uint8_t* type) {
  size_t start = pos_;
  bool_pending_ = false;
  uint8_t b;
  RETURN_IF_ERROR(ReadRawByte(&b, "field header"));
  if (b == kStop) {
    *id = 0;
    *type = kStop;
    return Status::Ok();
  }
  uint8_t t = b & 0x0f;
  if (!ValidValueType(t)) {
    return Corrupt("invalid field type " + std::to_string(t), start);
  }
  int16_t& last = last_ids_.back();
  uint8_t delta = b >> 4;
  int32_t fid;
  if (delta != 0) {
    fid = static_cast<int32_t>(last) + delta;
    if (fid > std::numeric_limits<int16_t>::max()) return Corrupt("field id overflow", start);
  } else {
    uint64_t zz;
    RETURN_IF_ERROR(ReadVarintImpl(&zz, "field id"));
    if (zz > 0xffff) return Corrupt("field id out of i16 range", start);
    fid = static_cast<int32_t>(UnZigZag(zz));
  }
  last = static_cast<int16_t>(fid);
  *id = static_cast<int16_t>(fid);
  *type = t;
  if (t == kBoolTrue || t == kBoolFalse) {
    bool_pending_ = true;
    bool_value_ = (t == kBoolTrue);
  }
  return Status::Ok();
}

Status CompactReader::ReadBool(bool* v) {
  if (bool_pending_) {
    bool_pending_ = false;
    *v = bool_value_;
    return Status::Ok();
  }
  size_t start = pos_;
  uint8_t b;
  RETURN_IF_ERROR(ReadRawByte(&b, "bool"));
  if (b == 1) {
    *v = true;
  } else if (b == 0 || b == 2) {
    *v = false;
  } else {
    return Corrupt("invalid bool byte " + std::to_string(b), start);
  }
  return Status::Ok();
}

Status CompactReader::ReadByte(int8_t* v) {
  uint8_t b;
  RETURN_IF_ERROR(ReadRawByte(&b, "i8"));
  *v = static_cast<int8_t>(b);
  return Status::Ok();
}

Status CompactReader::ReadI16(int16_t* v) {
  size_t start = pos_;
  uint64_t zz;
  RETURN_IF_ERROR(ReadVarintImpl(&zz, "i16"));
  if (zz > 0xffff) return Corrupt("i16 out of range", start);
  *v = static_cast<int16_t>(UnZigZag(zz));
  return Status::Ok();
}

Status CompactReader::ReadI32(int32_t* v) {
  size_t start = pos_;
  uint64_t zz;
  RETURN_IF_ERROR(ReadVarintImpl(&zz, "i32"));
  if (zz > 0xffffffffu) return Corrupt("i32 out of range", start);
  *v = static_cast<int32_t>(UnZigZag(zz));
  return Status::Ok();
}

Status CompactReader::ReadI64(int64_t* v) {
  uint64_t zz;
  RETURN_IF_ERROR(ReadVarintImpl(&zz, "i64"));
  *v = UnZigZag(zz);
  return Status::Ok();
}

Status CompactReader::ReadDouble(double* v) {
  RETURN_IF_ERROR(Need(8, "double"));
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(in_[pos_ + i]) << (8 * i);
  pos_ += 8;
  *v = std::bit_cast<double>(bits);
  return Status::Ok();
}

Status CompactReader::ReadBinary(ByteView* v) {
  size_t start = pos_;
  uint64_t len;
  RETURN_IF_ERROR(ReadVarintImpl(&len, "binary length"));
  if (len > remaining()) {
    return Corrupt("binary length " + std::to_string(len) + " exceeds remaining " +
                       std::to_string(remaining()) + " bytes",
                   start);
  }
  *v = in_.subspan(pos_, static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
  return Status::Ok();
}

Status CompactReader::ReadString(std::string* v) {
  ByteView b;
  RETURN_IF_ERROR(ReadBinary(&b));
  v->assign(AsString(b));
  return Status::Ok();
}

Status CompactReader::ReadListBegin(uint8_t* elem_type, uint32_t* n) {
  size_t start = pos_;
  uint8_t b;
  RETURN_IF_ERROR(ReadRawByte(&b, "list header"));
  uint8_t t = b & 0x0f;
  if (!ValidValueType(t)) return Corrupt("invalid list element type " + std::to_string(t), start);
  uint64_t size = b >> 4;
  if (size == 15) {
    RETURN_IF_ERROR(ReadVarintImpl(&size, "list size"));
    if (size > std::numeric_limits<int32_t>::max()) return Corrupt("list size out of range", start);
  }
  // Every element takes at least one byte.
  if (size > remaining()) {
    return Corrupt("list size " + std::to_string(size) + " exceeds remaining " +
                       std::to_string(remaining()) + " bytes",
                   start);
  }
  *elem_type = (t == kBoolFalse) ? kBoolTrue : t;
  *n = static_cast<uint32_t>(size);
  return Status::Ok();
}

Status CompactReader::ReadMapBegin(uint8_t* key_type, uint8_t* value_type, uint32_t* n) {
  size_t start = pos_;
  uint64_t size;
  RETURN_IF_ERROR(ReadVarintImpl(&size, "map size"));
  if (size == 0) {
    *key_type = kStop;
    *value_type = kStop;
    *n = 0;
    return Status::Ok();
  }
  if (size > std::numeric_limits<int32_t>::max()) return Corrupt("map size out of range", start);
  uint8_t b;
  RETURN_IF_ERROR(ReadRawByte(&b, "map types"));
  uint8_t kt = b >> 4, vt = b & 0x0f;
  if (!ValidValueType(kt) || !ValidValueType(vt)) {
    return Corrupt("invalid map key/value type", start);
  }
  // Every key and every value takes at least one byte.
  if (size > remaining() / 2) {
    return Corrupt("map size " + std::to_string(size) + " exceeds remaining " +
                       std::to_string(remaining()) + " bytes",
                   start);
  }
  *key_type = (kt == kBoolFalse) ? kBoolTrue : kt;
  *value_type = (vt == kBoolFalse) ? kBoolTrue : vt;
  *n = static_cast<uint32_t>(size);
  return Status::Ok();
}

Status CompactReader::Skip(uint8_t type) { return SkipValue(type, /*element=*/false); }

Status CompactReader::SkipCapture(uint8_t type, ByteView* raw) {
  size_t start = pos_;
  RETURN_IF_ERROR(SkipValue(type, /*element=*/false));
  *raw = in_.subspan(start, pos_ - start);
  return Status::Ok();
}

Status CompactReader::SkipValue(uint8_t type, bool element) {
  switch (type) {
    case kBoolTrue:
    case kBoolFalse: {
      if (!element) {  // value was in the field header
        bool_pending_ = false;
        return Status::Ok();
      }
      bool v;
      return ReadBool(&v);
    }
    case kByte: {
      int8_t v;
      return ReadByte(&v);
    }
    case kI16: {
      int16_t v;
      return ReadI16(&v);
    }
    case kI32: {
      int32_t v;
      return ReadI32(&v);
    }
    case kI64: {
      int64_t v;
      return ReadI64(&v);
    }
    case kDouble:
      RETURN_IF_ERROR(Need(8, "double"));
      pos_ += 8;
      return Status::Ok();
    case kUuid:
      RETURN_IF_ERROR(Need(16, "uuid"));
      pos_ += 16;
      return Status::Ok();
    case kBinary: {
      ByteView v;
      return ReadBinary(&v);
    }
    case kList:
    case kSet: {
      RETURN_IF_ERROR(EnterNested("list"));
      uint8_t et;
      uint32_t n;
      Status st = ReadListBegin(&et, &n);
      for (uint32_t i = 0; st.ok() && i < n; ++i) st = SkipValue(et, /*element=*/true);
      --depth_;
      return st;
    }
    case kMap: {
      RETURN_IF_ERROR(EnterNested("map"));
      uint8_t kt, vt;
      uint32_t n;
      Status st = ReadMapBegin(&kt, &vt, &n);
      for (uint32_t i = 0; st.ok() && i < n; ++i) {
        st = SkipValue(kt, /*element=*/true);
        if (st.ok()) st = SkipValue(vt, /*element=*/true);
      }
      --depth_;
      return st;
    }
    case kStruct: {
      RETURN_IF_ERROR(StructBegin());
      for (;;) {
        int16_t id;
        uint8_t t;
        RETURN_IF_ERROR(ReadFieldBegin(&id, &t));
        if (t == kStop) break;
        RETURN_IF_ERROR(SkipValue(t, /*element=*/false));
      }
      return StructEnd();
    }
    default:
      return Corrupt("cannot skip invalid type " + std::to_string(type), pos_);
  }
}

}  // namespace ipfs_kit::parquet::thrift
