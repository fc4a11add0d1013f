#include "delta_byte_array.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

#include "delta_binary_packed.h"

namespace ipfs_kit::parquet {
namespace {

std::vector<std::string> SortedWords(size_t n, std::mt19937& rng) {
  std::vector<std::string> v;
  std::string cur = "prefix/";
  for (size_t i = 0; i < n; ++i) {
    size_t keep = cur.empty() ? 0 : rng() % (cur.size() + 1);
    cur.resize(keep);
    size_t add = rng() % 12;
    for (size_t j = 0; j < add; ++j) cur.push_back(static_cast<char>('a' + rng() % 26));
    v.push_back(cur);
  }
  return v;
}

std::vector<std::string_view> Views(const std::vector<std::string>& v) {
  return std::vector<std::string_view>(v.begin(), v.end());
}

TEST(DeltaLengthByteArray, RoundTrip) {
  std::mt19937 rng(3);
  for (size_t n : {0, 1, 5, 128, 129, 1000}) {
    auto words = SortedWords(n, rng);
    auto views = Views(words);
    Bytes out;
    ASSERT_TRUE(DeltaLengthByteArrayEncode(views, &out).ok());
    std::vector<std::string_view> got;
    size_t consumed = 0;
    ASSERT_TRUE(DeltaLengthByteArrayDecode(out, n, &got, &consumed).ok());
    EXPECT_EQ(got, views);
    EXPECT_EQ(consumed, out.size());
    if (!out.empty() && n > 0) {
      std::vector<std::string_view> bad;
      Status s = DeltaLengthByteArrayDecode(ByteView(out).first(out.size() - 1), n, &bad, &consumed);
      if (words.back().empty() && s.ok()) continue;  // only padding cut
      EXPECT_EQ(s.code(), StatusCode::kCorruption);
      EXPECT_TRUE(bad.empty());
    }
  }
}

TEST(DeltaLengthByteArray, SpecExample) {
  // Encodings.md: "Hello", "World", "Foobar", "ABCDEF" -> lengths DELTA_BINARY_PACKED 5 5 6 6, then data.
  std::vector<std::string_view> v = {"Hello", "World", "Foobar", "ABCDEF"};
  Bytes out;
  ASSERT_TRUE(DeltaLengthByteArrayEncode(v, &out).ok());
  EXPECT_EQ(AsString(out).substr(out.size() - 22), "HelloWorldFoobarABCDEF");
}

TEST(DeltaLengthByteArray, NegativeAndOversizedLengths) {
  Bytes out;
  std::vector<int32_t> lengths = {3, -1};
  DeltaBinaryPackedEncodeInt32(lengths, &out);
  out.insert(out.end(), {'a', 'b', 'c'});
  std::vector<std::string_view> got;
  size_t consumed = 0;
  Status s = DeltaLengthByteArrayDecode(out, 10, &got, &consumed);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("negative"), std::string::npos) << s.message();

