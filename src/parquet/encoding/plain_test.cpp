#include "plain.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace ipfs_kit::parquet {
namespace {

TEST(Plain, BooleansKnownBytesAndRoundTrip) {
  Bytes out;
  PlainEncodeBooleans({true, false, true, true}, &out);
  EXPECT_EQ(out, (Bytes{0x0D}));
  std::mt19937 rng(1);
  for (size_t n : {0, 1, 7, 8, 9, 100, 1001}) {
    std::vector<bool> v;
    for (size_t i = 0; i < n; ++i) v.push_back(rng() & 1);
    Bytes enc;
    PlainEncodeBooleans(v, &enc);
    EXPECT_EQ(enc.size(), (n + 7) / 8);
    std::vector<bool> got;
    size_t consumed = 0;
    ASSERT_TRUE(PlainDecodeBooleans(enc, n, &got, &consumed).ok());
    EXPECT_EQ(got, v);
    EXPECT_EQ(consumed, enc.size());
    if (n > 0) {
      std::vector<bool> bad;
      EXPECT_EQ(PlainDecodeBooleans(ByteView(enc).first(enc.size() - 1), n, &bad, &consumed).code(),
                StatusCode::kCorruption);
      EXPECT_TRUE(bad.empty());
    }
  }
}

TEST(Plain, Int32KnownBytes) {
  Bytes out;
  std::vector<int32_t> v = {1, -1, 0x01020304};
  PlainEncodeInt32(v, &out);
  EXPECT_EQ(out, (Bytes{1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 4, 3, 2, 1}));
  std::vector<int32_t> got = {99};  // decoders append
  size_t consumed = 0;
  ASSERT_TRUE(PlainDecodeInt32(out, 3, &got, &consumed).ok());
  EXPECT_EQ(got, (std::vector<int32_t>{99, 1, -1, 0x01020304}));
  EXPECT_EQ(consumed, 12u);
}

template <typename T, typename Enc, typename Dec>
void RoundTrip(const std::vector<T>& v, Enc enc, Dec dec) {
  Bytes out;
  enc(v, &out);
  ASSERT_EQ(out.size(), v.size() * sizeof(T));
  out.push_back(0x77);  // trailing bytes are not consumed
  std::vector<T> got;
  size_t consumed = 0;
  ASSERT_TRUE(dec(out, v.size(), &got, &consumed).ok());
  EXPECT_EQ(consumed, v.size() * sizeof(T));
  ASSERT_EQ(got.size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(std::memcmp(&got[i], &v[i], sizeof(T)), 0) << i;
  }
  // Truncated by one byte, and a count that overflows size computations.
  std::vector<T> bad;
  if (!v.empty()) {
    EXPECT_EQ(dec(ByteView(out).first(v.size() * sizeof(T) - 1), v.size(), &bad, &consumed).code(),
              StatusCode::kCorruption);
  }
  EXPECT_EQ(dec(out, std::numeric_limits<size_t>::max(), &bad, &consumed).code(),
            StatusCode::kCorruption);
  EXPECT_TRUE(bad.empty());
}

TEST(Plain, NumericRoundTrips) {
  RoundTrip<int32_t>({0, 1, -1, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()},
                     PlainEncodeInt32, PlainDecodeInt32);
  RoundTrip<int64_t>({0, 1, -1, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()},
                     PlainEncodeInt64, PlainDecodeInt64);
  RoundTrip<float>({0.0f, -0.0f, 1.5f, std::numeric_limits<float>::infinity(),
                    std::numeric_limits<float>::quiet_NaN()},
                   PlainEncodeFloat, PlainDecodeFloat);
  RoundTrip<double>({0.0, -0.0, 3.25, -1e300, std::numeric_limits<double>::quiet_NaN()},
                    PlainEncodeDouble, PlainDecodeDouble);
  RoundTrip<int32_t>({}, PlainEncodeInt32, PlainDecodeInt32);
}

TEST(Plain, DoubleKnownBytes) {
  Bytes out;
  std::vector<double> v = {1.0};
  PlainEncodeDouble(v, &out);
  EXPECT_EQ(out, (Bytes{0, 0, 0, 0, 0, 0, 0xF0, 0x3F}));
}

TEST(Plain, Int96) {
  std::vector<Int96> v(3);
  for (size_t i = 0; i < v.size(); ++i) {
    for (size_t j = 0; j < 12; ++j) v[i][j] = static_cast<uint8_t>(i * 16 + j);
  }
  Bytes out;
  PlainEncodeInt96(v, &out);
  ASSERT_EQ(out.size(), 36u);
  std::vector<Int96> got;
  size_t consumed = 0;
  ASSERT_TRUE(PlainDecodeInt96(out, 3, &got, &consumed).ok());
  EXPECT_EQ(got, v);
  EXPECT_EQ(PlainDecodeInt96(ByteView(out).first(35), 3, &got, &consumed).code(),
            StatusCode::kCorruption);
}

TEST(Plain, ByteArrays) {
  std::vector<std::string_view> v = {"", "a", "hello", std::string_view("\0\1\2", 3)};
  Bytes out;
  ASSERT_TRUE(PlainEncodeByteArrays(v, &out).ok());
  Bytes expected = {0, 0, 0, 0, 1, 0, 0, 0, 'a', 5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o', 3, 0, 0, 0, 0, 1, 2};
  EXPECT_EQ(out, expected);
  std::vector<std::string_view> got;
  size_t consumed = 0;
  ASSERT_TRUE(PlainDecodeByteArrays(out, v.size(), &got, &consumed).ok());
  EXPECT_EQ(got, v);
  EXPECT_EQ(consumed, out.size());
  // Views point into the page buffer.
  EXPECT_EQ(reinterpret_cast<const uint8_t*>(got[2].data()), out.data() + 13);

  // Every strict prefix fails and leaves the output untouched.
  for (size_t len = 0; len < out.size(); ++len) {
    std::vector<std::string_view> bad = {"keep"};
    Status s = PlainDecodeByteArrays(ByteView(out).first(len), v.size(), &bad, &consumed);
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << len;
    EXPECT_EQ(bad.size(), 1u);
  }
  // A length that runs past the page.
  Bytes lying = {0xFF, 0xFF, 0xFF, 0x7F, 'x'};
  Status s = PlainDecodeByteArrays(lying, 1, &got, &consumed);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("overruns"), std::string::npos) << s.message();
  // A count no page can hold is refused before allocating.
  EXPECT_EQ(PlainDecodeByteArrays(out, size_t{1} << 60, &got, &consumed).code(),
            StatusCode::kCorruption);
}

TEST(Plain, FixedLenByteArrays) {
  std::vector<std::string_view> v = {"abcd", "efgh", "ijkl"};
  Bytes out;
  ASSERT_TRUE(PlainEncodeFixedLenByteArrays(v, 4, &out).ok());
  EXPECT_EQ(AsString(out), "abcdefghijkl");
  std::vector<std::string_view> got;
  size_t consumed = 0;
  ASSERT_TRUE(PlainDecodeFixedLenByteArrays(out, 3, 4, &got, &consumed).ok());
  EXPECT_EQ(got, v);
  EXPECT_EQ(consumed, 12u);
  EXPECT_EQ(PlainDecodeFixedLenByteArrays(out, 4, 4, &got, &consumed).code(), StatusCode::kCorruption);
  EXPECT_EQ(PlainDecodeFixedLenByteArrays(out, 1000000, 0, &got, &consumed).code(),
            StatusCode::kCorruption);
  std::vector<std::string_view> wrong = {"abc"};
  EXPECT_EQ(PlainEncodeFixedLenByteArrays(wrong, 4, &out).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ipfs_kit::parquet
