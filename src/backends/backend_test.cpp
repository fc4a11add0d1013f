// MakeBackend, GetVerified, WalkDag and CopyDag, on real `local` backends in
// temporary directories; ReadDagCar on CARs written by our CAR writer, and
// CopyDag through the CAR paths of a local backend dressed up with
// ExportCar/ImportCar.
//
// The DAGs are built here with the dag-pb codec rather than the UnixFS
// importer (this test links the backends library only): the walk cares
// about links, and hand-made DAGs can hold what the importer never makes
// (repeated subtrees, v0 and v1 nodes mixed, inline identity nodes).
#include "ipfs_kit/backends/backend.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "ipfs_kit/blockstore/flatfs_blockstore.h"
#include "ipfs_kit/car/car.h"
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

// --- ReadDagCar ---

using BlockList = std::vector<std::pair<Cid, Bytes>>;

// A CAR v1 in memory, written by our writer (which trusts its caller, so
// the tests can write whatever they need a reader to refuse).
std::string MakeCar(const std::vector<Cid>& roots, const BlockList& blocks) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = ::open_memstream(&buf, &len);
  auto w = car::CarWriter::Create(f, roots);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  for (const auto& [cid, data] : blocks) EXPECT_TRUE((*w)->Put(cid, data).ok());
  EXPECT_TRUE((*w)->Finish().ok());
  std::fclose(f);
  std::string out(buf, len);
  std::free(buf);
  return out;
}

BlockList InOrder(const DagBuilder& b, const std::vector<Cid>& order) {
  BlockList out;
  for (const Cid& c : order) out.emplace_back(c, b.blocks.at(c));
  return out;
}

// Feeds `car` to the sink `chunk` bytes at a time, as an HTTP transfer
// would; stops as Fetch does when the sink refuses.
std::function<Status(const CarSink&)> Feed(std::string car, size_t chunk = 7) {
  return [car = std::move(car), chunk](const CarSink& sink) -> Status {
    for (size_t at = 0; at < car.size(); at += chunk) {
      if (!sink(std::string_view(car).substr(at, chunk))) {
        return Status::InvalidArgument("transfer stopped by the body callback");
      }
    }
    return Status::Ok();
  };
}

struct Received {
  std::vector<Cid> cids;
  Status st;
};

Received ReadCar(const Cid& root, const std::function<Status(const CarSink&)>& produce) {
  Received r;
  r.st = ReadDagCar("export of " + root.ToString() + " from backend src", root, produce,
                    [&](const Cid& c, ByteView data) {
                      EXPECT_EQ(Cid::Sha256(c.version(), c.codec(), data), c);
                      r.cids.push_back(c);
                      return Status::Ok();
                    });
  return r;
}

TEST(ReadDagCar, TheWholeDagInOrder) {
  TempDir dir;
  auto b = Local("a", dir.path() + "/a");
  DagBuilder builder(*b);
  SampleDag d = MakeSample(builder);
  std::string car = MakeCar({d.root}, InOrder(builder, d.order));
  // In pieces of every size: sections split anywhere.
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{100}, car.size()}) {
    Received r = ReadCar(d.root, Feed(car, chunk));
    ASSERT_TRUE(r.st.ok()) << chunk << ": " << r.st.ToString();
    EXPECT_EQ(r.cids, d.order) << chunk;
  }
  // The root as a v0 CID names the same DAG as its v1 form (F1 is v0).
  std::string v0car = MakeCar({d.f1}, InOrder(builder, {d.f1, d.l1, d.l2}));
  Received r = ReadCar(d.f1.ToV1(), Feed(v0car));
  ASSERT_TRUE(r.st.ok()) << r.st.ToString();
  EXPECT_EQ(r.cids, (std::vector<Cid>{d.f1, d.l1, d.l2}));
}

