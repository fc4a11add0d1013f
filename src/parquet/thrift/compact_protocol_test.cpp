// Tests for the hand-written Thrift compact protocol writer/reader.

#include "thrift/compact_protocol.h"

#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace ipfs_kit::parquet::thrift {
namespace {

Bytes B(std::initializer_list<int> v) {
  Bytes b;
  for (int x : v) b.push_back(static_cast<uint8_t>(x));
  return b;
}

void ExpectCorruption(const Status& st) {
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_EQ(st.message().rfind("thrift: ", 0), 0u) << st.message();
  EXPECT_NE(st.message().find(" at byte "), std::string::npos) << st.message();
}

TEST(CompactWriter, VarintAndZigZag) {
  Bytes out;
  CompactWriter w(out);
  w.WriteI32(0);
  w.WriteI32(-1);
  w.WriteI32(1);
  w.WriteI32(300);  // zigzag 600 = 0xd8 0x04
  w.WriteI64(-64);  // zigzag 127
  w.WriteI64(64);   // zigzag 128 = 0x80 0x01
  EXPECT_EQ(out, B({0x00, 0x01, 0x02, 0xd8, 0x04, 0x7f, 0x80, 0x01}));
}

TEST(CompactWriter, FieldHeaders) {
  Bytes out;
  CompactWriter w(out);
  w.StructBegin();
  w.FieldI32(1, 5);                          // short form: delta 1, type i32 -> 0x15, value 0x0a
  w.FieldI32(20, 1);                         // delta 19 > 15 -> long form 0x05, zigzag(20) = 0x28
  w.FieldI64(3, 0);                          // id decreases -> long form 0x06, 0x06
  w.FieldBool(4, true);                      // 0x11
  w.FieldBool(5, false);                     // 0x12
  w.FieldBinary(6, std::string_view("ab"));  // 0x18 0x02 'a' 'b'
  w.StructEnd();
  EXPECT_EQ(out, B({0x15, 0x0a, 0x05, 0x28, 0x02, 0x06, 0x06, 0x00, 0x11, 0x12, 0x18, 0x02, 'a',
                    'b', 0x00}));
}

TEST(CompactWriter, ListHeadersAndNestedStructIds) {
  Bytes out;
  CompactWriter w(out);
  w.StructBegin();
  w.FieldListBegin(1, kI32, 3);  // 0x19, 0x35
  for (int i = 0; i < 3; ++i) w.WriteI32(i);
  w.FieldListBegin(2, kI32, 20);  // 0x19, 0xf5 0x14
  for (int i = 0; i < 20; ++i) w.WriteI32(0);
  w.FieldStructBegin(5);  // delta 3: 0x3c
  w.FieldI32(7, 1);       // inner ids restart from 0: delta 7 -> 0x75
  w.StructEnd();
  w.FieldI32(6, 1);  // outer context resumes at 5: delta 1 -> 0x15
  w.StructEnd();
  Bytes want = B({0x19, 0x35, 0x00, 0x02, 0x04, 0x19, 0xf5, 0x14});
  want.insert(want.end(), 20, 0x00);
  Bytes tail = B({0x3c, 0x75, 0x02, 0x00, 0x15, 0x02, 0x00});
  want.insert(want.end(), tail.begin(), tail.end());
  EXPECT_EQ(out, want);
}

// A struct using every type, with nested containers; used by the read and skip tests.
Bytes EveryTypeStruct() {
  Bytes out;
  CompactWriter w(out);
  w.StructBegin();
  w.FieldBool(1, true);
  w.FieldByte(2, -7);
  w.FieldI16(3, -12345);
  w.FieldI32(4, std::numeric_limits<int32_t>::min());
  w.FieldI64(5, std::numeric_limits<int64_t>::max());
  w.FieldDouble(6, 3.25);
  w.FieldBinary(7, std::string_view("hello"));
  w.FieldListBegin(8, kList, 2);  // list<list<i64>>
  w.WriteListBegin(kI64, 1);
  w.WriteI64(-1);
  w.WriteListBegin(kI64, 0);
  w.WriteFieldBegin(9, kSet);
  w.WriteSetBegin(kBinary, 2);
  w.WriteString("x");
  w.WriteString("yz");
  w.WriteFieldBegin(10, kMap);
  w.WriteMapBegin(kI32, kStruct, 2);
  w.WriteI32(1);
  w.StructBegin();
  w.FieldBool(1, false);
  w.StructEnd();
  w.WriteI32(2);
  w.StructBegin();
  w.StructEnd();
  w.WriteFieldBegin(11, kMap);
  w.WriteMapBegin(kI32, kI32, 0);
  w.FieldListBegin(12, kBoolTrue, 3);
  w.WriteBool(true);
  w.WriteBool(false);
  w.WriteBool(true);
  w.WriteFieldBegin(13, kUuid);
  for (int i = 0; i < 16; ++i) w.WriteByte(static_cast<int8_t>(i));
  w.FieldStructBegin(300);  // long-form id, nested struct
  w.FieldStructBegin(1);
  w.FieldI32(2, 42);
  w.StructEnd();
  w.StructEnd();
  w.FieldI32(301, 7);
  w.StructEnd();
  return out;
}

TEST(CompactReader, ReadsEveryType) {
  Bytes buf = EveryTypeStruct();
  CompactReader r(buf);
  int16_t id;
  uint8_t t;
  ASSERT_TRUE(r.StructBegin().ok());

  ASSERT_TRUE(r.ReadFieldBegin(&id, &t).ok());
  EXPECT_EQ(id, 1);
  EXPECT_EQ(t, kBoolTrue);
  bool b = false;
  ASSERT_TRUE(r.ReadBool(&b).ok());
  EXPECT_TRUE(b);

  ASSERT_TRUE(r.ReadFieldBegin(&id, &t).ok());
  EXPECT_EQ(id, 2);
  EXPECT_EQ(t, kByte);
  int8_t i8;
  ASSERT_TRUE(r.ReadByte(&i8).ok());
  EXPECT_EQ(i8, -7);

  ASSERT_TRUE(r.ReadFieldBegin(&id, &t).ok());
  EXPECT_EQ(t, kI16);
  int16_t i16;
  ASSERT_TRUE(r.ReadI16(&i16).ok());
  EXPECT_EQ(i16, -12345);

  ASSERT_TRUE(r.ReadFieldBegin(&id, &t).ok());
  int32_t i32;
  ASSERT_TRUE(r.ReadI32(&i32).ok());
  EXPECT_EQ(i32, std::numeric_limits<int32_t>::min());

  ASSERT_TRUE(r.ReadFieldBegin(&id, &t).ok());
  int64_t i64;
  ASSERT_TRUE(r.ReadI64(&i64).ok());
  EXPECT_EQ(i64, std::numeric_limits<int64_t>::max());

  ASSERT_TRUE(r.ReadFieldBegin(&id, &t).ok());
  EXPECT_EQ(t, kDouble);
  double d;
  ASSERT_TRUE(r.ReadDouble(&d).ok());
  EXPECT_EQ(d, 3.25);

  ASSERT_TRUE(r.ReadFieldBegin(&id, &t).ok());
  std::string s;
  ASSERT_TRUE(r.ReadString(&s).ok());
  EXPECT_EQ(s, "hello");

  // list<list<i64>>
  ASSERT_TRUE(r.ReadFieldBegin(&id, &t).ok());
  EXPECT_EQ(id, 8);
  EXPECT_EQ(t, kList);
  uint8_t et;
  uint32_t n;
  ASSERT_TRUE(r.ReadListBegin(&et, &n).ok());
  EXPECT_EQ(et, kList);
  EXPECT_EQ(n, 2u);
  ASSERT_TRUE(r.ReadListBegin(&et, &n).ok());
  EXPECT_EQ(et, kI64);
  EXPECT_EQ(n, 1u);
  ASSERT_TRUE(r.ReadI64(&i64).ok());
  EXPECT_EQ(i64, -1);
  ASSERT_TRUE(r.ReadListBegin(&et, &n).ok());
  EXPECT_EQ(n, 0u);

  // The rest is skipped field by field; the last field must still be read correctly.
  for (;;) {
    ASSERT_TRUE(r.ReadFieldBegin(&id, &t).ok());
    if (id == 301) break;
    ASSERT_NE(t, kStop);
    ASSERT_TRUE(r.Skip(t).ok()) << "field " << id;
  }
  EXPECT_EQ(t, kI32);
  ASSERT_TRUE(r.ReadI32(&i32).ok());
  EXPECT_EQ(i32, 7);
  ASSERT_TRUE(r.ReadFieldBegin(&id, &t).ok());
  EXPECT_EQ(t, kStop);
  ASSERT_TRUE(r.StructEnd().ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(CompactReader, SkipWholeStructAndCapture) {
  Bytes buf = EveryTypeStruct();
  CompactReader r(buf);
  ByteView raw;
  ASSERT_TRUE(r.SkipCapture(kStruct, &raw).ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(raw.size(), buf.size());
}

TEST(CompactReader, ListOfBoolAcceptsBothElementTypesAndZeroFalse) {
  Bytes buf = B({0x32, 0x01, 0x00, 0x02});  // list<bool> with elem type 2, values 1,0,2
  CompactReader r(buf);
  uint8_t et;
  uint32_t n;
  ASSERT_TRUE(r.ReadListBegin(&et, &n).ok());
  EXPECT_EQ(et, kBoolTrue);
  ASSERT_EQ(n, 3u);
  bool v;
  ASSERT_TRUE(r.ReadBool(&v).ok());
  EXPECT_TRUE(v);
  ASSERT_TRUE(r.ReadBool(&v).ok());
  EXPECT_FALSE(v);
  ASSERT_TRUE(r.ReadBool(&v).ok());
  EXPECT_FALSE(v);
  Bytes bad = B({0x03});
  CompactReader r2(bad);
  ExpectCorruption(r2.ReadBool(&v));
}

TEST(CompactReader, TruncatedAtEveryPrefix) {
  Bytes buf = EveryTypeStruct();
  for (size_t len = 0; len < buf.size(); ++len) {
    CompactReader r(ByteView(buf.data(), len));
    Status st = r.Skip(kStruct);
    ExpectCorruption(st);
  }
}

TEST(CompactReader, VarintLimits) {
  // 10-byte varint holding UINT64_MAX is fine.
  Bytes max = B({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  {
    CompactReader r(max);
    uint64_t v;
    ASSERT_TRUE(r.ReadVarint(&v).ok());
    EXPECT_EQ(v, std::numeric_limits<uint64_t>::max());
  }
  // 10th byte with more than one payload bit overflows.
  Bytes over = B({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02});
  {
    CompactReader r(over);
    uint64_t v;
    ExpectCorruption(r.ReadVarint(&v));
  }
  // 11 bytes of continuation.
  Bytes longer(11, 0x80);
  longer.push_back(0);
  {
    CompactReader r(longer);
    uint64_t v;
    ExpectCorruption(r.ReadVarint(&v));
  }
  // i32 out of range (zigzag value 2^32).
  Bytes big = B({0x80, 0x80, 0x80, 0x80, 0x10});
  {
    CompactReader r(big);
    int32_t v;
    ExpectCorruption(r.ReadI32(&v));
  }
  // i16 out of range.
  Bytes big16 = B({0x80, 0x80, 0x04});
  {
    CompactReader r(big16);
    int16_t v;
    ExpectCorruption(r.ReadI16(&v));
  }
}

TEST(CompactReader, HugeSizesRejectedBeforeAllocation) {
  // list<i32> claiming 2^31-1 elements with 3 bytes left.
  Bytes list = B({0xf5, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00, 0x00, 0x00});
  {
    CompactReader r(list);
    uint8_t et;
    uint32_t n;
    Status st = r.ReadListBegin(&et, &n);
    ExpectCorruption(st);
    EXPECT_NE(st.message().find("list size"), std::string::npos) << st.message();
  }
  // list size beyond i32.
  Bytes list2 = B({0xf5, 0xff, 0xff, 0xff, 0xff, 0x7f});
  {
    CompactReader r(list2);
    uint8_t et;
    uint32_t n;
    ExpectCorruption(r.ReadListBegin(&et, &n));
  }
  // binary claiming 2^62 bytes.
  Bytes bin = B({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 'a'});
  {
    CompactReader r(bin);
    std::string s;
    ExpectCorruption(r.ReadString(&s));
  }
  // map with 1000 entries and 2 bytes left.
  Bytes map = B({0xe8, 0x07, 0x55, 0x00, 0x00});
  {
    CompactReader r(map);
    uint8_t kt, vt;
    uint32_t n;
    ExpectCorruption(r.ReadMapBegin(&kt, &vt, &n));
  }
}

TEST(CompactReader, InvalidTypes) {
  for (int t : {0x0e, 0x0f}) {
    Bytes buf = B({0x10 | t});
    CompactReader r(buf);
    ASSERT_TRUE(r.StructBegin().ok());
    int16_t id;
    uint8_t type;
    ExpectCorruption(r.ReadFieldBegin(&id, &type));
  }
  Bytes list = B({0x30});  // list of "stop"
  CompactReader r(list);
  uint8_t et;
  uint32_t n;
  ExpectCorruption(r.ReadListBegin(&et, &n));
  CompactReader r2(list);
  ExpectCorruption(r2.Skip(0x0f));
}

TEST(CompactReader, DepthLimit) {
  // 100 nested structs: field 1 of type struct, repeated.
  Bytes deep(100, 0x1c);
  deep.insert(deep.end(), 101, 0x00);
  {
    CompactReader r(deep);
    Status st = r.Skip(kStruct);
    ExpectCorruption(st);
    EXPECT_NE(st.message().find("nested deeper"), std::string::npos) << st.message();
  }
  {
    CompactReader r(deep, /*max_depth=*/200);
    EXPECT_TRUE(r.Skip(kStruct).ok());
    EXPECT_EQ(r.remaining(), 0u);
  }
  // 100000 nested lists must not overflow the stack.
  Bytes lists(100000, 0x19);  // list of 1 list
  lists.push_back(0x00);
  {
    CompactReader r(lists);
    ExpectCorruption(r.Skip(kList));
  }
}

TEST(CompactReader, FieldIdLongFormAndOverflow) {
  // Long-form negative field id.
  Bytes buf;
  {
    CompactWriter w(buf);
    w.StructBegin();
    w.FieldI32(-3, 9);
    w.FieldI32(32767, 1);
    w.StructEnd();
  }
  CompactReader r(buf);
  int16_t id;
  uint8_t t;
  int32_t v;
  ASSERT_TRUE(r.StructBegin().ok());
  ASSERT_TRUE(r.ReadFieldBegin(&id, &t).ok());
  EXPECT_EQ(id, -3);
  ASSERT_TRUE(r.ReadI32(&v).ok());
  EXPECT_EQ(v, 9);
  ASSERT_TRUE(r.ReadFieldBegin(&id, &t).ok());
  EXPECT_EQ(id, 32767);
  ASSERT_TRUE(r.ReadI32(&v).ok());
  // A short-form delta past 32767 is corrupt.
  Bytes over = B({0x05, 0xfe, 0xff, 0x03, 0x00, 0x15, 0x00});
  CompactReader r2(over);
  ASSERT_TRUE(r2.StructBegin().ok());
  ASSERT_TRUE(r2.ReadFieldBegin(&id, &t).ok());
  EXPECT_EQ(id, 32767);
  ASSERT_TRUE(r2.ReadI32(&v).ok());
  ExpectCorruption(r2.ReadFieldBegin(&id, &t));
}

TEST(CompactReader, ErrorPositions) {
  Bytes buf = B({0x15, 0x02, 0x18, 0x05, 'a'});  // field 2: binary of length 5, 1 byte left
  CompactReader r(buf);
  ASSERT_TRUE(r.StructBegin().ok());
  int16_t id;
  uint8_t t;
  int32_t v;
  ASSERT_TRUE(r.ReadFieldBegin(&id, &t).ok());
  ASSERT_TRUE(r.ReadI32(&v).ok());
  ASSERT_TRUE(r.ReadFieldBegin(&id, &t).ok());
  std::string s;
  Status st = r.ReadString(&s);
  ExpectCorruption(st);
  EXPECT_NE(st.message().find("at byte 3"), std::string::npos) << st.message();
}

TEST(CompactReader, RandomGarbageDoesNotCrash) {
  std::mt19937 rng(12345);
  int ok = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    size_t len = rng() % 64;
    Bytes buf(len);
    for (auto& b : buf) b = static_cast<uint8_t>(rng());
    CompactReader r(buf);
    if (r.Skip(kStruct).ok()) ++ok;
    EXPECT_LE(r.position(), buf.size());
  }
  // Most random buffers are not valid structs; the point is that none crashed.
  EXPECT_LT(ok, 20000);
}

TEST(CompactReader, MutatedValidInputDoesNotCrash) {
  Bytes base = EveryTypeStruct();
  std::mt19937 rng(7);
  for (int iter = 0; iter < 20000; ++iter) {
    Bytes buf = base;
    int flips = 1 + rng() % 4;
    for (int i = 0; i < flips; ++i) buf[rng() % buf.size()] = static_cast<uint8_t>(rng());
    CompactReader r(buf);
    (void)r.Skip(kStruct);
    EXPECT_LE(r.position(), buf.size());
  }
}

}  // namespace
}  // namespace ipfs_kit::parquet::thrift
