#include "dictionary.h"

#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "plain.h"

namespace ipfs_kit::parquet {
namespace {

TEST(Dictionary, Int32Builder) {
  DictionaryBuilder<int32_t> b;
  EXPECT_EQ(b.Insert(10), 0u);
  EXPECT_EQ(b.Insert(20), 1u);
  EXPECT_EQ(b.Insert(10), 0u);
  EXPECT_EQ(b.Insert(-5), 2u);
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(b.values(), (std::vector<int32_t>{10, 20, -5}));
  EXPECT_EQ(b.plain_size(), 12u);
  Bytes page;
  b.EncodePlain(&page);
  std::vector<int32_t> back;
  size_t consumed = 0;
  ASSERT_TRUE(PlainDecodeInt32(page, 3, &back, &consumed).ok());
  EXPECT_EQ(back, b.values());
}

TEST(Dictionary, Int64AndDoubleBuilders) {
  DictionaryBuilder<int64_t> i64;
  EXPECT_EQ(i64.Insert(int64_t{1} << 40), 0u);
  EXPECT_EQ(i64.Insert(1), 1u);
  EXPECT_EQ(i64.Insert(int64_t{1} << 40), 0u);

  DictionaryBuilder<double> d;
  EXPECT_EQ(d.Insert(0.0), 0u);
  EXPECT_EQ(d.Insert(-0.0), 1u);  // distinct bit patterns
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(d.Insert(nan), 2u);
  EXPECT_EQ(d.Insert(nan), 2u);  // NaN found again
  EXPECT_EQ(d.Insert(1.5), 3u);
  Bytes page;
  d.EncodePlain(&page);
  EXPECT_EQ(page.size(), 32u);

  DictionaryBuilder<float> f;
  EXPECT_EQ(f.Insert(1.0f), 0u);
  EXPECT_EQ(f.Insert(2.0f), 1u);
  EXPECT_EQ(f.Insert(1.0f), 0u);
}

TEST(Dictionary, ByteArrayBuilder) {
  ByteArrayDictionaryBuilder b;
  std::string tmp = "hello";
  EXPECT_EQ(b.Insert(tmp), 0u);
  tmp = "changed";  // the builder keeps its own copy
  EXPECT_EQ(b.Insert("world"), 1u);
  EXPECT_EQ(b.Insert("hello"), 0u);
  for (int i = 0; i < 1000; ++i) {  // rehashes keep views valid
    std::string key = "k";
    key += std::to_string(i);
    b.Insert(key);
  }
  EXPECT_EQ(b.values()[0], "hello");
  EXPECT_EQ(b.values()[1], "world");
  EXPECT_EQ(b.size(), 1002u);
  Bytes page;
  ASSERT_TRUE(b.EncodePlain(&page).ok());
  EXPECT_EQ(page.size(), b.plain_size());
  std::vector<std::string_view> back;
  size_t consumed = 0;
  ASSERT_TRUE(PlainDecodeByteArrays(page, b.size(), &back, &consumed).ok());
  EXPECT_EQ(back, b.values());

  ByteArrayDictionaryBuilder fixed;
  fixed.Insert("ab");
  fixed.Insert("cd");
  Bytes fpage;
  ASSERT_TRUE(fixed.EncodePlainFixed(2, &fpage).ok());
  EXPECT_EQ(AsString(fpage), "abcd");
  EXPECT_FALSE(fixed.EncodePlainFixed(3, &fpage).ok());
}

TEST(Dictionary, IndexBitWidth) {
  EXPECT_EQ(DictionaryIndexBitWidth(0), 0);
  EXPECT_EQ(DictionaryIndexBitWidth(1), 0);
  EXPECT_EQ(DictionaryIndexBitWidth(2), 1);
  EXPECT_EQ(DictionaryIndexBitWidth(3), 2);
  EXPECT_EQ(DictionaryIndexBitWidth(4), 2);
  EXPECT_EQ(DictionaryIndexBitWidth(5), 3);
  EXPECT_EQ(DictionaryIndexBitWidth(256), 8);
  EXPECT_EQ(DictionaryIndexBitWidth(257), 9);
}

TEST(Dictionary, IndicesRoundTrip) {
  std::mt19937 rng(11);
  for (size_t dict_size : {1, 2, 3, 17, 1000, 70000}) {
    for (size_t n : {1, 8, 9, 100, 4000}) {
      std::vector<uint32_t> idx;
      for (size_t i = 0; i < n; ++i) {
        idx.push_back(static_cast<uint32_t>((i % 3 == 0 ? rng() : i / 16) % dict_size));
      }
      Bytes page;
      EncodeDictionaryIndices(idx, dict_size, &page);
      EXPECT_EQ(page[0], DictionaryIndexBitWidth(dict_size));
      std::vector<uint32_t> got = {12345};
      ASSERT_TRUE(DecodeDictionaryIndices(page, n, dict_size, &got).ok());
      got.erase(got.begin());
      EXPECT_EQ(got, idx);
    }
  }
}

TEST(Dictionary, IndexOutOfRange) {
  std::vector<uint32_t> idx = {0, 1, 2, 3, 4, 5, 6, 7};
  Bytes page;
  EncodeDictionaryIndices(idx, 8, &page);
  std::vector<uint32_t> got;
  Status s = DecodeDictionaryIndices(page, 8, 7, &got);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "dictionary index 7 out of range (size 7)");
  EXPECT_TRUE(got.empty());
  // An empty dictionary has no valid index.
  EXPECT_EQ(DecodeDictionaryIndices(page, 1, 0, &got).code(), StatusCode::kCorruption);
}

TEST(Dictionary, MalformedIndexPages) {
  std::vector<uint32_t> got;
  EXPECT_TRUE(DecodeDictionaryIndices({}, 0, 10, &got).ok());
  EXPECT_EQ(DecodeDictionaryIndices({}, 1, 10, &got).code(), StatusCode::kCorruption);
  Status s = DecodeDictionaryIndices(Bytes{33, 2, 0, 0, 0, 0}, 1, 10, &got);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("bit width 33"), std::string::npos);
  // Bit width byte only, no runs.
  EXPECT_EQ(DecodeDictionaryIndices(Bytes{4}, 1, 10, &got).code(), StatusCode::kCorruption);
  // Fewer indices than asked for.
  Bytes page;
  std::vector<uint32_t> idx = {1, 1, 1};
  EncodeDictionaryIndices(idx, 4, &page);
  EXPECT_EQ(DecodeDictionaryIndices(page, 4, 4, &got).code(), StatusCode::kCorruption);
  EXPECT_TRUE(got.empty());
}

TEST(Dictionary, Gather) {
  std::vector<double> dict = {1.5, 2.5, 3.5};
  std::vector<uint32_t> idx = {2, 0, 0, 1};
  std::vector<double> out;
  ASSERT_TRUE(DictionaryGather<double>(dict, idx, &out).ok());
  EXPECT_EQ(out, (std::vector<double>{3.5, 1.5, 1.5, 2.5}));
  std::vector<uint32_t> bad = {3};
  Status s = DictionaryGather<double>(dict, bad, &out);
  EXPECT_EQ(s.message(), "dictionary index 3 out of range (size 3)");
}

}  // namespace
}  // namespace ipfs_kit::parquet