TEST(ReadDagCar, DuplicatesAreSkippedWithinWhatTheLinksAllow) {
  TempDir dir;
  auto b = Local("a", dir.path() + "/a");
  DagBuilder builder(*b);
  SampleDag d = MakeSample(builder);
  // A gateway answering with dups=y: every link followed, repeats included.
  std::vector<Cid> with_dups = {d.root, d.f1, d.l1, d.l2, d.f2, d.l3, d.l1, d.l4, d.f1, d.l1, d.l2};
  Received r = ReadCar(d.root, Feed(MakeCar({d.root}, InOrder(builder, with_dups))));
  ASSERT_TRUE(r.st.ok()) << r.st.ToString();
  EXPECT_EQ(r.cids, d.order);

  // A stream that repeats a block more often than anything links to it
  // (one that could go on for ever) is cut off.
  std::vector<Cid> endless = d.order;
  for (int i = 0; i < 50; ++i) endless.push_back(d.l4);
  r = ReadCar(d.root, Feed(MakeCar({d.root}, InOrder(builder, endless))));
  EXPECT_EQ(r.st.code(), StatusCode::kCorruption) << r.st.ToString();
  EXPECT_NE(r.st.message().find("more than the DAG's links"), std::string::npos) << r.st.ToString();
}

TEST(ReadDagCar, FollowsInlineNodes) {
  TempDir dir;
  auto b = Local("a", dir.path() + "/a");
  DagBuilder builder(*b);
  Cid leaf = builder.Raw("under an inline node");
  dagpb::PbNode n;
  n.links.push_back({leaf, "x", 1});
  Bytes inline_node = dagpb::Encode(n);
  Cid id_node(1, kCodecDagPb,
              *multiformats::ComputeMultihash(multiformats::kIdentity, inline_node));
  Cid root = builder.Node(1, {id_node});
  // With and without a section for the inline node (some writers include
  // them): it is never handed on, its link is followed either way.
  for (bool with_inline : {false, true}) {
    BlockList blocks = InOrder(builder, {root});
    if (with_inline) blocks.emplace_back(id_node, inline_node);
    blocks.emplace_back(leaf, builder.blocks[leaf]);
    Received r = ReadCar(root, Feed(MakeCar({root}, blocks)));
    ASSERT_TRUE(r.st.ok()) << r.st.ToString();
    EXPECT_EQ(r.cids, (std::vector<Cid>{root, leaf}));
  }
}

TEST(ReadDagCar, RefusesWhatIsNotTheDag) {
  TempDir dir;
  auto b = Local("a", dir.path() + "/a");
  DagBuilder builder(*b);
  SampleDag d = MakeSample(builder);
  BlockList good = InOrder(builder, d.order);

  // A block whose bytes do not match its CID: kCorruption naming the block
  // and the transfer (which names the backend); nothing after it is read.
  BlockList bad = good;
  bad[3].second = B("tampered");  // L2
  Received r = ReadCar(d.root, Feed(MakeCar({d.root}, bad)));
  EXPECT_EQ(r.st.code(), StatusCode::kCorruption) << r.st.ToString();
  EXPECT_NE(r.st.message().find(d.l2.ToString()), std::string::npos) << r.st.ToString();
  EXPECT_NE(r.st.message().find("from backend src"), std::string::npos) << r.st.ToString();
  EXPECT_EQ(r.cids, (std::vector<Cid>{d.root, d.f1, d.l1}));

  // Another root, or more than one.
  r = ReadCar(d.root, Feed(MakeCar({d.f2}, good)));
  EXPECT_EQ(r.st.code(), StatusCode::kCorruption);
  EXPECT_NE(r.st.message().find("expected [" + d.root.ToString() + "]"), std::string::npos)
      << r.st.ToString();
  EXPECT_TRUE(r.cids.empty());
  r = ReadCar(d.root, Feed(MakeCar({d.root, d.f2}, good)));
  EXPECT_EQ(r.st.code(), StatusCode::kCorruption) << r.st.ToString();

  // A valid block that nothing before it links to.
  Cid stranger = builder.Raw("not in this DAG");
  BlockList foreign = good;
  foreign.insert(foreign.begin() + 2, {stranger, builder.blocks[stranger]});
  r = ReadCar(d.root, Feed(MakeCar({d.root}, foreign)));
  EXPECT_EQ(r.st.code(), StatusCode::kCorruption);
  EXPECT_NE(r.st.message().find(stranger.ToString()), std::string::npos) << r.st.ToString();
  EXPECT_NE(r.st.message().find("not linked"), std::string::npos) << r.st.ToString();

  // A child before its parent is the same thing.
  BlockList swapped = good;
  std::swap(swapped[1], swapped[2]);  // L1 before F1
  r = ReadCar(d.root, Feed(MakeCar({d.root}, swapped)));
  EXPECT_EQ(r.st.code(), StatusCode::kCorruption) << r.st.ToString();

  // A CAR that ends (cleanly) before the DAG does: kNotFound naming it.
  BlockList short_car(good.begin(), good.end() - 1);  // without L4
  r = ReadCar(d.root, Feed(MakeCar({d.root}, short_car)));
  EXPECT_EQ(r.st.code(), StatusCode::kNotFound) << r.st.ToString();
  EXPECT_NE(r.st.message().find(d.l4.ToString()), std::string::npos) << r.st.ToString();

  // Cut inside a section: the reader's truncation error.
  std::string car = MakeCar({d.root}, good);
  r = ReadCar(d.root, Feed(car.substr(0, car.size() - 3)));
  EXPECT_EQ(r.st.code(), StatusCode::kInvalidArgument) << r.st.ToString();
  EXPECT_NE(r.st.message().find("truncated"), std::string::npos) << r.st.ToString();

  // A codec whose links cannot be followed, as in WalkDag.
  Bytes cbor_bytes = B("\xa0");
  Cid cbor = Cid::Sha256(1, kCodecDagCbor, cbor_bytes);
  r = ReadCar(cbor, Feed(MakeCar({cbor}, {{cbor, cbor_bytes}})));
  EXPECT_EQ(r.st.code(), StatusCode::kUnsupported) << r.st.ToString();
  EXPECT_NE(r.st.message().find("dag-cbor"), std::string::npos) << r.st.ToString();
  EXPECT_TRUE(r.cids.empty());

  // Bytes that are not a CAR at all (a gateway that ignored format=car):
  // kUnsupported, so a copy can read block by block instead.
  r = ReadCar(d.root, Feed("<html><body>hello</body></html>"));
  EXPECT_EQ(r.st.code(), StatusCode::kUnsupported) << r.st.ToString();
  r = ReadCar(d.root, Feed(""));
  EXPECT_EQ(r.st.code(), StatusCode::kUnsupported) << r.st.ToString();
}

