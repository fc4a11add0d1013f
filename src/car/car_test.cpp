#include "ipfs_kit/car/car.h"

#include <cstdio>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "ipfs_kit/dagpb/dag_pb.h"

namespace ipfs_kit::car {
namespace {

using multiformats::kCodecDagCbor;
using multiformats::kCodecDagPb;
using multiformats::kCodecRaw;
using multiformats::kIdentity;
using multiformats::Multihash;

Bytes FromHex(std::string_view hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Written by @ipld/car 5.4.7 (oracle car-write.mjs) for the file "hello world"
// with Kubo defaults: root Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD,
// one CIDv0 dag-pb block.
const Bytes kHelloCar = FromHex(
    "38a265726f6f747381d82a5823001220f852c7fa62f971817f54d8a80dcd63fcf7098b3cbde9ae8ec1ee449013ec5d"
    "b0"
    "6776657273696f6e01351220f852c7fa62f971817f54d8a80dcd63fcf7098b3cbde9ae8ec1ee449013ec5db00a1108"
    "02"
    "120b68656c6c6f20776f726c64180b");

// Written by the same oracle for "aaaabbbbaaaaccccaaaabbbb" with --cid-version 1
// --chunk-size 4 --max-children 2: 8 blocks in `dag export` order, with
// repeated subtrees and leaves de-duplicated. Root
// bafybeih54fzxfhxlsjfyrz4ehjjdxo5ehtxpd7y5n22o3mehlmqjttthxm.
const Bytes kRepCar = FromHex(
    "3aa265726f6f747381d82a58250001701220fde173729eeb924b88e7843a523bbba43ceef1ff1d6eb4edb0875b2099"
    "ce"
    "67bb6776657273696f6e01880101701220fde173729eeb924b88e7843a523bbba43ceef1ff1d6eb4edb0875b2099ce"
    "67"
    "bb122b0a2401701220f1a4400f6f3c2c272f97ece0bd757be4dab91f22d235b106e67670ea9b5703dd120018b60212"
    "2b"
    "0a24017012208950255a91776c3914b05364a5d1329499becf74ee02592471ca667404b938401200189e010a080802"
    "18"
    "1820102008860101701220f1a4400f6f3c2c272f97ece0bd757be4dab91f22d235b106e67670ea9b5703dd122a0a24"
    "01"
    "701220286b10e9c54990253161560885fe530db3da4ad19c4e514b711957229bc6d8551200186a122a0a2401701220"
    "3c"
    "b73f93bcd568fb2508f70b2a04b3b8f198049fe30882207b857e1a577a384b1200186a0a0808021810200820088601"
    "01"
    "701220286b10e9c54990253161560885fe530db3da4ad19c4e514b711957229bc6d855122a0a240155122061be55a8"
    "e2"
    "f6b4e172338bddf184d6dbee29c98853e0a0485ecee7f27b9af0b412001804122a0a240155122081cc5b17018674b4"
    "01"
    "b42f35ba07bb79e211239c23bffe658da1577e3e646877120018040a080802180820042004280155122061be55a8e2"
    "f6"
    "b4e172338bddf184d6dbee29c98853e0a0485ecee7f27b9af0b461616161280155122081cc5b17018674b401b42f35"
    "ba"
    "07bb79e211239c23bffe658da1577e3e646877626262628601017012203cb73f93bcd568fb2508f70b2a04b3b8f198"
    "04"
    "9fe30882207b857e1a577a384b122a0a240155122061be55a8e2f6b4e172338bddf184d6dbee29c98853e0a0485ece"
    "e7"
    "f27b9af0b412001804122a0a2401551220b6fbd675f98e2abd22d4ed29fdc83150fedc48597e92dd1a7a24381d44a2"
    "74"
    "51120018040a0808021808200420042801551220b6fbd675f98e2abd22d4ed29fdc83150fedc48597e92dd1a7a2438"
    "1d"
    "44a274516363636358017012208950255a91776c3914b05364a5d1329499becf74ee02592471ca667404b93840122a"
    "0a"
    "2401701220286b10e9c54990253161560885fe530db3da4ad19c4e514b711957229bc6d8551200186a0a0608021808"
    "20"
    "08");
constexpr size_t kRepHeaderLen = 59;  // varint 0x3a + 58 bytes

// A FILE* holding `bytes`, closed on destruction.
class MemFile {
 public:
  explicit MemFile(ByteView bytes) : f_(std::tmpfile()) {
    if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f_);
    std::rewind(f_);
  }
  MemFile() : f_(std::tmpfile()) {}
  ~MemFile() { std::fclose(f_); }
  FILE* get() { return f_; }
  Bytes Contents() {
    std::fflush(f_);
    std::rewind(f_);
    Bytes out;
    int c;
    while ((c = std::getc(f_)) != EOF) out.push_back(static_cast<uint8_t>(c));
    return out;
  }

 private:
  FILE* f_;
};

struct ReadResult {
  Status status;
  int version = 0;
  std::vector<Cid> roots;
  std::vector<Block> blocks;
};

ReadResult ReadAll(ByteView bytes) {
  MemFile f(bytes);
  ReadResult res;
  auto reader = CarReader::FromFile(f.get(), "test.car");
  if (!reader.ok()) {
    res.status = reader.status();
    return res;
  }
  res.version = (*reader)->version();
  res.roots = (*reader)->roots();
  for (;;) {
    Block b;
    auto more = (*reader)->Next(&b);
    if (!more.ok()) {
      res.status = more.status();
      return res;
    }
    if (!*more) break;
    res.blocks.push_back(std::move(b));
  }
  return res;
}

Bytes WrapV2(ByteView v1, size_t padding, size_t trailing, int64_t size_delta = 0) {
  Bytes out = {0x0a, 0xa1, 0x67, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x02};
  Bytes fixed(40, 0);
  uint64_t data_offset = 11 + 40 + padding;
  uint64_t data_size = static_cast<uint64_t>(static_cast<int64_t>(v1.size()) + size_delta);
  uint64_t index_offset = trailing ? data_offset + v1.size() : 0;
  for (int i = 0; i < 8; ++i) {
    fixed[16 + i] = static_cast<uint8_t>(data_offset >> (8 * i));
    fixed[24 + i] = static_cast<uint8_t>(data_size >> (8 * i));
    fixed[32 + i] = static_cast<uint8_t>(index_offset >> (8 * i));
  }
  Append(out, fixed);
  out.insert(out.end(), padding, 0);
  Append(out, v1);
  out.insert(out.end(), trailing, 0x5a);  // stands in for an index
  return out;
}

TEST(CarHeader, MatchesIpldCar) {
  auto root = Cid::Parse("Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD");
  ASSERT_TRUE(root.ok());
  Bytes header = EncodeHeaderV1({*root});
  EXPECT_EQ(HexEncode(header), HexEncode(ByteView(kHelloCar).subspan(0, 57)));

  auto root1 = Cid::Parse("bafybeih54fzxfhxlsjfyrz4ehjjdxo5ehtxpd7y5n22o3mehlmqjttthxm");
  ASSERT_TRUE(root1.ok());
  EXPECT_EQ(HexEncode(EncodeHeaderV1({*root1})),
            HexEncode(ByteView(kRepCar).subspan(0, kRepHeaderLen)));

  // No roots: {"roots": [], "version": 1}.
  EXPECT_EQ(HexEncode(EncodeHeaderV1({})), "11a265726f6f7473806776657273696f6e01");
}

TEST(CarReader, ReadsCidV0Sections) {
  ReadResult r = ReadAll(kHelloCar);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.version, 1);
  ASSERT_EQ(r.roots.size(), 1u);
  EXPECT_EQ(r.roots[0].ToString(), "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD");
  ASSERT_EQ(r.blocks.size(), 1u);
  EXPECT_EQ(r.blocks[0].cid, r.roots[0]);
  EXPECT_EQ(r.blocks[0].cid.version(), 0);
  EXPECT_EQ(r.blocks[0].data.size(), 0x35u - 34u);
}

TEST(CarReader, ReadsMultiBlock) {
  ReadResult r = ReadAll(kRepCar);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.blocks.size(), 8u);
  EXPECT_EQ(r.blocks[0].cid.ToString(),
            "bafybeih54fzxfhxlsjfyrz4ehjjdxo5ehtxpd7y5n22o3mehlmqjttthxm");
  EXPECT_EQ(r.blocks[3].cid.ToString(),
            "bafkreidbxzk2ryxwwtqxem4l3xyyjvw35yu4tcct4cqeqxwo47zhxgxqwq");
  EXPECT_EQ(AsString(r.blocks[3].data), "aaaa");
}

