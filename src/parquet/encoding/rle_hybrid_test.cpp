#include "rle_hybrid.h"

#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace ipfs_kit::parquet {
namespace {

Bytes Encode(const std::vector<uint32_t>& values, int width) {
  RleBitPackedEncoder enc(width);
  for (uint32_t v : values) enc.Put(v);
  return enc.Finish();
}

std::vector<uint32_t> Repeat(uint32_t v, size_t n) { return std::vector<uint32_t>(n, v); }

std::vector<uint32_t> Concat(std::vector<uint32_t> a, const std::vector<uint32_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

uint32_t MaskFor(int width) { return width == 32 ? 0xffffffffu : (1u << width) - 1; }

// Values with a mix of long runs, short runs and noise.
std::vector<uint32_t> MixedValues(size_t n, int width, std::mt19937& rng) {
  std::vector<uint32_t> v;
  uint32_t mask = MaskFor(width);
  while (v.size() < n) {
    uint32_t kind = rng() % 4;
    size_t len = 1 + rng() % (kind == 0 ? 40 : 10);
    uint32_t x = static_cast<uint32_t>(rng()) & mask;
    for (size_t i = 0; i < len && v.size() < n; ++i) {
      v.push_back(kind <= 1 ? x : (static_cast<uint32_t>(rng()) & mask));
    }
  }
  return v;
}

TEST(RleHybrid, SpecBitPackingExample) {
  // parquet-format Encodings.md: 0..7 at bit width 3 pack to 10001000 11000110 11111010.
  Bytes got = Encode({0, 1, 2, 3, 4, 5, 6, 7}, 3);
  EXPECT_EQ(got, (Bytes{0x03, 0x88, 0xC6, 0xFA}));
}

TEST(RleHybrid, RleRunBytes) {
  EXPECT_EQ(Encode(Repeat(5, 100), 3), (Bytes{0xC8, 0x01, 0x05}));
  // Arrow's ValidateRle vectors: 50 zeros then 50 ones.
  auto v = Concat(Repeat(0, 50), Repeat(1, 50));
  EXPECT_EQ(Encode(v, 1), (Bytes{100, 0, 100, 1}));
  EXPECT_EQ(Encode(v, 8), (Bytes{100, 0, 100, 1}));
  EXPECT_EQ(Encode(v, 16), (Bytes{100, 0, 0, 100, 1, 0}));
  EXPECT_EQ(Encode(v, 32), (Bytes{100, 0, 0, 0, 0, 100, 1, 0, 0, 0}));
}

TEST(RleHybrid, AlternatingValuesBitPack) {
  // Arrow's ValidateRle: 100 alternating 0/1 at width 1 is one bit-packed run of 13 groups.
  std::vector<uint32_t> v;
  for (int i = 0; i < 100; ++i) v.push_back(i % 2);
  Bytes expected = {(13 << 1) | 1};
  for (int i = 0; i < 12; ++i) expected.push_back(0xAA);
  expected.push_back(0x0A);
  EXPECT_EQ(Encode(v, 1), expected);
}

TEST(RleHybrid, BitWidthZero) {
  Bytes got = Encode(Repeat(0, 1000), 0);
  EXPECT_EQ(got, (Bytes{0xD0, 0x0F}));  // RLE run of 1000, no value bytes
  std::vector<uint32_t> out(1000, 7);
  RleBitPackedDecoder dec(got, 0);
  ASSERT_TRUE(dec.Get(out.size(), out.data()).ok());
  EXPECT_EQ(out, Repeat(0, 1000));
}

TEST(RleHybrid, EmptyAndShortTails) {
  EXPECT_TRUE(Encode({}, 5).empty());
  EXPECT_EQ(Encode({3, 3, 3}, 2), (Bytes{6, 3}));  // short all-equal tail: RLE run of 3
  // Mixed short tail: one padded bit-packed group.
  EXPECT_EQ(Encode({1, 2}, 2), (Bytes{3, 0b1001, 0}));
}

TEST(RleHybrid, LongLiteralRunsSplitAt63Groups) {
  std::vector<uint32_t> v;
  for (int i = 0; i < 64 * 8; ++i) v.push_back(i % 2);
  Bytes got = Encode(v, 1);
  // 63 groups (header 127) then 1 group (header 3).
  ASSERT_EQ(got.size(), 1 + 63 + 1 + 1u);
  EXPECT_EQ(got[0], 127);
  EXPECT_EQ(got[64], 3);
}

TEST(RleHybrid, RoundTripAllWidthsAndSizes) {
  std::mt19937 rng(42);
  const size_t sizes[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 511, 512, 513, 1000, 4099};
  for (int width = 0; width <= 32; ++width) {
    for (size_t n : sizes) {
      for (int pattern = 0; pattern < 3; ++pattern) {
        std::vector<uint32_t> values;
        if (pattern == 0) {
          values = MixedValues(n, width, rng);
        } else if (pattern == 1) {
          for (size_t i = 0; i < n; ++i) values.push_back(static_cast<uint32_t>(rng()) & MaskFor(width));
        } else {
          values = Repeat(MaskFor(width), n);
        }
        Bytes enc = Encode(values, width);
        std::vector<uint32_t> out(n);
        RleBitPackedDecoder dec(enc, width);
        // Decode in uneven batches to exercise state carried across calls.
        size_t done = 0, batch = 1;
        while (done < n) {
          size_t take = std::min(batch, n - done);
          ASSERT_TRUE(dec.Get(take, out.data() + done).ok()) << "width " << width << " n " << n;
          done += take;
          batch = batch * 3 + 1;
        }
        ASSERT_EQ(out, values) << "width " << width << " n " << n << " pattern " << pattern;
        EXPECT_EQ(dec.bytes_consumed(), enc.size());
      }
    }
  }
}

TEST(RleHybrid, EncoderIsReusableAfterFinish) {
  RleBitPackedEncoder enc(4);
  for (int i = 0; i < 20; ++i) enc.Put(i % 16);
  Bytes first = enc.Finish();
  for (int i = 0; i < 20; ++i) enc.Put(i % 16);
  EXPECT_EQ(enc.Finish(), first);
}

TEST(RleHybrid, EveryStrictPrefixFails) {
  std::mt19937 rng(7);
  for (int width : {0, 1, 3, 8, 13, 32}) {
    auto values = MixedValues(300, width, rng);
    Bytes enc = Encode(values, width);
    std::vector<uint32_t> out(values.size());
    for (size_t len = 0; len < enc.size(); ++len) {
      RleBitPackedDecoder dec(ByteView(enc.data(), len), width);
      Status s = dec.Get(values.size(), out.data());
      ASSERT_FALSE(s.ok()) << "width " << width << " prefix " << len;
      EXPECT_EQ(s.code(), StatusCode::kCorruption);
      // The decoder stays failed.
      EXPECT_FALSE(dec.Get(1, out.data()).ok());
    }
  }
}

TEST(RleHybrid, AskingForMoreValuesThanEncodedFails) {
  Bytes enc = Encode(Repeat(1, 10), 1);
  std::vector<uint32_t> out(11);
  RleBitPackedDecoder dec(enc, 1);
  Status s = dec.Get(11, out.data());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("ended after 10 of 11"), std::string::npos) << s.message();
}

TEST(RleHybrid, BadBitWidth) {
  Bytes enc = {2, 1};
  uint32_t out = 0;
  EXPECT_EQ(RleBitPackedDecoder(enc, 33).Get(1, &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RleBitPackedDecoder(enc, -1).Get(1, &out).code(), StatusCode::kInvalidArgument);
}

TEST(RleHybrid, BitPackedHeaderClaimingTooManyGroups) {
  // 100 groups at width 4 need 400 bytes; only 3 follow.
  Bytes enc = {0xC9, 0x01, 1, 2, 3};
  std::vector<uint32_t> out(8);
  Status s = RleBitPackedDecoder(enc, 4).Get(8, out.data());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("claims 100 groups"), std::string::npos) << s.message();
}

TEST(RleHybrid, HugeHeadersAreBounded) {
  uint32_t out[4];
  // Varint longer than 5 bytes.
  Bytes long_varint = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0};
  EXPECT_FALSE(RleBitPackedDecoder(long_varint, 1).Get(4, out).ok());
  // 2^31 - 1 groups at width 32.
  Bytes big_groups = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0, 0, 0};
  EXPECT_FALSE(RleBitPackedDecoder(big_groups, 32).Get(4, out).ok());
  // A huge RLE run is fine: it only yields the values asked for.
  Bytes big_run = {0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 1};
  RleBitPackedDecoder dec(big_run, 1);
  ASSERT_TRUE(dec.Get(4, out).ok());
  EXPECT_EQ(out[3], 1u);
}