TEST(ReadDagCar, TheTransfersOwnErrorWins) {
  TempDir dir;
  auto b = Local("a", dir.path() + "/a");
  DagBuilder builder(*b);
  SampleDag d = MakeSample(builder);
  std::string car = MakeCar({d.root}, InOrder(builder, d.order));
  // The connection broke half-way: that, not the truncation the reader
  // sees, is the error.
  Received r = ReadCar(d.root, [&](const CarSink& sink) -> Status {
    sink(std::string_view(car).substr(0, car.size() / 2));
    return Status::Unavailable("GET http://gw/ipfs/x: connection reset");
  });
  EXPECT_EQ(r.st.code(), StatusCode::kUnavailable) << r.st.ToString();
  // An HTTP error with no CAR at all.
  r = ReadCar(d.root, [](const CarSink&) { return Status::NotFound("HTTP 404"); });
  EXPECT_EQ(r.st.code(), StatusCode::kNotFound) << r.st.ToString();
  EXPECT_EQ(r.st.message(), "HTTP 404");
}

TEST(ReadDagCar, AnErrorFromOnBlockStopsTheTransfer) {
  TempDir dir;
  auto b = Local("a", dir.path() + "/a");
  DagBuilder builder(*b);
  SampleDag d = MakeSample(builder);
  std::string car = MakeCar({d.root}, InOrder(builder, d.order));
  // The producer would go on sending far more than any socket buffer
  // holds; it must be told to stop once the reader has.
  bool refused = false;
  size_t sent = 0;
  auto produce = [&](const CarSink& sink) -> Status {
    if (!sink(car)) {
      refused = true;
      return Status::InvalidArgument("stopped");
    }
    std::string filler(64 * 1024, 'x');
    for (; sent < (size_t{1} << 30); sent += filler.size()) {
      if (!sink(filler)) {
        refused = true;
        return Status::InvalidArgument("stopped");
      }
    }
    return Status::Ok();
  };
  int calls = 0;
  Status st = ReadDagCar("export of x from backend src", d.root, produce,
                         [&](const Cid&, ByteView) -> Status {
                           ++calls;
                           return Status::IOError("destination full");
                         });
  EXPECT_EQ(st.code(), StatusCode::kIOError) << st.ToString();
  EXPECT_EQ(st.message(), "destination full");
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(refused);
  EXPECT_LT(sent, size_t{1} << 30);
}