TEST(CarReader, ReadsV2) {
  for (size_t padding : {0u, 7u, 5000u}) {
    for (size_t trailing : {0u, 100u}) {
      ReadResult r = ReadAll(WrapV2(kRepCar, padding, trailing));
      ASSERT_TRUE(r.status.ok()) << padding << "/" << trailing << ": " << r.status.ToString();
      EXPECT_EQ(r.version, 2);
      ASSERT_EQ(r.roots.size(), 1u);
      EXPECT_EQ(r.blocks.size(), 8u);
    }
  }
}

TEST(CarReader, RejectsBadV2) {
  // Data size shorter than the payload: the last section runs past it.
  ReadResult r = ReadAll(WrapV2(kRepCar, 0, 50, -3));
  EXPECT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("past the CARv2 data size"), std::string::npos)
      << r.status.message();
  // Data size longer than the file.
  r = ReadAll(WrapV2(kRepCar, 0, 0, 10));
  EXPECT_FALSE(r.status.ok());
  // Truncated fixed header.
  Bytes v2 = WrapV2(kRepCar, 0, 0);
  r = ReadAll(ByteView(v2).subspan(0, 30));
  EXPECT_FALSE(r.status.ok());
  // Data offset pointing into the header.
  v2[11 + 16] = 20;
  r = ReadAll(v2);
  EXPECT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("overlaps"), std::string::npos);
  // A v2 inside a v2.
  Bytes nested = WrapV2(WrapV2(kRepCar, 0, 0), 0, 0);
  EXPECT_FALSE(ReadAll(nested).status.ok());
}

