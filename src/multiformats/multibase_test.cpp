#include "ipfs_kit/multiformats/multibase.h"

#include <gtest/gtest.h>

namespace ipfs_kit::multiformats {
namespace {

// Vectors from the multibase spec test suite ("yes mani !").
TEST(Multibase, SpecVectors) {
  ByteView in = AsBytes("yes mani !");
  EXPECT_EQ(MultibaseEncode(Multibase::kBase16, in), "f796573206d616e692021");
  EXPECT_EQ(MultibaseEncode(Multibase::kBase16Upper, in), "F796573206D616E692021");
  EXPECT_EQ(MultibaseEncode(Multibase::kBase32, in), "bpfsxgidnmfxgsibb");
  EXPECT_EQ(MultibaseEncode(Multibase::kBase32Upper, in), "BPFSXGIDNMFXGSIBB");
  EXPECT_EQ(MultibaseEncode(Multibase::kBase36, in), "k2lcpzo5yikidynfl");
  EXPECT_EQ(MultibaseEncode(Multibase::kBase36Upper, in), "K2LCPZO5YIKIDYNFL");
  EXPECT_EQ(MultibaseEncode(Multibase::kBase58Btc, in), "z7paNL19xttacUY");
  EXPECT_EQ(MultibaseEncode(Multibase::kBase64, in), "meWVzIG1hbmkgIQ");
  EXPECT_EQ(MultibaseEncode(Multibase::kBase64Url, in), "ueWVzIG1hbmkgIQ");
  for (const char* s : {"f796573206d616e692021", "F796573206D616E692021", "bpfsxgidnmfxgsibb",
                        "BPFSXGIDNMFXGSIBB", "k2lcpzo5yikidynfl", "K2LCPZO5YIKIDYNFL",
                        "z7paNL19xttacUY", "meWVzIG1hbmkgIQ", "ueWVzIG1hbmkgIQ"}) {
    auto r = MultibaseDecode(s);
    ASSERT_TRUE(r.ok()) << s << ": " << r.status().ToString();
    EXPECT_EQ(AsString(*r), "yes mani !") << s;
  }
}

TEST(Multibase, LeadingZeros) {
  Bytes z{0, 0, 1};
  EXPECT_EQ(MultibaseEncode(Multibase::kBase58Btc, z), "z112");
  EXPECT_EQ(MultibaseEncode(Multibase::kBase36, z), "k001");
  auto r = MultibaseDecode("z112");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, z);
}

TEST(Multibase, RejectsBadInput) {
  EXPECT_FALSE(MultibaseDecode("").ok());
  EXPECT_FALSE(MultibaseDecode("x1234").ok());      // unknown prefix
  EXPECT_FALSE(MultibaseDecode("bPFSX").ok());      // wrong case for 'b'
  EXPECT_FALSE(MultibaseDecode("b1").ok());         // '1' not in base32
  EXPECT_FALSE(MultibaseDecode("ba").ok());         // 5 bits: not a whole byte
  EXPECT_FALSE(MultibaseDecode("bab").ok());        // non-zero trailing bits
  EXPECT_FALSE(MultibaseDecode("z0OIl").ok());      // not in base58
  EXPECT_FALSE(MultibaseDecode("f7").ok());         // odd hex
  EXPECT_FALSE(MultibaseDecode("fZZ").ok());
  EXPECT_FALSE(MultibaseDecode("u+/").ok());        // base64 chars in base64url
  auto st = MultibaseDecode("b1").status();
  EXPECT_NE(st.message().find("'1'"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace ipfs_kit::multiformats

namespace ipfs_kit::multiformats {
TEST(Base64, PaddedRoundTripAndRfc4648Vectors) {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(Base64Encode(AsBytes(plain[i])), coded[i]);
    auto d = Base64Decode(coded[i]);
    ASSERT_TRUE(d.ok()) << coded[i];
    EXPECT_EQ(AsString(*d), plain[i]);
  }
  EXPECT_TRUE(Base64Decode("Zm9vYg").ok());  // unpadded
  EXPECT_FALSE(Base64Decode("Zm9v!g==").ok());
  EXPECT_FALSE(Base64Decode("Zg=").ok());
}
}  // namespace ipfs_kit::multiformats
