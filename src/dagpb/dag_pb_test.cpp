#include "ipfs_kit/dagpb/dag_pb.h"

#include <gtest/gtest.h>

namespace ipfs_kit::dagpb {
namespace {

using multiformats::Cid;

TEST(DagPb, EmptyDirectoryKnownCid) {
  PbNode n;
  n.data = Bytes{0x08, 0x01};
  Bytes enc = Encode(n);
  EXPECT_EQ(enc, (Bytes{0x0a, 0x02, 0x08, 0x01}));
  EXPECT_EQ(Cid::Sha256(0, multiformats::kCodecDagPb, enc).ToString(),
            "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn");
}

TEST(DagPb, RoundTripWithLinks) {
  PbNode n;
  auto c = Cid::Parse("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
  ASSERT_TRUE(c.ok());
  n.links.push_back({*c, std::string("b"), 6});
  n.links.push_back({c->ToV1(), std::string(""), std::nullopt});
  n.links.push_back({*c, std::nullopt, 0});
  n.data = Bytes{0x08, 0x01};
  Bytes enc = Encode(n);
  auto d = Decode(enc);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, n);
  EXPECT_EQ(Encode(*d), enc);
  size_t sum = 0;
  for (auto& l : n.links) sum += EncodedLinkSize(l);
  EXPECT_EQ(sum + 4, enc.size());
}

TEST(DagPb, StrictDecode) {
  EXPECT_TRUE(Decode(Bytes{}).ok());                          // empty node is valid
  EXPECT_FALSE(Decode(Bytes{0x0a, 0x02, 0x08}).ok());         // truncated data
  EXPECT_FALSE(Decode(Bytes{0x0a, 0x00, 0x0a, 0x00}).ok());   // duplicate Data
  EXPECT_FALSE(Decode(Bytes{0x0a, 0x00, 0x12, 0x00}).ok());   // link after data
  EXPECT_FALSE(Decode(Bytes{0x12, 0x00}).ok());               // link without hash
  EXPECT_FALSE(Decode(Bytes{0x1a, 0x00}).ok());               // unknown field 3
  EXPECT_FALSE(Decode(Bytes{0x08, 0x01}).ok());               // wrong wire type
  EXPECT_FALSE(Decode(Bytes{0x0a, 0x80, 0x00}).ok());         // non-minimal length
  EXPECT_FALSE(Decode(Bytes{0x12, 0x03, 0x0a, 0x01, 0x00}).ok());  // bad CID bytes
}

TEST(DagPb, SortLinksByBytes) {
  auto c = Cid::Parse("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
  std::vector<PbLink> links{{*c, std::string("\xc3\xa9"), 1}, {*c, std::string("b"), 1},
                            {*c, std::string("B"), 1}, {*c, std::string("ab"), 1}};
  SortLinks(links);
  EXPECT_EQ(*links[0].name, "B");
  EXPECT_EQ(*links[1].name, "ab");
  EXPECT_EQ(*links[2].name, "b");
  EXPECT_EQ(*links[3].name, "\xc3\xa9");
}

}  // namespace
}  // namespace ipfs_kit::dagpb