TEST(CarReader, EveryTruncationIsAnErrorOrABoundary) {
  int clean = 0;
  for (size_t n = 0; n < kRepCar.size(); ++n) {
    ReadResult r = ReadAll(ByteView(kRepCar).subspan(0, n));
    if (n < kRepHeaderLen) {
      EXPECT_FALSE(r.status.ok()) << n;
      continue;
    }
    if (r.status.ok()) {
      ++clean;  // cut exactly between sections
      EXPECT_LT(r.blocks.size(), 8u);
    } else {
      EXPECT_NE(r.status.message().find("byte offset"), std::string::npos) << r.status.message();
      EXPECT_NE(r.status.message().find("test.car"), std::string::npos);
    }
  }
  EXPECT_EQ(clean, 8);  // after the header and after each of the first 7 blocks
}

TEST(CarReader, CorruptBlockNamesCid) {
  Bytes bad = kRepCar;
  bad[bad.size() - 1] ^= 1;  // last byte of the last block
  ReadResult r = ReadAll(bad);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.code(), StatusCode::kCorruption);
  EXPECT_NE(r.status.message().find("bafybeiejkasvvelxnq4rjmctmss5cmuutg7m65hoajmsi4okmz2ajojyia"),
            std::string::npos)
      << r.status.message();
  EXPECT_EQ(r.blocks.size(), 7u);
}

TEST(CarReader, RejectsMalformedHeaders) {
  struct Case {
    const char* name;
    std::string hex;
  };
  const Case cases[] = {
      {"empty", ""},
      {"zero header length", "00"},
      {"bad varint", "ffffffffffffffffffff01"},
      {"non-minimal varint", "8000"},
      {"huge header", "ffffffff0f"},
      {"header truncated", "11a265726f6f747380"},
      {"not a map", "0180"},
      {"version 3", "0aa16776657273696f6e03"},
      {"missing roots", "0aa16776657273696f6e01"},
      {"unknown key", "0fa1666f6f6f6f6f6f6f6f6f6f6f6f6f"},
      {"duplicate key", "13a26776657273696f6e016776657273696f6e01"},
      {"trailing", "12a265726f6f7473806776657273696f6e0100"},
      {"indefinite map", "12bf65726f6f7473806776657273696f6e01ff"},
      {"root without 0x00", "15a265726f6f747381d82a4201556776657273696f6e01"},
      {"root bad tag", "15a265726f6f747381d82b4200006776657273696f6e01"},
      {"huge roots count", "15a265726f6f74739bffffffffffffffff6776657273696f6e01"},
  };
  for (const Case& c : cases) {
    ReadResult r = ReadAll(FromHex(c.hex));
    EXPECT_FALSE(r.status.ok()) << c.name;
    EXPECT_FALSE(r.status.message().empty()) << c.name;
  }
  EXPECT_EQ(ReadAll(FromHex("0aa16776657273696f6e03")).status.code(), StatusCode::kUnsupported);
}

TEST(CarReader, RejectsMalformedSections) {
  Bytes header = EncodeHeaderV1({});
  auto with = [&](std::string_view hex) {
    Bytes b = header;
    Append(b, FromHex(hex));
    return ReadAll(b);
  };
  EXPECT_FALSE(with("00").status.ok());                    // zero-length section
  EXPECT_FALSE(with("80").status.ok());                    // truncated varint
  EXPECT_FALSE(with("ffffffffffffffffff01").status.ok());  // too long varint
  ReadResult r = with("ffffffff0f");                       // 4 GiB section
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("limit"), std::string::npos);
  EXPECT_FALSE(with("0401551220").status.ok());  // CID cut short
  EXPECT_FALSE(with("03ff0102").status.ok());    // not a CID
  // Identity CID: the block must equal the digest.
  EXPECT_TRUE(with("080155000268696869").status.ok());
  EXPECT_EQ(with("080155000268696868").status.code(), StatusCode::kCorruption);
}