// --- CopyDag through CARs ---

// A local backend that also moves whole DAGs as CARs, the way kubo and
// gateways do (ExportCar through ReadDagCar, ImportCar parsing the CAR),
// and counts the calls CopyDag makes. Either ability can be switched off
// (answering kUnsupported), and Has can be declared slow, as on kubo.
class CarLocal : public Backend {
 public:
  CarLocal(Backend& inner, bool exports, bool imports, bool cheap_has)
      : inner_(inner), exports_(exports), imports_(imports), cheap_has_(cheap_has) {}
  const BackendConfig& config() const override { return inner_.config(); }
  Capabilities capabilities() const override {
    Capabilities c = inner_.capabilities();
    c.car_export = true;  // may still answer kUnsupported, as a gateway may
    c.car_import = true;
    c.cheap_has = cheap_has_;
    return c;
  }
  Result<bool> Has(const Cid& c) override {
    ++has_calls;
    return inner_.Has(c);
  }
  Result<Bytes> Get(const Cid& c) override {
    ++get_calls;
    return inner_.Get(c);
  }
  Status Put(const Cid& c, ByteView d) override {
    ++put_calls;
    return inner_.Put(c, d);
  }
  Status Delete(const Cid& c) override { return inner_.Delete(c); }
  Status Pin(const Cid& r, const PinRequest& q) override { return inner_.Pin(r, q); }
  Result<PinInfo> PinStatus(const Cid& r) override { return inner_.PinStatus(r); }
  Status Unpin(const Cid& r) override { return inner_.Unpin(r); }
  Status ListPins(const std::function<bool(const Cid&)>& fn) override {
    return inner_.ListPins(fn);
  }
  Result<Probe> Check() override { return inner_.Check(); }

  Status ExportCar(const Cid& root,
                   const std::function<Status(const Cid&, ByteView)>& on_block) override {
    ++export_calls;
    if (!exports_) return Status::Unsupported("no CARs here");
    BlockList blocks;
    RETURN_IF_ERROR(WalkDag(inner_, root, [&](const Cid& c, const Bytes& d) {
      blocks.emplace_back(c, d);
      return true;
    }));
    return ReadDagCar("export of " + root.ToString() + " from backend " + name(), root,
                      Feed(MakeCar({root}, blocks), 1000), on_block);
  }
  Status ImportCar(std::string_view car) override {
    ++import_calls;
    if (!imports_) return Status::Unsupported("no dag/import here");
    import_sizes.push_back(car.size());
    FILE* f = ::fmemopen(const_cast<char*>(car.data()), car.size(), "r");
    auto reader = car::CarReader::FromFile(f, "import");
    Status st = reader.status();
    car::Block block;
    while (st.ok()) {
      Result<bool> more = (*reader)->Next(&block);
      if (!more.ok() || !*more) {
        st = more.status();
        break;
      }
      st = inner_.Put(block.cid, block.data);
    }
    std::fclose(f);
    return st;
  }

  int has_calls = 0, get_calls = 0, put_calls = 0, export_calls = 0, import_calls = 0;
  std::vector<size_t> import_sizes;

 private:
  Backend& inner_;
  bool exports_, imports_, cheap_has_;
};