TEST(RleHybrid, RleValueWiderThanBitWidth) {
  Bytes enc = {16, 0x09};  // run of 8 with value 9 at width 3
  std::vector<uint32_t> out(8);
  Status s = RleBitPackedDecoder(enc, 3).Get(8, out.data());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("wider than bit width 3"), std::string::npos) << s.message();
}

TEST(RleHybrid, ZeroLengthRunsTerminate) {
  Bytes enc(1000, 0);  // 500 empty RLE runs at width 8 (header 0, value 0)
  uint32_t out = 0;
  EXPECT_EQ(RleBitPackedDecoder(enc, 8).Get(1, &out).code(), StatusCode::kCorruption);
}

TEST(RleHybrid, RandomGarbageNeverCrashes) {
  std::mt19937 rng(1234);
  std::vector<uint32_t> out(4096);
  for (int iter = 0; iter < 3000; ++iter) {
    Bytes junk(rng() % 64);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    int width = static_cast<int>(rng() % 34);
    RleBitPackedDecoder dec(junk, width);
    size_t n = rng() % out.size();
    Status s = dec.Get(n, out.data());
    if (s.ok() && width <= 32 && width > 0) {
      for (size_t i = 0; i < n; ++i) ASSERT_LE(out[i], MaskFor(width));
    }
  }
}