TEST(CarReader, RandomGarbageNeverCrashes) {
  std::mt19937 rng(12345);
  for (int i = 0; i < 300; ++i) {
    Bytes b(rng() % 200);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    // Sometimes keep a valid header so the section parser gets garbage too.
    if (i % 2 == 0) b.insert(b.begin(), kRepCar.begin(), kRepCar.begin() + kRepHeaderLen);
    ReadResult r = ReadAll(b);
    if (i % 2 == 1) {
      EXPECT_FALSE(r.status.ok()) << i;
    }
  }
}

TEST(CarWriter, RoundTrip) {
  std::vector<Block> blocks;
  for (int i = 0; i < 5; ++i) {
    std::string s = "block number " + std::to_string(i);
    blocks.push_back({Cid::Sha256(1, kCodecRaw, AsBytes(s)), Bytes(s.begin(), s.end())});
  }
  blocks.push_back({Cid::Sha256(0, kCodecDagPb, {}), {}});
  MemFile out;
  auto writer = CarWriter::Create(out.get(), {blocks[0].cid, blocks[5].cid});
  ASSERT_TRUE(writer.ok());
  for (const Block& b : blocks) ASSERT_TRUE((*writer)->Put(b.cid, b.data).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  ReadResult r = ReadAll(out.Contents());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.roots.size(), 2u);
  EXPECT_EQ(r.roots[1], blocks[5].cid);
  ASSERT_EQ(r.blocks.size(), blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_EQ(r.blocks[i].cid, blocks[i].cid);
    EXPECT_EQ(r.blocks[i].data, blocks[i].data);
  }
}

TEST(ExportDag, MatchesDagExportOrder) {
  ReadResult in = ReadAll(kRepCar);
  ASSERT_TRUE(in.status.ok());
  auto store = blockstore::NewMemoryBlockstore();
  // Insert in reverse so store order cannot accidentally produce the answer.
  for (auto it = in.blocks.rbegin(); it != in.blocks.rend(); ++it) {
    ASSERT_TRUE(store->Put(it->cid, it->data).ok());
  }
  MemFile out;
  auto writer = CarWriter::Create(out.get(), in.roots);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(ExportDag(*store, in.roots[0], **writer).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  EXPECT_EQ(HexEncode(out.Contents()), HexEncode(kRepCar));
}

TEST(ExportDag, SkipsIdentityAndReportsProblems) {
  auto store = blockstore::NewMemoryBlockstore();
  Bytes leaf = {'l', 'e', 'a', 'f'};
  Cid leaf_cid = Cid::Sha256(1, kCodecRaw, leaf);
  Cid id_cid(1, kCodecRaw, Multihash{kIdentity, Bytes{'i', 'd'}});
  dagpb::PbNode node;
  node.links.push_back({id_cid, std::string("a"), 2});
  node.links.push_back({leaf_cid, std::string("b"), 4});
  Bytes node_bytes = dagpb::Encode(node);
  Cid root = Cid::Sha256(1, kCodecDagPb, node_bytes);
  ASSERT_TRUE(store->Put(root, node_bytes).ok());

  {
    // Missing leaf.
    MemFile out;
    auto writer = CarWriter::Create(out.get(), {root});
    Status st = ExportDag(*store, root, **writer);
    EXPECT_EQ(st.code(), StatusCode::kNotFound);
    EXPECT_NE(st.message().find(leaf_cid.ToString()), std::string::npos) << st.message();
  }
  ASSERT_TRUE(store->Put(leaf_cid, leaf).ok());
  {
    MemFile out;
    auto writer = CarWriter::Create(out.get(), {root});
    ASSERT_TRUE(ExportDag(*store, root, **writer).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
    ReadResult r = ReadAll(out.Contents());
    ASSERT_TRUE(r.status.ok());
    ASSERT_EQ(r.blocks.size(), 2u);  // identity link skipped
    EXPECT_EQ(r.blocks[0].cid, root);
    EXPECT_EQ(r.blocks[1].cid, leaf_cid);
  }
  {
    // Corrupt block in the store is caught.
    Cid bad = Cid::Sha256(1, kCodecRaw, AsBytes("good"));
    ASSERT_TRUE(store->Put(bad, AsBytes("evil")).ok());
    MemFile out;
    auto writer = CarWriter::Create(out.get(), {bad});
    EXPECT_EQ(ExportDag(*store, bad, **writer).code(), StatusCode::kCorruption);
  }
  {
    Cid cbor = Cid::Sha256(1, kCodecDagCbor, AsBytes("\xa0"));
    ASSERT_TRUE(store->Put(cbor, AsBytes("\xa0")).ok());
    MemFile out;
    auto writer = CarWriter::Create(out.get(), {cbor});
    EXPECT_EQ(ExportDag(*store, cbor, **writer).code(), StatusCode::kUnsupported);
  }
}

}  // namespace
}  // namespace ipfs_kit::car