TEST(CopyDag, FromACarSourceLikeTheWalk) {
  TempDir dir;
  auto src = Local("src", dir.path() + "/src");
  DagBuilder builder(*src);
  SampleDag d = MakeSample(builder);
  CarLocal from(*src, /*exports=*/true, /*imports=*/false, /*cheap_has=*/true);

  // The same copy twice, by CAR and by the walk (a source that answers
  // kUnsupported), to fresh destinations: same stats, same result.
  for (bool car : {true, false}) {
    auto to = Local("dst", dir.path() + (car ? "/dst-car" : "/dst-walk"));
    CarLocal source(*src, car, false, true);
    CopyStats stats;
    Status st = CopyDag(source, *to, d.root, PinRequest{}, &stats);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(source.export_calls, 1);
    EXPECT_EQ(source.get_calls, car ? 0 : 7) << car;
    EXPECT_EQ(stats.blocks, 7u);
    EXPECT_EQ(stats.skipped, 0u);
    EXPECT_EQ(to->PinStatus(d.root)->state, PinState::kPinned);
    Status walked;
    EXPECT_EQ(Walk(*to, d.root, &walked), d.order);

    // A missing leaf and a damaged node on the destination are replaced,
    // the rest skipped, exactly as in BetweenLocalBackends.
    ASSERT_TRUE(to->Delete(d.l3).ok());
    CorruptOnDisk(dir.path() + (car ? "/dst-car" : "/dst-walk"), d.f1);
    st = CopyDag(source, *to, d.root, PinRequest{}, &stats);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(stats.blocks, 2u);
    EXPECT_EQ(stats.skipped, 5u);
    EXPECT_EQ(stats.bytes, builder.blocks[d.l3].size() + builder.blocks[d.f1].size());
    EXPECT_EQ(Walk(*to, d.root, &walked), d.order);
    ASSERT_TRUE(walked.ok()) << walked.ToString();
  }

  // A damaged block on a CAR source stops the copy before the pin.
  CorruptOnDisk(dir.path() + "/src", d.l4);
  auto to = Local("dst", dir.path() + "/dst3");
  Status st = CopyDag(from, *to, d.root, PinRequest{});
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find(d.l4.ToString()), std::string::npos) << st.ToString();
  EXPECT_EQ(to->PinStatus(d.root)->state, PinState::kAbsent);
}

TEST(CopyDag, ToACarDestinationInBatches) {
  TempDir dir;
  auto src = Local("src", dir.path() + "/src");
  auto dst = Local("dst", dir.path() + "/dst");
  DagBuilder builder(*src);
  // 12 blocks of 1 MiB under one root: more than one 8 MiB batch.
  std::vector<Cid> leaves;
  for (int i = 0; i < 12; ++i) {
    leaves.push_back(builder.Raw(std::string(1 << 20, static_cast<char>('a' + i))));
  }
  Cid root = builder.Node(1, leaves, "big");
  uint64_t total = 0;
  for (const auto& [c, data] : builder.blocks) total += data.size();

  CarLocal to(*dst, false, /*imports=*/true, /*cheap_has=*/false);
  CopyStats stats;
  Status st = CopyDag(*src, to, root, PinRequest{}, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(to.put_calls, 0);
  EXPECT_EQ(to.has_calls, 0);
  EXPECT_EQ(to.import_calls, 2);
  for (size_t size : to.import_sizes) EXPECT_LT(size, size_t{11} << 20);
  EXPECT_EQ(stats.blocks, 13u);
  EXPECT_EQ(stats.bytes, total);
  EXPECT_EQ(to.PinStatus(root)->state, PinState::kPinned);
  for (const auto& [c, data] : builder.blocks) EXPECT_EQ(*GetVerified(*dst, c), data);

  // A destination that turns out to take no CARs gets one Put per block.
  auto dst2 = Local("dst2", dir.path() + "/dst2");
  CarLocal no_import(*dst2, false, /*imports=*/false, /*cheap_has=*/false);
  st = CopyDag(*src, no_import, root, PinRequest{}, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(no_import.import_calls, 1);
  EXPECT_EQ(no_import.put_calls, 13);
  EXPECT_EQ(stats.blocks, 13u);
  EXPECT_EQ(no_import.PinStatus(root)->state, PinState::kPinned);
}

TEST(CopyDag, FromACarSourceToACarDestination) {
  TempDir dir;
  auto src = Local("src", dir.path() + "/src");
  auto dst = Local("dst", dir.path() + "/dst");
  DagBuilder builder(*src);
  SampleDag d = MakeSample(builder);
  CarLocal from(*src, true, false, true);
  CarLocal to(*dst, false, true, /*cheap_has=*/false);
  CopyStats stats;
  Status st = CopyDag(from, to, d.root, PinRequest{}, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(from.export_calls, 1);
  EXPECT_EQ(from.get_calls, 0);
  EXPECT_EQ(to.import_calls, 1);
  EXPECT_EQ(to.put_calls, 0);
  EXPECT_EQ(stats.blocks, 7u);
  Status walked;
  EXPECT_EQ(Walk(*dst, d.root, &walked), d.order);
  EXPECT_EQ(to.PinStatus(d.root)->state, PinState::kPinned);
}

}  // namespace
}  // namespace ipfs_kit::backends