TEST(RleHybrid, LengthPrefixed) {
  Bytes rle = Encode({1, 1, 1, 1, 1, 1, 1, 1, 1, 0}, 1);
  Bytes page;
  AppendLengthPrefixed(rle, &page);
  page.push_back(0xAB);  // values follow the levels
  size_t consumed = 0;
  auto r = ReadLengthPrefixed(page, &consumed);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(consumed, 4 + rle.size());
  EXPECT_EQ(Bytes(r->begin(), r->end()), rle);
  EXPECT_EQ(page[consumed], 0xAB);

  EXPECT_EQ(ReadLengthPrefixed(Bytes{1, 0, 0}, &consumed).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ReadLengthPrefixed(Bytes{5, 0, 0, 0, 1, 2}, &consumed).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(ReadLengthPrefixed(Bytes{0xFF, 0xFF, 0xFF, 0xFF}, &consumed).status().code(),
            StatusCode::kCorruption);
}

TEST(RleHybrid, BitWidthHelper) {
  EXPECT_EQ(RleBitWidth(0), 0);
  EXPECT_EQ(RleBitWidth(1), 1);
  EXPECT_EQ(RleBitWidth(2), 2);
  EXPECT_EQ(RleBitWidth(3), 2);
  EXPECT_EQ(RleBitWidth(4), 3);
  EXPECT_EQ(RleBitWidth(0xffffffffu), 32);
}

}  // namespace
}  // namespace ipfs_kit::parquet