  Bytes big;
  std::vector<int32_t> lengths2 = {100};
  DeltaBinaryPackedEncodeInt32(lengths2, &big);
  big.push_back('x');
  EXPECT_EQ(DeltaLengthByteArrayDecode(big, 10, &got, &consumed).code(), StatusCode::kCorruption);
  EXPECT_EQ(DeltaLengthByteArrayDecode(big, 0, &got, &consumed).code(), StatusCode::kCorruption);
}

TEST(DeltaByteArray, RoundTrip) {
  std::mt19937 rng(4);
  for (size_t n : {0, 1, 2, 100, 1000}) {
    auto words = SortedWords(n, rng);
    auto views = Views(words);
    Bytes out;
    ASSERT_TRUE(DeltaByteArrayEncode(views, &out).ok());
    out.push_back(0x55);
    std::vector<std::string> got = {"keep"};
    size_t consumed = 0;
    ASSERT_TRUE(DeltaByteArrayDecode(out, n, &got, &consumed).ok());
    got.erase(got.begin());
    EXPECT_EQ(got, words);
    EXPECT_EQ(consumed, out.size() - 1);
  }
}

TEST(DeltaByteArray, SpecExample) {
  // Encodings.md: axis, axle, babble, babyhood -> prefixes 0 2 0 3, suffixes axis le babble yhood.
  std::vector<std::string_view> v = {"axis", "axle", "babble", "babyhood"};
  Bytes out;
  ASSERT_TRUE(DeltaByteArrayEncode(v, &out).ok());
  Bytes expected;
  std::vector<int32_t> prefixes = {0, 2, 0, 3};
  DeltaBinaryPackedEncodeInt32(prefixes, &expected);
  std::vector<std::string_view> suffixes = {"axis", "le", "babble", "yhood"};
  ASSERT_TRUE(DeltaLengthByteArrayEncode(suffixes, &expected).ok());
  EXPECT_EQ(out, expected);
}

TEST(DeltaByteArray, PrefixLongerThanPreviousValue) {
  Bytes out;
  std::vector<int32_t> prefixes = {0, 5};
  DeltaBinaryPackedEncodeInt32(prefixes, &out);
  std::vector<std::string_view> suffixes = {"abc", "d"};
  ASSERT_TRUE(DeltaLengthByteArrayEncode(suffixes, &out).ok());
  std::vector<std::string> got;
  size_t consumed = 0;
  Status s = DeltaByteArrayDecode(out, 10, &got, &consumed);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("prefix length 5"), std::string::npos) << s.message();
  EXPECT_TRUE(got.empty());
}

TEST(DeltaByteArray, CountMismatch) {
  Bytes out;
  std::vector<int32_t> prefixes = {0, 0, 0};
  DeltaBinaryPackedEncodeInt32(prefixes, &out);
  std::vector<std::string_view> suffixes = {"a", "b"};
  ASSERT_TRUE(DeltaLengthByteArrayEncode(suffixes, &out).ok());
  std::vector<std::string> got;
  size_t consumed = 0;
  EXPECT_EQ(DeltaByteArrayDecode(out, 10, &got, &consumed).code(), StatusCode::kCorruption);
}

TEST(DeltaByteArray, OutputSizeIsCapped) {
  // One 1000-byte value, then 999 values repeating it via prefixes: ~1 MB out of ~1 KB in.
  std::string first(1000, 'z');
  std::vector<std::string_view> v(1000, first);
  Bytes out;
  ASSERT_TRUE(DeltaByteArrayEncode(v, &out).ok());
  EXPECT_LT(out.size(), 1500u);  // ~1 KB in
  std::vector<std::string> got;
  size_t consumed = 0;
  EXPECT_EQ(DeltaByteArrayDecode(out, 1000, &got, &consumed, 100000).code(), StatusCode::kCorruption);
  EXPECT_TRUE(got.empty());
  ASSERT_TRUE(DeltaByteArrayDecode(out, 1000, &got, &consumed).ok());
  EXPECT_EQ(got.size(), 1000u);
  EXPECT_EQ(got.back(), first);
}

TEST(DeltaByteArray, RandomGarbageNeverCrashes) {
  std::mt19937 rng(8);
  for (int iter = 0; iter < 3000; ++iter) {
    Bytes b(rng() % 100);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    if (b.size() > 3 && (iter & 1)) {
      b[0] = 0x80;
      b[1] = 0x01;
      b[2] = 0x04;
    }
    std::vector<std::string> got;
    std::vector<std::string_view> views;
    size_t consumed = 0;
    if (DeltaByteArrayDecode(b, 1000, &got, &consumed, 1 << 20).ok()) {
      ASSERT_LE(consumed, b.size());
    }
    if (DeltaLengthByteArrayDecode(b, 1000, &views, &consumed).ok()) {
      ASSERT_LE(consumed, b.size());
    }
  }
}

}  // namespace
}  // namespace ipfs_kit::parquet
