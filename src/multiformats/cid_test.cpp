#include "ipfs_kit/multiformats/cid.h"

#include <gtest/gtest.h>

namespace ipfs_kit::multiformats {
namespace {

TEST(Cid, V0RoundTrip) {
  auto c = Cid::Parse("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->version(), 0);
  EXPECT_EQ(c->codec(), kCodecDagPb);
  EXPECT_EQ(c->ToString(), "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
  EXPECT_EQ(c->ToV1().ToString(), "bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y");
}

TEST(Cid, EmptyFileHasKnownCid) {
  // Kubo: the empty file is the dag-pb node {Data: 08 02 18 00}.
  Bytes node{0x0a, 0x04, 0x08, 0x02, 0x18, 0x00};
  EXPECT_EQ(Cid::Sha256(0, kCodecDagPb, node).ToString(),
            "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
  EXPECT_EQ(Cid::Sha256(1, kCodecRaw, Bytes{}).ToString(),
            "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
}

TEST(Cid, V1Bases) {
  auto c = Cid::Parse("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  ASSERT_TRUE(c.ok());
  for (auto b : {Multibase::kBase16, Multibase::kBase16Upper, Multibase::kBase32,
                 Multibase::kBase32Upper, Multibase::kBase36, Multibase::kBase36Upper,
                 Multibase::kBase58Btc, Multibase::kBase64, Multibase::kBase64Url}) {
    auto s = c->ToString(b);
    auto back = Cid::Parse(s);
    ASSERT_TRUE(back.ok()) << s << ": " << back.status().ToString();
    EXPECT_EQ(*back, *c) << s;
  }
  EXPECT_FALSE(c->ToV0().ok());  // raw cannot be v0
}

TEST(Cid, RejectsMalformed) {
  for (const char* s : {"", "Q", "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQ0",  // '0' not b58
                        "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQ",  // short
                        "bafy", "b", "z", "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk",
                        "!abc", "f0155", "f02", "f01ff", "f015512", "f0155122001",
                        "fffffffffffffffffffffff01"}) {
    auto c = Cid::Parse(s);
    EXPECT_FALSE(c.ok()) << s;
    if (!c.ok()) {
      EXPECT_NE(c.status().message().find("invalid CID"), std::string::npos);
    }
  }
}

TEST(Cid, IdentityAndSha512) {
  auto mh = ComputeMultihash(kIdentity, AsBytes("hi"));
  ASSERT_TRUE(mh.ok());
  Cid c(1, kCodecRaw, *mh);
  auto back = Cid::Parse(c.ToString());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->hash().digest, (Bytes{'h', 'i'}));
  auto mh512 = ComputeMultihash(kSha2_512, AsBytes("hi"));
  ASSERT_TRUE(mh512.ok());
  EXPECT_TRUE(*VerifyMultihash(*mh512, AsBytes("hi")));
  EXPECT_FALSE(*VerifyMultihash(*mh512, AsBytes("ho")));
}

}  // namespace
}  // namespace ipfs_kit::multiformats
