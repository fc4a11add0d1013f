#include "codec.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace ipfs_kit::parquet {
namespace {

Bytes Sample(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes b(n);
  // Compressible: runs of repeated small-alphabet bytes, with some noise.
  for (size_t i = 0; i < n; ++i) b[i] = (i / 16) % 7 == 0 ? static_cast<uint8_t>(rng()) : static_cast<uint8_t>('a' + (i / 5) % 4);
  return b;
}

class CodecRoundTrip : public ::testing::TestWithParam<CompressionCodec> {};

TEST_P(CodecRoundTrip, ManySizes) {
  CompressionCodec codec = GetParam();
  for (size_t n : {0, 1, 2, 100, 4096, 65537, 1 << 20}) {
    Bytes in = Sample(n, static_cast<uint32_t>(n));
    Bytes compressed;
    ASSERT_TRUE(Compress(codec, in, &compressed).ok()) << n;
    Bytes out = {1, 2, 3};  // replaced, not appended to
    Status s = Decompress(codec, compressed, in.size(), &out);
    ASSERT_TRUE(s.ok()) << s.ToString() << " n " << n;
    EXPECT_EQ(out, in);
    if (codec != CompressionCodec::kUncompressed && n >= 4096) {
      EXPECT_LT(compressed.size(), in.size() / 2) << n;
    }
  }
}

TEST_P(CodecRoundTrip, WrongExpectedSizeFails) {
  CompressionCodec codec = GetParam();
  Bytes in = Sample(5000, 1);
  Bytes compressed, out;
  ASSERT_TRUE(Compress(codec, in, &compressed).ok());
  for (size_t want : {size_t{0}, size_t{4999}, size_t{5001}, size_t{100000}}) {
    Status s = Decompress(codec, compressed, want, &out);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << CompressionCodecName(codec) << " " << want;
  }
}

TEST_P(CodecRoundTrip, TruncatedAndGarbageInputFail) {
  CompressionCodec codec = GetParam();
  if (codec == CompressionCodec::kUncompressed) return;
  Bytes in = Sample(20000, 2);
  Bytes compressed, out;
  ASSERT_TRUE(Compress(codec, in, &compressed).ok());
  for (size_t len : {size_t{0}, size_t{1}, compressed.size() / 2, compressed.size() - 1}) {
    Status s = Decompress(codec, ByteView(compressed).first(len), in.size(), &out);
    EXPECT_FALSE(s.ok()) << CompressionCodecName(codec) << " prefix " << len;
  }
  std::mt19937 rng(3);
  for (int iter = 0; iter < 500; ++iter) {
    Bytes junk(1 + rng() % 200);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    // Often make snappy's length header agree with what we ask for.
    size_t want = rng() % 3000;
    if (codec == CompressionCodec::kSnappy && (iter & 1)) {
      junk[0] = static_cast<uint8_t>(want | 0x80);
      if (junk.size() > 1) junk[1] = static_cast<uint8_t>(want >> 7);
    }
    Status s = Decompress(codec, junk, want, &out);
    if (s.ok()) {
      EXPECT_EQ(out.size(), want);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, CodecRoundTrip,
                         ::testing::Values(CompressionCodec::kUncompressed, CompressionCodec::kSnappy,
                                           CompressionCodec::kZstd),
                         [](const ::testing::TestParamInfo<CompressionCodec>& p) {
                           return CompressionCodecName(p.param);
                         });

TEST(Codec, AbsurdSizesAreRefusedBeforeAllocating) {
  Bytes out;
  Bytes tiny = {0x00};
  for (auto codec : {CompressionCodec::kUncompressed, CompressionCodec::kSnappy, CompressionCodec::kZstd}) {
    Status s = Decompress(codec, tiny, (size_t{1} << 30) + 1, &out);
    EXPECT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_NE(s.message().find("1 GiB"), std::string::npos) << s.message();
  }
  // A 6-byte snappy stream claiming 500 MB cannot be genuine.
  Bytes liar = {0x80, 0xCA, 0xB5, 0xEE, 0x01, 0x00};  // varint 500000000
  Status s = Decompress(CompressionCodec::kSnappy, liar, 500000000, &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("cannot expand"), std::string::npos) << s.message();
}

TEST(Codec, SnappyLengthHeaderMustMatch) {
  Bytes in = Sample(1000, 9), compressed, out;
  ASSERT_TRUE(Compress(CompressionCodec::kSnappy, in, &compressed).ok());
  Status s = Decompress(CompressionCodec::kSnappy, compressed, 999, &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("decompressed to 1000"), std::string::npos) << s.message();
}

TEST(Codec, ZstdLevels) {
  Bytes in = Sample(100000, 4), fast, slow, out;
  ASSERT_TRUE(Compress(CompressionCodec::kZstd, in, &fast, 1).ok());
  ASSERT_TRUE(Compress(CompressionCodec::kZstd, in, &slow, 19).ok());
  EXPECT_LE(slow.size(), fast.size());
  ASSERT_TRUE(Decompress(CompressionCodec::kZstd, slow, in.size(), &out).ok());
  EXPECT_EQ(out, in);
}

TEST(Codec, UnsupportedCodecsAreNamed) {
  Bytes out;
  Bytes in = {1, 2, 3};
  Status s = Compress(CompressionCodec::kGzip, in, &out);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("GZIP"), std::string::npos);
  s = Decompress(CompressionCodec::kLz4Raw, in, 3, &out);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("LZ4_RAW"), std::string::npos);
  s = Decompress(static_cast<CompressionCodec>(42), in, 3, &out);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("codec 42"), std::string::npos);
  EXPECT_EQ(CompressionCodecName(CompressionCodec::kBrotli), "BROTLI");
  EXPECT_EQ(static_cast<int32_t>(CompressionCodec::kZstd), 6);
}

}  // namespace
}  // namespace ipfs_kit::parquet
