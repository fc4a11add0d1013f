#include "split_block_bloom.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

namespace ipfs_kit::parquet {
namespace {

TEST(SplitBlockBloom, Xxh64KnownVectors) {
  // XXH64 with seed 0 (reference vectors of the xxHash project).
  EXPECT_EQ(SplitBlockBloomFilter::Hash(std::string_view("")), 0xef46db3751d8e999ULL);
  EXPECT_EQ(SplitBlockBloomFilter::Hash(std::string_view("a")), 0xd24ec4f1a98c6e5bULL);
  EXPECT_EQ(SplitBlockBloomFilter::Hash(std::string_view("abc")), 0x44bc2cf5ad770999ULL);
  // Typed hashes are over the PLAIN bytes.
  const uint8_t le[4] = {0x2A, 0, 0, 0};
  EXPECT_EQ(SplitBlockBloomFilter::HashInt32(42), SplitBlockBloomFilter::Hash(ByteView(le, 4)));
  const uint8_t le8[8] = {0x2A, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(SplitBlockBloomFilter::HashInt64(42), SplitBlockBloomFilter::Hash(ByteView(le8, 8)));
  const uint8_t one[8] = {0, 0, 0, 0, 0, 0, 0xF0, 0x3F};
  EXPECT_EQ(SplitBlockBloomFilter::HashDouble(1.0), SplitBlockBloomFilter::Hash(ByteView(one, 8)));
  const uint8_t onef[4] = {0, 0, 0x80, 0x3F};
  EXPECT_EQ(SplitBlockBloomFilter::HashFloat(1.0f), SplitBlockBloomFilter::Hash(ByteView(onef, 4)));
}

TEST(SplitBlockBloom, OptimalNumBitsMatchesReference) {
  // Values from arrow-rs's test_num_of_bits_from_ndv_fpp (truncated to integers).
  struct Case { double fpp; uint64_t ndv; uint64_t bits; };
  const Case cases[] = {
      {0.1, 10, 57},        {0.01, 10, 96},        {0.001, 10, 146},
      {0.1, 100, 577},      {0.01, 100, 968},      {0.001, 100, 1460},
      {0.1, 1000, 5772},    {0.01, 1000, 9681},    {0.001, 1000, 14607},
      {0.1, 10000, 57725},  {0.01, 10000, 96815},  {0.001, 10000, 146076},
      {0.1, 100000, 577254}, {0.01, 100000, 968152}, {0.001, 100000, 1460769},
      {0.1, 1000000, 5772541}, {0.01, 1000000, 9681526}, {0.001, 1000000, 14607697},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(static_cast<uint64_t>(SplitBlockBloomFilter::OptimalNumBits(c.ndv, c.fpp)), c.bits)
        << c.ndv << " " << c.fpp;
  }
}

TEST(SplitBlockBloom, Sizing) {
  EXPECT_EQ(SplitBlockBloomFilter::OptimalNumBytes(0, 0.01), 32u);
  EXPECT_EQ(SplitBlockBloomFilter::OptimalNumBytes(10, 0.01), 32u);
  EXPECT_EQ(SplitBlockBloomFilter::OptimalNumBytes(1000, 0.01), 2048u);    // 9681 bits -> 1211 B
  EXPECT_EQ(SplitBlockBloomFilter::OptimalNumBytes(uint64_t{1} << 40, 0.001),
            SplitBlockBloomFilter::kMaxBytes);
  for (uint64_t ndv : {1ULL, 77ULL, 5000ULL, 123456ULL}) {
    size_t n = SplitBlockBloomFilter::WithNdvFpp(ndv, 0.05).bytes().size();
    EXPECT_EQ(n & (n - 1), 0u);
    EXPECT_GE(n, 32u);
  }
  EXPECT_EQ(SplitBlockBloomFilter::WithNumBytes(0).bytes().size(), 32u);
  EXPECT_EQ(SplitBlockBloomFilter::WithNumBytes(33).bytes().size(), 64u);
  EXPECT_EQ(SplitBlockBloomFilter::WithNumBytes(1024).bytes().size(), 1024u);
  // Nonsense fpp values do not blow up.
  EXPECT_GE(SplitBlockBloomFilter::WithNdvFpp(100, 0.0).bytes().size(), 32u);
  EXPECT_GE(SplitBlockBloomFilter::WithNdvFpp(100, 2.0).bytes().size(), 32u);
  EXPECT_GE(SplitBlockBloomFilter::WithNdvFpp(100, std::nan("")).bytes().size(), 32u);
}

TEST(SplitBlockBloom, InsertSetsTheSpecBits) {
  auto f = SplitBlockBloomFilter::WithNumBytes(64);  // 2 blocks
  const uint64_t hash = 0x9000000012345678ULL;        // upper half > 2^31 -> block 1
  f.InsertHash(hash);
  const uint32_t salt[8] = {0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d,
                            0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31};
  Bytes expected(64, 0);
  for (int i = 0; i < 8; ++i) {
    uint32_t bit = (0x12345678u * salt[i]) >> 27;
    expected[32 + 4 * i + bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
  }
  EXPECT_EQ(f.bytes(), expected);
  EXPECT_TRUE(f.MayContainHash(hash));
}

TEST(SplitBlockBloom, MatchesDuckDbBitsets) {
  // DuckDB 1.5 wrote 1024-byte bloom filters for
  //   SELECT 'value-' || (i % 500) AS s, (i % 500)::BIGINT * 7919 AS n, (i % 500)::INTEGER AS k
  //   FROM range(20000)
  // Building the same filters here must give byte-identical bitsets; the
  // constants are XXH64 digests of DuckDB's bitsets.
  auto s = SplitBlockBloomFilter::WithNumBytes(1024);
  auto n = SplitBlockBloomFilter::WithNumBytes(1024);
  auto k = SplitBlockBloomFilter::WithNumBytes(1024);
  for (int i = 0; i < 500; ++i) {
    std::string v = "value-";
    v += std::to_string(i);
    s.InsertHash(SplitBlockBloomFilter::Hash(std::string_view(v)));
    n.InsertHash(SplitBlockBloomFilter::HashInt64(int64_t{i} * 7919));
    k.InsertHash(SplitBlockBloomFilter::HashInt32(i));
  }
  EXPECT_EQ(SplitBlockBloomFilter::Hash(s.bytes()), 0x4a804b81f8f8c516ULL);
  EXPECT_EQ(SplitBlockBloomFilter::Hash(n.bytes()), 0x10404fb943168b20ULL);
  EXPECT_EQ(SplitBlockBloomFilter::Hash(k.bytes()), 0x0b081d2e577ee2c4ULL);
}

TEST(SplitBlockBloom, NoFalseNegativesAndFppNearTarget) {
  const uint64_t ndv = 10000;
  const double fpp = 0.01;
  auto f = SplitBlockBloomFilter::WithNdvFpp(ndv, fpp);
  for (uint64_t i = 0; i < ndv; ++i) f.InsertHash(SplitBlockBloomFilter::HashInt64(static_cast<int64_t>(i)));
  for (uint64_t i = 0; i < ndv; ++i) {
    ASSERT_TRUE(f.MayContainHash(SplitBlockBloomFilter::HashInt64(static_cast<int64_t>(i)))) << i;
  }
  int false_positives = 0;
  const int trials = 200000;
  for (int i = 0; i < trials; ++i) {
    std::string s = "absent-" + std::to_string(i);
    if (f.MayContainHash(SplitBlockBloomFilter::Hash(std::string_view(s)))) ++false_positives;
  }
  double rate = static_cast<double>(false_positives) / trials;
  // The size is rounded up to a power of two, so the real rate is at or below target.
  EXPECT_LT(rate, fpp * 1.5) << rate;
  EXPECT_GT(rate, 0.0);
}

TEST(SplitBlockBloom, StringsRoundTripThroughBytes) {
  auto f = SplitBlockBloomFilter::WithNdvFpp(100, 0.01);
  for (int i = 0; i < 100; ++i) f.InsertHash(SplitBlockBloomFilter::Hash(std::string_view("key" + std::to_string(i))));
  auto r = SplitBlockBloomFilter::FromBytes(f.bytes());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->bytes(), f.bytes());
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(r->MayContainHash(SplitBlockBloomFilter::Hash(std::string_view("key" + std::to_string(i)))));
  }
}

TEST(SplitBlockBloom, FromBytesChecksSize) {
  EXPECT_EQ(SplitBlockBloomFilter::FromBytes(Bytes{}).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(SplitBlockBloomFilter::FromBytes(Bytes(31)).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(SplitBlockBloomFilter::FromBytes(Bytes(48)).status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(SplitBlockBloomFilter::FromBytes(Bytes(96)).ok());  // multiple of 32, not a power of two
  auto empty = SplitBlockBloomFilter::FromBytes(Bytes(32));
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->MayContainHash(12345));
}

}  // namespace
}  // namespace ipfs_kit::parquet
