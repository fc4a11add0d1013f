#include "ipfs_kit/unixfs/unixfs_data.h"

#include <gtest/gtest.h>

#include "ipfs_kit/unixfs/hamt.h"

namespace ipfs_kit::unixfs {
namespace {

TEST(UnixfsData, KuboEmptyFileBytes) {
  UnixfsData d;
  d.type = DataType::kFile;
  d.filesize = 0;
  EXPECT_EQ(d.Encode(), (Bytes{0x08, 0x02, 0x18, 0x00}));
}

TEST(UnixfsData, RoundTripAllFields) {
  UnixfsData d;
  d.type = DataType::kHamtShard;
  d.data = Bytes{1, 2, 3};
  d.filesize = 7;
  d.blocksizes = {1, 300, 70000};
  d.hash_type = kHamtHashMurmur3;
  d.fanout = 256;
  d.mode = 0755;
  d.mtime = UnixTime{-5, 999};
  auto back = UnixfsData::Decode(d.Encode());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, d);
}

TEST(UnixfsData, RejectsBadInput) {
  EXPECT_FALSE(UnixfsData::Decode(Bytes{}).ok());               // no Type
  EXPECT_FALSE(UnixfsData::Decode(Bytes{0x08, 0x09}).ok());     // unknown Type
  EXPECT_FALSE(UnixfsData::Decode(Bytes{0x08}).ok());           // truncated
  EXPECT_FALSE(UnixfsData::Decode(Bytes{0x08, 0x02, 0x12, 0x05, 0x01}).ok());
  EXPECT_FALSE(UnixfsData::Decode(Bytes{0x0a, 0x00}).ok());     // Type with wrong wire type
}

TEST(Hamt, Murmur3KnownValues) {
  // murmur3 x64 128 with seed 0 of "hello": cbd8a7b341bd9b02 5b1e906a48ae1d19 (h1, h2).
  auto [h1, h2] = Murmur3X64_128(AsBytes("hello"));
  EXPECT_EQ(h1, 0xcbd8a7b341bd9b02ULL);
  EXPECT_EQ(h2, 0x5b1e906a48ae1d19ULL);
  auto [e1, e2] = Murmur3X64_128(Bytes{});
  EXPECT_EQ(e1, 0u);
  EXPECT_EQ(e2, 0u);
}

}  // namespace
}  // namespace ipfs_kit::unixfs
