#include "delta_binary_packed.h"

#include <limits>
#include <random>

#include <gtest/gtest.h>

namespace ipfs_kit::parquet {
namespace {

TEST(DeltaBinaryPacked, SpecExampleOneToFive) {
  // parquet-format Encodings.md example 1: 1..5, all deltas 1 -> width 0 miniblocks.
  std::vector<int32_t> v = {1, 2, 3, 4, 5};
  Bytes out;
  DeltaBinaryPackedEncodeInt32(v, &out);
  EXPECT_EQ(out, (Bytes{0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0}));
  std::vector<int32_t> got;
  size_t consumed = 0;
  ASSERT_TRUE(DeltaBinaryPackedDecodeInt32(out, 5, &got, &consumed).ok());
  EXPECT_EQ(got, v);
  EXPECT_EQ(consumed, out.size());
}

TEST(DeltaBinaryPacked, SpecExampleTwo) {
  // Example 2: 7 5 3 1 2 3 4 5 -> min delta -2, adjusted 0 0 0 3 3 3 3 at width 2.
  std::vector<int32_t> v = {7, 5, 3, 1, 2, 3, 4, 5};
  Bytes out;
  DeltaBinaryPackedEncodeInt32(v, &out);
  Bytes expected = {0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0, 0, 0, 0xC0, 0x3F, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(out, expected);
  std::vector<int32_t> got;
  size_t consumed = 0;
  ASSERT_TRUE(DeltaBinaryPackedDecodeInt32(out, 100, &got, &consumed).ok());
  EXPECT_EQ(got, v);
}

template <typename T>
std::vector<T> Values(size_t n, int pattern, std::mt19937_64& rng) {
  std::vector<T> v;
  for (size_t i = 0; i < n; ++i) {
    switch (pattern) {
      case 0: v.push_back(static_cast<T>(rng())); break;                        // full range
      case 1: v.push_back(static_cast<T>(i * 3 + rng() % 5)); break;            // sorted-ish
      case 2: v.push_back(i % 2 ? std::numeric_limits<T>::max() : std::numeric_limits<T>::min()); break;
      case 3: v.push_back(static_cast<T>(42)); break;                           // constant
      default: v.push_back(static_cast<T>(static_cast<int64_t>(rng() % 2001) - 1000)); break;
    }
  }
  return v;
}

template <typename T, typename Enc, typename Dec>
void RoundTripMany(Enc enc, Dec dec) {
  std::mt19937_64 rng(99);
  for (size_t n : {0, 1, 2, 3, 31, 32, 33, 127, 128, 129, 130, 256, 257, 1000, 5003}) {
    for (int pattern = 0; pattern < 5; ++pattern) {
      auto v = Values<T>(n, pattern, rng);
      Bytes out;
      enc(v, &out);
      size_t encoded = out.size();
      out.push_back(0xEE);  // what follows the stream is left alone
      std::vector<T> got;
      size_t consumed = 0;
      Status s = dec(out, n, &got, &consumed);
      ASSERT_TRUE(s.ok()) << s.ToString() << " n " << n << " pattern " << pattern;
      ASSERT_EQ(got, v) << "n " << n << " pattern " << pattern;
      EXPECT_EQ(consumed, encoded);
      // Every strict prefix: an error, or (when only final padding is cut) the
      // right values.
      for (size_t len = 0; len < encoded; len += (encoded > 300 ? 7 : 1)) {
        std::vector<T> part = {T{5}};
        Status ps = dec(ByteView(out).first(len), n, &part, &consumed);
        if (ps.ok()) {
          part.erase(part.begin());
          ASSERT_EQ(part, v) << "prefix " << len;
          ASSERT_LE(consumed, len);
        } else {
          ASSERT_EQ(ps.code(), StatusCode::kCorruption);
          ASSERT_EQ(part.size(), 1u) << "output must be untouched on failure";
        }
      }
    }
  }
}

TEST(DeltaBinaryPacked, RoundTripInt32) {
  RoundTripMany<int32_t>(DeltaBinaryPackedEncodeInt32, DeltaBinaryPackedDecodeInt32);
}

TEST(DeltaBinaryPacked, RoundTripInt64) {
  RoundTripMany<int64_t>(DeltaBinaryPackedEncodeInt64, DeltaBinaryPackedDecodeInt64);
}

TEST(DeltaBinaryPacked, HeaderChecks) {
  std::vector<int32_t> got;
  size_t consumed = 0;
  auto code = [&](Bytes b, size_t max = 1000) {
    got.clear();
    return DeltaBinaryPackedDecodeInt32(b, max, &got, &consumed).code();
  };
  EXPECT_EQ(code({0x40, 0x04, 0x01, 0x00}), StatusCode::kCorruption);        // block size 64
  EXPECT_EQ(code({0x00, 0x04, 0x01, 0x00}), StatusCode::kCorruption);        // block size 0
  EXPECT_EQ(code({0x80, 0x01, 0x03, 0x01, 0x00}), StatusCode::kCorruption);  // 3 miniblocks
  EXPECT_EQ(code({0x80, 0x01, 0x00, 0x01, 0x00}), StatusCode::kCorruption);  // 0 miniblocks
  EXPECT_EQ(code({0x80, 0x01, 0x08, 0x01, 0x00}), StatusCode::kCorruption);  // 16 values/miniblock
  EXPECT_EQ(code({0x80, 0x01, 0x04, 0x05, 0x02}, 4), StatusCode::kCorruption);  // 5 > max 4
  EXPECT_EQ(code({0x80, 0x01, 0x04}), StatusCode::kCorruption);              // truncated header
  EXPECT_EQ(code({}), StatusCode::kCorruption);
  // Huge block size.
  EXPECT_EQ(code({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x04, 0x01, 0x00}),
            StatusCode::kCorruption);
  // A valid header with zero values.
  EXPECT_EQ(code({0x80, 0x01, 0x04, 0x00, 0x00}), StatusCode::kOk);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(consumed, 5u);
}

TEST(DeltaBinaryPacked, MiniblockWidthBounds) {
  // Two values, block width 33 in the first miniblock: too wide for INT32, fine for INT64.
  Bytes b = {0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 33, 0, 0, 0};
  b.resize(b.size() + 32 * 33 / 8, 0);
  std::vector<int32_t> v32;
  size_t consumed = 0;
  Status s = DeltaBinaryPackedDecodeInt32(b, 10, &v32, &consumed);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("bit width 33"), std::string::npos) << s.message();
  std::vector<int64_t> v64;
  EXPECT_TRUE(DeltaBinaryPackedDecodeInt64(b, 10, &v64, &consumed).ok());
  b[6] = 65;
  EXPECT_EQ(DeltaBinaryPackedDecodeInt64(b, 10, &v64, &consumed).code(), StatusCode::kCorruption);
}

TEST(DeltaBinaryPacked, UnusedMiniblockWidthsMayBeGarbage) {
  // 3 values (2 deltas) in the first miniblock; the other three widths are junk.
  Bytes b = {0x80, 0x01, 0x04, 0x03, 0x02, 0x02, 0, 0xFF, 0xFF, 0xFF};
  std::vector<int32_t> got;
  size_t consumed = 0;
  ASSERT_TRUE(DeltaBinaryPackedDecodeInt32(b, 3, &got, &consumed).ok());
  EXPECT_EQ(got, (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(consumed, b.size());
}

TEST(DeltaBinaryPacked, WrapsLikeParquetMr) {
  std::vector<int32_t> v = {std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(),
                            0, std::numeric_limits<int32_t>::max()};
  Bytes out;
  DeltaBinaryPackedEncodeInt32(v, &out);
  std::vector<int32_t> got;
  size_t consumed = 0;
  ASSERT_TRUE(DeltaBinaryPackedDecodeInt32(out, 4, &got, &consumed).ok());
  EXPECT_EQ(got, v);
}

TEST(DeltaBinaryPacked, RandomGarbageNeverCrashes) {
  std::mt19937 rng(5);
  for (int iter = 0; iter < 5000; ++iter) {
    Bytes b(rng() % 80);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    if (b.size() > 3 && (iter & 1)) {  // make a plausible header more often
      b[0] = 0x80;
      b[1] = 0x01;
      b[2] = 0x04;
    }
    std::vector<int64_t> got;
    size_t consumed = 0;
    Status s = DeltaBinaryPackedDecodeInt64(b, 10000, &got, &consumed);
    if (s.ok()) {
      ASSERT_LE(consumed, b.size());
    }
    std::vector<int32_t> got32;
    s = DeltaBinaryPackedDecodeInt32(b, 10000, &got32, &consumed);
    if (s.ok()) {
      ASSERT_LE(consumed, b.size());
    }
  }
}

}  // namespace
}  // namespace ipfs_kit::parquet
