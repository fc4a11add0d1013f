// MakeBackend, GetVerified, WalkDag and CopyDag, on real `local` backends in
// temporary directories.
//
// The DAGs are built here with the dag-pb codec rather than the UnixFS
// importer (this test links the backends library only): the walk cares
// about links, and hand-made DAGs can hold what the importer never makes
// (repeated subtrees, v0 and v1 nodes mixed, inline identity nodes).
#include "ipfs_kit/backends/backend.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "ipfs_kit/blockstore/flatfs_blockstore.h"
#include "ipfs_kit/dagpb/dag_pb.h"

// Readable CIDs in assertion failures.
namespace ipfs_kit::multiformats {
void PrintTo(const Cid& c, std::ostream* os) { *os << c.ToString(); }
}  // namespace ipfs_kit::multiformats

namespace ipfs_kit::backends {
namespace {

using multiformats::kCodecDagCbor;
using multiformats::kCodecDagPb;
using multiformats::kCodecRaw;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "backend_test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::unique_ptr<Backend> Local(const std::string& name, const std::string& dir) {
  BackendConfig c;
  c.name = name;
  c.type = "local";
  c.params["path"] = dir;
  auto b = MakeBackend(c, "");
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? std::move(b).value() : nullptr;
}

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Builds DAGs block by block on one backend and remembers every block.
struct DagBuilder {
  explicit DagBuilder(Backend& b) : store(b) {}
  Backend& store;
  std::map<Cid, Bytes> blocks;

