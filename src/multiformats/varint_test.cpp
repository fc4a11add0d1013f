#include "ipfs_kit/multiformats/varint.h"

#include <gtest/gtest.h>

namespace ipfs_kit::multiformats {
namespace {

TEST(Varint, RoundTrip) {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 255ull, 300ull, 16384ull, (1ull << 63) - 1}) {
    Bytes b;
    AppendUvarint(b, v);
    EXPECT_EQ(b.size(), UvarintSize(v));
    size_t n = 0;
    auto r = ReadUvarint(b, &n);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, v);
    EXPECT_EQ(n, b.size());
  }
}

TEST(Varint, KnownBytes) {
  Bytes b;
  AppendUvarint(b, 300);
  EXPECT_EQ(b, (Bytes{0xac, 0x02}));
}

TEST(Varint, RejectsBadInput) {
  size_t n = 0;
  EXPECT_FALSE(ReadUvarint(Bytes{}, &n).ok());
  EXPECT_FALSE(ReadUvarint(Bytes{0x80}, &n).ok());                      // truncated
  EXPECT_FALSE(ReadUvarint(Bytes{0x81, 0x00}, &n).ok());                // non-minimal
  EXPECT_FALSE(ReadUvarint(Bytes(10, 0xff), &n).ok());                  // too long
  Bytes nine(8, 0xff);
  nine.push_back(0x7f);
  EXPECT_TRUE(ReadUvarint(nine, &n).ok());  // 9 bytes, 63 bits: the maximum
}

}  // namespace
}  // namespace ipfs_kit::multiformats