  Cid Raw(std::string_view content) {
    Bytes data = B(content);
    Cid c = Cid::Sha256(1, kCodecRaw, data);
    EXPECT_TRUE(store.Put(c, data).ok());
    blocks[c] = data;
    return c;
  }
  Cid Node(int version, const std::vector<Cid>& links, std::string_view data = "node") {
    dagpb::PbNode n;
    for (size_t i = 0; i < links.size(); ++i) {
      // Appended, not "l" + to_string(i): GCC 12 warns (-Wrestrict) on that.
      std::string link_name = "l";
      link_name += std::to_string(i);
      n.links.push_back({links[i], link_name, 1});
    }
    n.data = B(data);
    Bytes bytes = dagpb::Encode(n);
    Cid c = Cid::Sha256(version, kCodecDagPb, bytes);
    EXPECT_TRUE(store.Put(c, bytes).ok());
    blocks[c] = bytes;
    return c;
  }
};

// root -> F1(v0) -> L1, L2
//      -> F2     -> L3, L1 (again)
//      -> L4
//      -> F1 (again)
// DFS pre-order without repeats: root F1 L1 L2 F2 L3 L4.
struct SampleDag {
  Cid root, f1, f2, l1, l2, l3, l4;
  std::vector<Cid> order;
};

SampleDag MakeSample(DagBuilder& b) {
  SampleDag d;
  d.l1 = b.Raw("leaf one");
  d.l2 = b.Raw("leaf two");
  d.l3 = b.Raw("leaf three");
  d.l4 = b.Raw("leaf four");
  d.f1 = b.Node(0, {d.l1, d.l2}, "f1");
  d.f2 = b.Node(1, {d.l3, d.l1}, "f2");
  d.root = b.Node(1, {d.f1, d.f2, d.l4, d.f1}, "root");
  d.order = {d.root, d.f1, d.l1, d.l2, d.f2, d.l3, d.l4};
  return d;
}

std::vector<Cid> Walk(Backend& b, const Cid& root, Status* st) {
  std::vector<Cid> seen;
  *st = WalkDag(b, root, [&](const Cid& c, const Bytes& data) {
    EXPECT_EQ(Cid::Sha256(c.version(), c.codec(), data), c);
    seen.push_back(c);
    return true;
  });
  return seen;
}

// Overwrites the stored bytes of a block behind the backend's back.
void CorruptOnDisk(const std::string& store_dir, const Cid& cid) {
  auto fs = blockstore::FlatfsBlockstore::Open(store_dir);
  ASSERT_TRUE(fs.ok());
  std::ofstream((*fs)->BlockPath(cid), std::ios::binary | std::ios::trunc) << "rotten bits";
}

TEST(Backend, PinStateNames) {
  EXPECT_STREQ(PinStateName(PinState::kAbsent), "absent");
  EXPECT_STREQ(PinStateName(PinState::kQueued), "queued");
  EXPECT_STREQ(PinStateName(PinState::kPinning), "pinning");
  EXPECT_STREQ(PinStateName(PinState::kPinned), "pinned");
  EXPECT_STREQ(PinStateName(PinState::kFailed), "failed");
}

TEST(Backend, TypesAndFactoryErrors) {
  std::set<std::string> types(BackendTypes().begin(), BackendTypes().end());
  EXPECT_EQ(types, (std::set<std::string>{"local", "s3", "kubo", "gateway", "pinning-service",
                                          "ipfs-cluster"}));
  BackendConfig c;
  c.name = "x1";
  c.type = "ftp";
  auto r = MakeBackend(c, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("backends.x1.type"), std::string::npos);
  EXPECT_NE(r.status().message().find("ftp"), std::string::npos);

  c.type = "";
  r = MakeBackend(c, "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("backends.x1.type: missing"), std::string::npos);

  for (const std::string& bad :
       std::vector<std::string>{"", "Upper", "-dash", "has space", std::string(64, 'a')}) {
    c.name = bad;
    c.type = "gateway";
    c.params["url"] = "http://127.0.0.1:1";
    r = MakeBackend(c, "");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  c.name = std::string(63, 'a');
  EXPECT_TRUE(MakeBackend(c, "").ok());
  c.name = "gw_1-b";
  EXPECT_TRUE(MakeBackend(c, "").ok());

  c.params.clear();
  r = MakeBackend(c, "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("backends.gw_1-b.params.url: missing"), std::string::npos);

  c.type = "s3";
  c.params = {{"bucket", "b"}};
  r = MakeBackend(c, "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("backends.gw_1-b.params.endpoint: missing"),
            std::string::npos);

  c.type = "local";
  c.params.clear();
  r = MakeBackend(c, "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("backends.gw_1-b.params.path"), std::string::npos);
}

TEST(Backend, EveryTypeIsDispatched) {
  // Each factory answers for its own type: a config missing everything
  // gets that type's own complaint, never "unknown type".
  for (const std::string& t : BackendTypes()) {
    BackendConfig c;
    c.name = "n";
    c.type = t;
    auto r = MakeBackend(c, "");
    if (!r.ok()) {
      EXPECT_EQ(r.status().message().find("unknown type"), std::string::npos) << t;
    }
  }
}

TEST(Backend, GetVerifiedDetectsCorruption) {
  TempDir dir;
  auto b = Local("disk1", dir.path() + "/s");
  ASSERT_TRUE(b);
  Bytes good = B("the real content");
  Cid cid = Cid::Sha256(1, kCodecRaw, good);
  // Put trusts its caller: store the wrong bytes under the CID.
  ASSERT_TRUE(b->Put(cid, B("something else")).ok());
  auto raw = b->Get(cid);
  ASSERT_TRUE(raw.ok());  // Get does not verify
  auto v = GetVerified(*b, cid);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kCorruption);
  EXPECT_NE(v.status().message().find(cid.ToString()), std::string::npos);
  EXPECT_NE(v.status().message().find("disk1"), std::string::npos);

  // Repair: Put overwrites.
  ASSERT_TRUE(b->Put(cid, good).ok());
  v = GetVerified(*b, cid);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, good);

  Cid absent = Cid::Sha256(1, kCodecRaw, B("never stored"));
  v = GetVerified(*b, absent);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kNotFound);
}

TEST(Backend, GetVerifiedIdentityNeedsNoBackend) {
  // A gateway nobody listens on: any request would fail.
  BackendConfig c;
  c.name = "nowhere";
  c.type = "gateway";
  c.params["url"] = "http://127.0.0.1:9";
  auto b = MakeBackend(c, "");
  ASSERT_TRUE(b.ok());
  auto mh = multiformats::ComputeMultihash(multiformats::kIdentity, B("inline"));
  ASSERT_TRUE(mh.ok());
  Cid id(1, kCodecRaw, *mh);
  auto v = GetVerified(**b, id);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, B("inline"));
}

TEST(DagWalk, PreOrderWithoutDuplicates) {
  TempDir dir;
  auto b = Local("a", dir.path() + "/a");
  DagBuilder builder(*b);
  SampleDag d = MakeSample(builder);
  Status st;
  std::vector<Cid> seen = Walk(*b, d.root, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(seen, d.order);

  // A raw root is a one-block DAG.
  seen = Walk(*b, d.l2, &st);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(seen, std::vector<Cid>{d.l2});

  // Early stop.
  int n = 0;
  st = WalkDag(*b, d.root, [&](const Cid&, const Bytes&) { return ++n < 3; });
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(n, 3);
}

TEST(DagWalk, FollowsLinksOfInlineIdentityNodes) {
  TempDir dir;
  auto b = Local("a", dir.path() + "/a");
  DagBuilder builder(*b);
  Cid leaf = builder.Raw("under an inline node");
  dagpb::PbNode n;
  n.links.push_back({leaf, "x", 1});
  Bytes inline_node = dagpb::Encode(n);
  auto mh = multiformats::ComputeMultihash(multiformats::kIdentity, inline_node);
  ASSERT_TRUE(mh.ok());
  Cid id_root(1, kCodecDagPb, *mh);
  Cid root = builder.Node(1, {id_root});
  Status st;
  std::vector<Cid> seen = Walk(*b, root, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(seen, (std::vector<Cid>{root, leaf}));
}

TEST(DagWalk, Errors) {
  TempDir dir;
  std::string store = dir.path() + "/a";
  auto b = Local("walker", store);
  DagBuilder builder(*b);
  SampleDag d = MakeSample(builder);

  // Unknown codec: a clear kUnsupported, not a silent leaf.
  Cid cbor = Cid::Sha256(1, kCodecDagCbor, B("\xa0"));
  Cid root = builder.Node(1, {d.l1, cbor});
  Status st;
  Walk(*b, root, &st);
  EXPECT_EQ(st.code(), StatusCode::kUnsupported);
  EXPECT_NE(st.message().find("dag-cbor"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find(cbor.ToString()), std::string::npos);

  // A missing block.
  ASSERT_TRUE(b->Delete(d.l3).ok());
  std::vector<Cid> seen = Walk(*b, d.root, &st);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find(d.l3.ToString()), std::string::npos);
  EXPECT_EQ(seen.size(), 5u);  // root F1 L1 L2 F2 came before it

  // A corrupted block: verification stops the walk.
  ASSERT_TRUE(b->Put(d.l3, builder.blocks[d.l3]).ok());
  CorruptOnDisk(store, d.l2);
  Walk(*b, d.root, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find(d.l2.ToString()), std::string::npos);
  EXPECT_NE(st.message().find("walker"), std::string::npos);

  // Bytes that hash right under a dag-pb CID but are not dag-pb.
  Bytes junk = B("not protobuf \xff\xff");
  Cid bad = Cid::Sha256(1, kCodecDagPb, junk);
  ASSERT_TRUE(b->Put(bad, junk).ok());
  Walk(*b, bad, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("dag-pb"), std::string::npos);
}

TEST(CopyDag, BetweenLocalBackends) {
  TempDir dir;
  auto from = Local("src", dir.path() + "/src");
  auto to = Local("dst", dir.path() + "/dst");
  DagBuilder builder(*from);
  SampleDag d = MakeSample(builder);
  uint64_t total = 0;
  for (const Cid& c : d.order) total += builder.blocks[c].size();

  PinRequest req;
  req.name = "sample";
  CopyStats stats;
  Status st = CopyDag(*from, *to, d.root, req, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(stats.blocks, 7u);
  EXPECT_EQ(stats.bytes, total);
  EXPECT_EQ(stats.skipped, 0u);
  auto pin = to->PinStatus(d.root);
  ASSERT_TRUE(pin.ok());
  EXPECT_EQ(pin->state, PinState::kPinned);
  EXPECT_EQ(from->PinStatus(d.root)->state, PinState::kAbsent);
  std::vector<Cid> seen = Walk(*to, d.root, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(seen, d.order);

  // Again: everything is there already.
  st = CopyDag(*from, *to, d.root, req, &stats);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(stats.blocks, 0u);
  EXPECT_EQ(stats.skipped, 7u);

  // A missing leaf and a damaged node on the destination are (re)copied.
  ASSERT_TRUE(to->Delete(d.l3).ok());
  CorruptOnDisk(dir.path() + "/dst", d.f1);
  st = CopyDag(*from, *to, d.root, req, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(stats.blocks, 2u);
  EXPECT_EQ(stats.skipped, 5u);
  EXPECT_EQ(stats.bytes, builder.blocks[d.l3].size() + builder.blocks[d.f1].size());
  seen = Walk(*to, d.root, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(seen, d.order);
}

TEST(CopyDag, LargerTree) {
  TempDir dir;
  auto from = Local("src", dir.path() + "/src");
  auto to = Local("dst", dir.path() + "/dst");
  DagBuilder builder(*from);
  // Three levels, 6 x 40 leaves, one subtree linked twice.
  std::vector<Cid> mids;
  for (int m = 0; m < 6; ++m) {
    std::vector<Cid> leaves;
    for (int i = 0; i < 40; ++i) {
      leaves.push_back(builder.Raw("leaf " + std::to_string(m) + "/" + std::to_string(i) +
                                   std::string(static_cast<size_t>(i) * 13, 'x')));
    }
    mids.push_back(builder.Node(m % 2, leaves, "mid" + std::to_string(m)));
  }
  mids.push_back(mids[2]);
  Cid root = builder.Node(1, mids, "top");

  CopyStats stats;
  Status st = CopyDag(*from, *to, root, PinRequest{}, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(stats.blocks, builder.blocks.size());
  for (const auto& [cid, data] : builder.blocks) {
    auto got = GetVerified(*to, cid);
    ASSERT_TRUE(got.ok()) << cid.ToString();
    EXPECT_EQ(*got, data);
  }
  std::vector<Cid> pins;
  ASSERT_TRUE(to->ListPins([&](const Cid& c) {
                  pins.push_back(c);
                  return true;
                }).ok());
  EXPECT_EQ(pins, std::vector<Cid>{root});
}

TEST(CopyDag, SourceCorruptionStopsTheCopyAndNoPinIsMade) {
  TempDir dir;
  auto from = Local("src", dir.path() + "/src");
  auto to = Local("dst", dir.path() + "/dst");
  DagBuilder builder(*from);
  SampleDag d = MakeSample(builder);
  CorruptOnDisk(dir.path() + "/src", d.l4);
  Status st = CopyDag(*from, *to, d.root, PinRequest{}, nullptr);
  ASSERT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find(d.l4.ToString()), std::string::npos);
  EXPECT_NE(st.message().find("src"), std::string::npos);
  EXPECT_EQ(to->PinStatus(d.root)->state, PinState::kAbsent);
  EXPECT_EQ(*to->Has(d.l4), false);
}

TEST(CopyDag, ReadOnlyDestinationIsRefused) {
  TempDir dir;
  auto from = Local("src", dir.path() + "/src");
  DagBuilder builder(*from);
  SampleDag d = MakeSample(builder);
  BackendConfig c;
  c.name = "gw";
  c.type = "gateway";
  c.params["url"] = "http://127.0.0.1:9";
  auto gw = MakeBackend(c, "");
  ASSERT_TRUE(gw.ok());
  Status st = CopyDag(*from, **gw, d.root, PinRequest{});
  EXPECT_EQ(st.code(), StatusCode::kUnsupported);
  EXPECT_NE(st.message().find("gw"), std::string::npos);
}

// A destination that fetches by itself (a pinning service). The real
// pinning-service backend needs a PSA server; what CopyDag owes such a
// destination is only the Pin call, which this records.
class FetchingBackend : public Backend {
 public:
  FetchingBackend() {
    config_.name = "psa";
    config_.type = "pinning-service";
  }
  const BackendConfig& config() const override { return config_; }
  Capabilities capabilities() const override {
    Capabilities c;
    c.stores_blocks = false;
    c.fetches_itself = true;
    c.async_pins = true;
    return c;
  }
  Result<bool> Has(const Cid&) override {
    ++block_calls;
    return false;
  }
  Result<Bytes> Get(const Cid&) override {
    ++block_calls;
    return Status::Unsupported("no");
  }
  Status Put(const Cid&, ByteView) override {
    ++block_calls;
    return Status::Unsupported("no");
  }
  Status Delete(const Cid&) override { return Status::Unsupported("no"); }
  Status Pin(const Cid& root, const PinRequest& r) override {
    pinned.push_back(root);
    origins = r.origins;
    return Status::Ok();
  }
  Result<PinInfo> PinStatus(const Cid&) override { return PinInfo{PinState::kQueued, ""}; }
  Status Unpin(const Cid&) override { return Status::Ok(); }
  Status ListPins(const std::function<bool(const Cid&)>&) override { return Status::Ok(); }
  Result<Probe> Check() override { return Probe{}; }

  BackendConfig config_;
  int block_calls = 0;
  std::vector<Cid> pinned;
  std::vector<std::string> origins;
};

TEST(CopyDag, FetchingDestinationOnlyGetsThePin) {
  TempDir dir;
  auto from = Local("src", dir.path() + "/src");
  DagBuilder builder(*from);
  SampleDag d = MakeSample(builder);
  FetchingBackend psa;
  PinRequest req;
  req.name = "x";
  req.origins = {"/ip4/127.0.0.1/tcp/4001/p2p/QmPeer"};
  CopyStats stats;
  Status st = CopyDag(*from, psa, d.root, req, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(psa.pinned, std::vector<Cid>{d.root});
  EXPECT_EQ(psa.origins, req.origins);
  EXPECT_EQ(psa.block_calls, 0);
  EXPECT_EQ(stats.blocks, 0u);
}

}  // namespace
}  // namespace ipfs_kit::backends
