#include "ipfs_kit/gateway/gateway.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <random>

#include "ipfs_kit/blockstore/flatfs_blockstore.h"
#include "ipfs_kit/car/car.h"
#include "ipfs_kit/dagpb/dag_pb.h"
#include "ipfs_kit/gateway/request.h"
#include "ipfs_kit/unixfs/exporter.h"
#include "ipfs_kit/unixfs/importer.h"
#include "ipfs_kit/unixfs/unixfs_data.h"

namespace ipfs_kit::gateway {
namespace {

namespace fs = std::filesystem;
using blockstore::Blockstore;
using multiformats::Cid;

// ---------------------------------------------------------------- helpers

// A non-owning view of a store, for the factory (which hands out ownership).
class StoreRef : public Blockstore {
 public:
  explicit StoreRef(Blockstore& s) : s_(s) {}
  Result<bool> Has(const Cid& c) override { return s_.Has(c); }
  Result<Bytes> Get(const Cid& c) override { return s_.Get(c); }
  Result<uint64_t> Size(const Cid& c) override { return s_.Size(c); }
  Status PutParts(const Cid& c, std::span<const ByteView> p) override { return s_.PutParts(c, p); }
  Status Delete(const Cid& c) override { return s_.Delete(c); }
  Status List(const std::function<bool(const Cid&)>& fn) override { return s_.List(fn); }
  Status Sync() override { return s_.Sync(); }

 private:
  Blockstore& s_;
};

struct Answer {
  int status = 0;
  http::HeaderList headers;
  std::string body;
  bool streamed = false;
  bool complete = true;  // false: the stream was aborted

  std::string H(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      std::string lk;
      for (char c : k) lk.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      if (lk == name) return v;
    }
    return "<none>";
  }
};

Answer Call(Gateway& gw, std::string target, http::HeaderList headers = {},
            std::string method = "GET") {
  http::Request r;
  r.method = std::move(method);
  r.target = target;
  r.path = target.substr(0, target.find('?'));
  r.headers = std::move(headers);
  std::promise<http::Response> p;
  auto f = p.get_future();
  gw.Handle(std::move(r), [&p](http::Response resp) { p.set_value(std::move(resp)); });
  http::Response resp = f.get();
  Answer a;
  a.status = resp.status;
  a.headers = resp.headers;
  a.body = resp.body;
  if (resp.stream) {
    a.streamed = true;
    a.complete = resp.stream->ReadAll(&a.body);
  }
  return a;
}

struct CarContent {
  std::vector<Cid> roots;
  std::vector<std::pair<Cid, Bytes>> blocks;
};

// Parses (and so verifies every block of) a CAR body.
CarContent ParseCar(const std::string& body) {
  CarContent out;
  FILE* f = fmemopen(const_cast<char*>(body.data()), body.size(), "rb");
  EXPECT_NE(f, nullptr);
  if (f == nullptr) return out;
  auto reader = car::CarReader::FromFile(f, "response");
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (reader.ok()) {
    out.roots = (*reader)->roots();
    for (;;) {
      car::Block b;
      auto more = (*reader)->Next(&b);
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) break;
      out.blocks.emplace_back(b.cid, std::move(b.data));
    }
  }
  std::fclose(f);
  return out;
}

std::vector<Cid> CidsOf(const CarContent& c) {
  std::vector<Cid> out;
  for (const auto& [cid, data] : c.blocks) out.push_back(cid);
  return out;
}

// The reference order: ExportDag (Kubo's `dag export`) to a memory file.
std::vector<Cid> ExportOrder(Blockstore& store, const Cid& root) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  auto w = car::CarWriter::Create(f, {root});
  EXPECT_TRUE(w.ok());
  EXPECT_TRUE(car::ExportDag(store, root, **w).ok());
  EXPECT_TRUE((*w)->Finish().ok());
  std::fclose(f);
  std::string body(buf, len);
  std::free(buf);
  return CidsOf(ParseCar(body));
}

Bytes RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

std::string AsStr(const Bytes& b) { return std::string(AsString(b)); }

// A DAG fixture built with our importer in a memory store:
//   dir/                      (flat directory, CIDv1, raw leaves)
//     big.bin                 20000 random bytes, 1 KiB chunks, 4 links per node (3 levels)
//     hello.txt               "hello gateway\n"
//     noext                   "plain text without an extension\n"
//     zeros                   8 KiB of zeros (identical leaves)
//     "odd name & <x>.txt"
//     site/index.html, site/style.css
//     hamt/                   40 entries: sharded
class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ipfs-kit-gw-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
    fs::path d = fs::path(tmp_) / "dir";
    fs::create_directories(d / "site");
    fs::create_directories(d / "hamt");
    big_ = RandomBytes(20000, 1);
    Write(d / "big.bin", AsStr(big_));
    Write(d / "hello.txt", "hello gateway\n");
    Write(d / "noext", "plain text without an extension\n");
    Write(d / "zeros", std::string(8192, '\0'));
    Write(d / "odd name & <x>.txt", "odd\n");
    Write(d / "site" / "index.html", "<html><body>site</body></html>\n");
    Write(d / "site" / "style.css", "body{}\n");
    for (int i = 0; i < 40; ++i) {
      Write(d / "hamt" / ("entry-" + std::to_string(i) + ".txt"), "entry " + std::to_string(i));
    }
    unixfs::ImportOptions o;
    o.cid_version = 1;
    o.raw_leaves = true;
    o.chunk_size = 1024;
    o.max_links = 4;
    o.recursive = true;
    o.shard_threshold = 1000;  // "hamt" (40 links) shards, the others stay flat
    std::map<std::string, Cid> entries;
    unixfs::ImportCallbacks cb;
    cb.on_entry = [&](const unixfs::AddedEntry& e) { entries[e.path] = e.cid; };
    unixfs::Importer imp(store_.get(), o, cb);
    ASSERT_TRUE(imp.AddPath(d.string()).ok());
    auto root = imp.Finish();
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    root_ = *root;
    big_cid_ = entries.at("dir/big.bin");
    hello_cid_ = entries.at("dir/hello.txt");
    zeros_cid_ = entries.at("dir/zeros");
    hamt_cid_ = entries.at("dir/hamt");
    site_cid_ = entries.at("dir/site");
  }
  void TearDown() override { fs::remove_all(tmp_); }

  static void Write(const fs::path& p, const std::string& s) {
    std::ofstream(p, std::ios::binary) << s;
  }

  std::unique_ptr<Gateway> Make(GatewayOptions o = {}, bool with_local = true) {
    if (with_local) o.local = store_.get();
    return std::make_unique<Gateway>(
        [this](const Cid&) -> Result<std::unique_ptr<Blockstore>> {
          ++factory_calls_;
          return std::unique_ptr<Blockstore>(new StoreRef(*store_));
        },
        o);
  }

  std::string P(const Cid& c, std::string rest = "") { return "/ipfs/" + c.ToString() + rest; }

  Bytes Block(const Cid& c) { return *store_->Get(c); }

  std::string tmp_;
  std::unique_ptr<Blockstore> store_ = blockstore::NewMemoryBlockstore();
  std::atomic<int> factory_calls_{0};
  Bytes big_;
  Cid root_, big_cid_, hello_cid_, zeros_cid_, hamt_cid_, site_cid_;
};

// ---------------------------------------------------------------- parsing

GatewayRequest MustParse(const std::string& target, http::HeaderList headers = {}) {
  http::Request r;
  r.method = "GET";
  r.target = target;
  r.headers = std::move(headers);
  GatewayRequest out;
  auto err = ParseGatewayRequest(r, &out);
  EXPECT_FALSE(err.has_value()) << target << ": " << (err ? err->message : "");
  return out;
}

int ParseStatus(const std::string& target, http::HeaderList headers = {},
                std::string method = "GET") {
  http::Request r;
  r.method = std::move(method);
  r.target = target;
  r.headers = std::move(headers);
  GatewayRequest out;
  auto err = ParseGatewayRequest(r, &out);
  return err ? err->status : 200;
}

const char* kCid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

TEST(GatewayRequestParse, PathsAndSegments) {
  auto r = MustParse(std::string("/ipfs/") + kCid + "/a/b%20c/");
  EXPECT_EQ(r.root.ToString(), kCid);
  ASSERT_EQ(r.segments.size(), 2u);
  EXPECT_EQ(r.segments[1], "b c");
  EXPECT_TRUE(r.trailing_slash);
  EXPECT_EQ(r.content_path, std::string("/ipfs/") + kCid + "/a/b%20c/");
  EXPECT_TRUE(MustParse(std::string("/ipfs/") + kCid + "/").trailing_slash);
  EXPECT_FALSE(MustParse(std::string("/ipfs/") + kCid).trailing_slash);
  // CIDv0 and other bases.
  EXPECT_EQ(MustParse("/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o").root.version(), 0);
}

TEST(GatewayRequestParse, EscapesAreRefused) {
  std::string base = std::string("/ipfs/") + kCid;
  EXPECT_EQ(ParseStatus(base + "/../x"), 400);
  EXPECT_EQ(ParseStatus(base + "/./x"), 400);
  EXPECT_EQ(ParseStatus(base + "/%2e%2e/x"), 400);
  EXPECT_EQ(ParseStatus(base + "/%2E"), 400);
  EXPECT_EQ(ParseStatus(base + "/a%2Fb"), 400);
  EXPECT_EQ(ParseStatus(base + "/a%00b"), 400);
  EXPECT_EQ(ParseStatus(base + "//a"), 400);
  EXPECT_EQ(ParseStatus(base + "/a//"), 400);
  EXPECT_EQ(ParseStatus(base + "/a%zz"), 400);
  EXPECT_EQ(ParseStatus(base + "/" + std::string(256, 'a')), 400);
  EXPECT_EQ(ParseStatus(base + "/" + std::string(255, 'a')), 200);
  std::string long_path = base;
  while (long_path.size() <= kMaxContentPathBytes) long_path += "/abcdefgh";
  EXPECT_EQ(ParseStatus(long_path), 400);
  EXPECT_EQ(ParseStatus("/ipfs/not-a-cid"), 400);
  EXPECT_EQ(ParseStatus("/ipfs/"), 400);
  EXPECT_EQ(ParseStatus("/ipfs"), 400);
  EXPECT_EQ(ParseStatus("/ipns/example.com"), 404);
  EXPECT_EQ(ParseStatus(base, {}, "POST"), 405);
  EXPECT_EQ(ParseStatus(base, {}, "HEAD"), 200);
}

TEST(GatewayRequestParse, FormatAndAccept) {
  std::string base = std::string("/ipfs/") + kCid;
  EXPECT_EQ(MustParse(base + "?format=raw").format, ResponseFormat::kRaw);
  EXPECT_EQ(MustParse(base + "?format=car").format, ResponseFormat::kCar);
  EXPECT_EQ(MustParse(base).format, ResponseFormat::kPlain);
  EXPECT_EQ(ParseStatus(base + "?format=tar"), 501);
  EXPECT_EQ(ParseStatus(base + "?format=dag-json"), 501);
  EXPECT_EQ(ParseStatus(base + "?format=bogus"), 400);
  EXPECT_EQ(MustParse(base, {{"accept", "application/vnd.ipld.raw"}}).format, ResponseFormat::kRaw);
  auto car =
      MustParse(base, {{"accept", "application/vnd.ipld.car; version=1; order=unk; dups=y"}});
  EXPECT_EQ(car.format, ResponseFormat::kCar);
  EXPECT_TRUE(car.car.dups);
  EXPECT_TRUE(car.car.order_unknown_requested);
  // q-values order the choice; q=0 excludes.
  EXPECT_EQ(
      MustParse(base, {{"accept", "application/vnd.ipld.car;q=0.5, application/vnd.ipld.raw"}})
          .format,
      ResponseFormat::kRaw);
  EXPECT_EQ(MustParse(base, {{"accept", "application/vnd.ipld.raw;q=0, text/html"}}).format,
            ResponseFormat::kPlain);
  EXPECT_EQ(MustParse(base, {{"accept", "text/html,application/xhtml+xml,*/*;q=0.8"}}).format,
            ResponseFormat::kPlain);
  // Nothing acceptable: 406.
  EXPECT_EQ(ParseStatus(base, {{"accept", "application/vnd.ipld.car; version=2"}}), 406);
  EXPECT_EQ(ParseStatus(base, {{"accept", "application/vnd.ipld.car; order=weird"}}), 406);
  EXPECT_EQ(ParseStatus(base, {{"accept", "application/vnd.ipld.dag-json"}}), 406);
  EXPECT_EQ(ParseStatus(base, {{"accept", "application/x-tar"}}), 406);
  // An unsupported entry falls through to the next acceptable one.
  EXPECT_EQ(
      MustParse(base, {{"accept", "application/vnd.ipld.car;version=2, application/vnd.ipld.raw"}})
          .format,
      ResponseFormat::kRaw);
  // ?format= wins over Accept.
  EXPECT_EQ(MustParse(base + "?format=car", {{"accept", "application/vnd.ipld.raw"}}).format,
            ResponseFormat::kCar);
}

TEST(GatewayRequestParse, CarParameters) {
  std::string base = std::string("/ipfs/") + kCid + "?format=car";
  auto r = MustParse(base +
                     "&dag-scope=entity&entity-bytes=10:-5&car-dups=y&car-order=unk&car-version=1");
  EXPECT_EQ(r.car.scope, DagScope::kEntity);
  ASSERT_TRUE(r.car.entity_bytes);
  EXPECT_EQ(r.car.entity_bytes->from, 10);
  EXPECT_EQ(r.car.entity_bytes->to, -5);
  EXPECT_TRUE(r.car.dups);
  EXPECT_EQ(MustParse(base + "&dag-scope=block").car.scope, DagScope::kBlock);
  EXPECT_EQ(ParseStatus(base + "&dag-scope=everything"), 400);
  EXPECT_EQ(ParseStatus(base + "&car-version=2"), 400);
  EXPECT_EQ(ParseStatus(base + "&car-order=bfs"), 400);
  EXPECT_EQ(ParseStatus(base + "&car-dups=maybe"), 400);
  EXPECT_EQ(ParseStatus(base + "&entity-bytes=5"), 400);
  EXPECT_EQ(ParseStatus(base + "&entity-bytes=9:3"), 400);
  EXPECT_EQ(ParseStatus(base + "&entity-bytes=-3:-9"), 400);
  EXPECT_EQ(ParseStatus(base + "&entity-bytes=a:b"), 400);
  EXPECT_EQ(ParseStatus(base + "&entity-bytes=99999999999999999999999:*"), 400);
  // Parameters of CAR responses are not checked for other formats.
  EXPECT_EQ(ParseStatus(std::string("/ipfs/") + kCid + "?format=raw&dag-scope=nope"), 200);

  EXPECT_EQ(ParseEntityBytes("0:*"), (EntityBytes{0, std::nullopt}));
  EXPECT_EQ(ParseEntityBytes("-100:*"), (EntityBytes{-100, std::nullopt}));
  EXPECT_EQ(ParseEntityBytes("-100:-1"), (EntityBytes{-100, -1}));
  EXPECT_EQ(ParseEntityBytes("5:5"), (EntityBytes{5, 5}));
  EXPECT_FALSE(ParseEntityBytes(":5"));
  EXPECT_FALSE(ParseEntityBytes("5:"));
  EXPECT_FALSE(ParseEntityBytes("+5:*"));
}

// ---------------------------------------------------------------- raw blocks

TEST_F(GatewayTest, RawBlockHeadersAndBody) {
  for (bool with_local : {true, false}) {
    auto gw = Make({}, with_local);
    for (auto how : {0, 1}) {
      Answer a = how == 0 ? Call(*gw, P(hello_cid_, "?format=raw"))
                          : Call(*gw, P(hello_cid_), {{"accept", "application/vnd.ipld.raw"}});
      ASSERT_EQ(a.status, 200);
      EXPECT_EQ(a.body, AsStr(Block(hello_cid_)));
      EXPECT_EQ(a.H("content-type"), "application/vnd.ipld.raw");
      EXPECT_EQ(a.H("etag"), "\"" + hello_cid_.ToString() + ".raw\"");
      EXPECT_EQ(a.H("cache-control"), "public, max-age=29030400, immutable");
      EXPECT_EQ(a.H("content-disposition"),
                "attachment; filename=\"" + hello_cid_.ToString() + ".bin\"");
      EXPECT_EQ(a.H("x-ipfs-roots"), hello_cid_.ToString());
      EXPECT_EQ(a.H("vary"), "Accept");
      EXPECT_EQ(a.H("x-content-type-options"), "nosniff");
      EXPECT_EQ(a.H("x-ipfs-path").substr(0, 6), "/ipfs/");
    }
  }
}

TEST_F(GatewayTest, RawFastPathSkipsTheFactory) {
  auto gw = Make();
  EXPECT_EQ(Call(*gw, P(big_cid_, "?format=raw")).status, 200);
  EXPECT_EQ(factory_calls_.load(), 0);
  // Not local: the factory's store is used (and its block verified).
  auto remote_only = Make({}, false);
  EXPECT_EQ(Call(*remote_only, P(big_cid_, "?format=raw")).status, 200);
  EXPECT_EQ(factory_calls_.load(), 1);
}

TEST_F(GatewayTest, RawFastPathReadsAFlatfsStoreDirectly) {
  auto flatfs = blockstore::FlatfsBlockstore::Open(tmp_ + "/blocks");
  ASSERT_TRUE(flatfs.ok());
  Bytes big = Block(big_cid_);
  ASSERT_TRUE((*flatfs)->Put(big_cid_, big).ok());
  GatewayOptions o;
  o.local = flatfs->get();
  Gateway gw(
      [](const Cid&) -> Result<std::unique_ptr<Blockstore>> {
        return Status::NotFound("no remote store");
      },
      o);
  Answer a = Call(gw, P(big_cid_, "?format=raw"));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, AsStr(big));
  EXPECT_EQ(Call(gw, P(hello_cid_, "?format=raw")).status, 404);
  // A block file longer than the cap goes through the store's own reader: 502.
  GatewayOptions small = o;
  small.max_block_size = 10;
  Gateway capped(
      [](const Cid&) -> Result<std::unique_ptr<Blockstore>> {
        return Status::NotFound("no remote store");
      },
      small);
  EXPECT_EQ(Call(capped, P(big_cid_, "?format=raw")).status, 502);
}

TEST_F(GatewayTest, RawBlockCache) {
  Bytes hello = Block(hello_cid_);
  for (auto [bytes, ttl, served_after_removal] :
       std::vector<std::tuple<size_t, int, bool>>{{1 << 20, 3600000, true},  // cached
                                                  {1 << 20, 0, false},       // expired at once
                                                  {0, 3600000, false}}) {    // disabled
    ASSERT_TRUE(store_->Put(hello_cid_, hello).ok());
    GatewayOptions o;
    o.raw_cache_bytes = bytes;
    o.raw_cache_ttl_ms = ttl;
    auto gw = Make(o);
    Answer first = Call(*gw, P(hello_cid_, "?format=raw"));
    EXPECT_EQ(first.status, 200);
    ASSERT_TRUE(store_->Delete(hello_cid_).ok());
    Answer again = Call(*gw, P(hello_cid_, "?format=raw"));
    EXPECT_EQ(again.status, served_after_removal ? 200 : 404) << bytes << " " << ttl;
    if (served_after_removal) {
      EXPECT_EQ(again.body, first.body);
      EXPECT_EQ(again.headers, first.headers);
      Answer head = Call(*gw, P(hello_cid_, "?format=raw"), {}, "HEAD");
      EXPECT_TRUE(head.body.empty());
      EXPECT_EQ(head.H("content-length"), std::to_string(hello.size()));
    }
  }
  ASSERT_TRUE(store_->Put(hello_cid_, hello).ok());
}

TEST_F(GatewayTest, RawBlockAtAPath) {
  auto gw = Make();
  Answer a = Call(*gw, P(root_, "/hello.txt?format=raw"));
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body, AsStr(Block(hello_cid_)));
  EXPECT_EQ(a.H("etag"), "\"" + hello_cid_.ToString() + ".raw\"");
  EXPECT_EQ(a.H("x-ipfs-roots"), root_.ToString() + "," + hello_cid_.ToString());
}

TEST_F(GatewayTest, HeadHasNoBodyButALength) {
  auto gw = Make();
  Answer a = Call(*gw, P(big_cid_, "?format=raw"), {}, "HEAD");
  EXPECT_EQ(a.status, 200);
  EXPECT_TRUE(a.body.empty());
  EXPECT_EQ(a.H("content-length"), std::to_string(Block(big_cid_).size()));
  Answer f = Call(*gw, P(root_, "/big.bin"), {}, "HEAD");
  EXPECT_EQ(f.status, 200);
  EXPECT_TRUE(f.body.empty());
  EXPECT_EQ(f.H("content-length"), "20000");
  Answer c = Call(*gw, P(root_, "?format=car"), {}, "HEAD");
  EXPECT_EQ(c.status, 200);
  EXPECT_TRUE(c.streamed);  // an ended stream: "chunked", no length, no body
  EXPECT_TRUE(c.body.empty());
  EXPECT_EQ(c.H("content-type"), "application/vnd.ipld.car; version=1; order=dfs; dups=n");
}

TEST_F(GatewayTest, IfNoneMatchGives304) {
  auto gw = Make();
  std::string etag = "\"" + hello_cid_.ToString() + ".raw\"";
  for (std::string inm : {etag, "W/" + etag, "\"x\", " + etag, std::string("*")}) {
    Answer a = Call(*gw, P(hello_cid_, "?format=raw"), {{"if-none-match", inm}});
    EXPECT_EQ(a.status, 304) << inm;
    EXPECT_TRUE(a.body.empty());
    EXPECT_EQ(a.H("etag"), etag);
    EXPECT_EQ(a.H("cache-control"), "public, max-age=29030400, immutable");
  }
  EXPECT_EQ(Call(*gw, P(hello_cid_, "?format=raw"), {{"if-none-match", "\"other\""}}).status, 200);
  // Through a path (needs resolving first), for a CAR and for file bytes.
  Answer car = Call(*gw, P(root_, "/hello.txt?format=car"));
  ASSERT_EQ(car.status, 200);
  EXPECT_EQ(Call(*gw, P(root_, "/hello.txt?format=car"), {{"if-none-match", car.H("etag")}}).status,
            304);
  Answer file = Call(*gw, P(root_, "/hello.txt"));
  EXPECT_EQ(file.H("etag"), "\"" + hello_cid_.ToString() + "\"");
  EXPECT_EQ(Call(*gw, P(root_, "/hello.txt"), {{"if-none-match", file.H("etag")}}).status, 304);
}

TEST_F(GatewayTest, IdentityCidsAndTheProbe) {
  auto gw = Make({}, false);
  for (std::string q : {"", "?format=raw", "?format=car"}) {
    Answer a = Call(*gw, "/ipfs/bafkqaaa" + q);
    EXPECT_EQ(a.status, 200) << q;
    if (q != "?format=car") {
      EXPECT_TRUE(a.body.empty()) << q;
    }
  }
  Answer car = Call(*gw, "/ipfs/bafkqaaa?format=car");
  CarContent cc = ParseCar(car.body);
  ASSERT_EQ(cc.roots.size(), 1u);
  EXPECT_EQ(cc.roots[0].ToString(), "bafkqaaa");
  EXPECT_TRUE(cc.blocks.empty());  // identity data lives in the CID
  EXPECT_EQ(factory_calls_.load(), 0);

  multiformats::Multihash mh{multiformats::kIdentity, Bytes{'h', 'e', 'l', 'l', 'o'}};
  Cid id(1, multiformats::kCodecRaw, mh);
  EXPECT_EQ(Call(*gw, P(id, "?format=raw")).body, "hello");
  Answer plain = Call(*gw, P(id));
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, "hello");
  EXPECT_EQ(plain.H("content-type"), "text/plain; charset=utf-8");
}

TEST_F(GatewayTest, NotFoundCases) {
  auto gw = Make();
  Cid missing = Cid::Sha256(1, multiformats::kCodecRaw, AsBytes("not stored"));
  EXPECT_EQ(Call(*gw, P(missing, "?format=raw")).status, 404);
  EXPECT_EQ(Call(*gw, P(missing)).status, 404);
  EXPECT_EQ(Call(*gw, P(missing, "?format=car")).status, 404);
  EXPECT_EQ(Call(*gw, P(root_, "/nope.txt")).status, 404);
  EXPECT_EQ(Call(*gw, P(root_, "/hello.txt/deeper")).status, 404);
  EXPECT_EQ(Call(*gw, P(root_, "/hamt/entry-999.txt")).status, 404);
  EXPECT_EQ(Call(*gw, "/other").status, 404);
}

TEST_F(GatewayTest, BackendFailuresAreNot500) {
  for (auto [code, want] : std::vector<std::pair<StatusCode, int>>{{StatusCode::kUnavailable, 504},
                                                                   {StatusCode::kIOError, 502}}) {
    Gateway gw(
        [code = code](const Cid&) -> Result<std::unique_ptr<Blockstore>> {
          return Status(code, "backend down");
        },
        {});
    EXPECT_EQ(Call(gw, P(root_, "?format=raw")).status, want);
    EXPECT_EQ(Call(gw, P(root_, "/hello.txt")).status, want);
  }
}

TEST_F(GatewayTest, CorruptBlocks) {
  Bytes good = Block(hello_cid_);
  Bytes bad = good;
  bad[0] ^= 1;
  auto corrupt = blockstore::NewMemoryBlockstore();
  ASSERT_TRUE(corrupt->Put(hello_cid_, bad).ok());
  auto factory = [&](const Cid&) -> Result<std::unique_ptr<Blockstore>> {
    return std::unique_ptr<Blockstore>(new StoreRef(*corrupt));
  };
  // From the factory's store: always verified.
  Gateway remote(factory, {});
  EXPECT_EQ(Call(remote, P(hello_cid_, "?format=raw")).status, 502);
  // From the local store with hash_on_read: verified.
  GatewayOptions o;
  o.local = corrupt.get();
  o.hash_on_read = true;
  Gateway checked(factory, o);
  EXPECT_EQ(Call(checked, P(hello_cid_, "?format=raw")).status, 502);
  EXPECT_EQ(Call(checked, P(hello_cid_)).status, 502);
  // Local without hash_on_read: served as stored (the client verifies, as with
  // Kubo's HashOnRead=false).
  o.hash_on_read = false;
  Gateway trusting(factory, o);
  Answer a = Call(trusting, P(hello_cid_, "?format=raw"));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, AsStr(bad));
}

TEST_F(GatewayTest, OversizedBlocksAreRefused) {
  GatewayOptions o;
  o.max_block_size = 100;
  auto gw = Make(o);
  EXPECT_EQ(Call(*gw, P(big_cid_, "?format=raw")).status, 502);
}

// ---------------------------------------------------------------- CAR

TEST_F(GatewayTest, CarOfAWholeDagIsDagExportOrder) {
  auto gw = Make();
  Answer a = Call(*gw, P(root_, "?format=car"));
  ASSERT_EQ(a.status, 200);
  EXPECT_TRUE(a.streamed);
  EXPECT_TRUE(a.complete);
  EXPECT_EQ(a.H("content-type"), "application/vnd.ipld.car; version=1; order=dfs; dups=n");
  EXPECT_EQ(a.H("content-disposition"), "attachment; filename=\"" + root_.ToString() + ".car\"");
  EXPECT_EQ(a.H("etag").rfind("\"" + root_.ToString() + ".car.", 0), 0u) << a.H("etag");
  EXPECT_EQ(a.H("x-ipfs-roots"), root_.ToString());
  CarContent c = ParseCar(a.body);
  ASSERT_EQ(c.roots.size(), 1u);
  EXPECT_EQ(c.roots[0], root_);
  EXPECT_EQ(CidsOf(c), ExportOrder(*store_, root_));
  // The same through Accept, and without a local store.
  auto remote = Make({}, false);
  Answer b = Call(*remote, P(root_), {{"accept", "application/vnd.ipld.car"}});
  EXPECT_EQ(b.body, a.body);
  EXPECT_EQ(b.H("etag"), a.H("etag"));
}

TEST_F(GatewayTest, CarAtAPathCarriesThePathBlocks) {
  auto gw = Make();
  Answer a = Call(*gw, P(root_, "/hamt/entry-7.txt?format=car"));
  ASSERT_EQ(a.status, 200);
  CarContent c = ParseCar(a.body);
  ASSERT_EQ(c.roots.size(), 1u);
  EXPECT_EQ(c.roots[0], root_);
  ASSERT_GE(c.blocks.size(), 3u);
  EXPECT_EQ(c.blocks.front().first, root_);
  EXPECT_EQ(c.blocks[1].first, hamt_cid_);
  // The terminal file is last; a client can verify root → shard(s) → file.
  auto pb = dagpb::Decode(c.blocks.back().second);
  std::string roots = a.H("x-ipfs-roots");
  EXPECT_EQ(roots.rfind(root_.ToString() + "," + hamt_cid_.ToString() + ",", 0), 0u) << roots;
  EXPECT_EQ(roots.substr(roots.rfind(',') + 1), c.blocks.back().first.ToString());
  // Resolving the CAR's blocks alone gives the same file.
  auto mem = blockstore::NewMemoryBlockstore();
  for (auto& [cid, data] : c.blocks) ASSERT_TRUE(mem->Put(cid, data).ok());
  unixfs::Exporter ex(*mem, 0);
  auto file = ex.Resolve(root_.ToString() + "/hamt/entry-7.txt");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  std::string got;
  ASSERT_TRUE(ex.Cat(*file, 0, std::nullopt, [&](ByteView b) {
                  got.append(AsString(b));
                  return Status::Ok();
                }).ok());
  EXPECT_EQ(got, "entry 7");
}

TEST_F(GatewayTest, DagScopeBlockAndEntity) {
  auto gw = Make();
  // block: the path's blocks and the terminal block only.
  CarContent blk = ParseCar(Call(*gw, P(root_, "/big.bin?format=car&dag-scope=block")).body);
  ASSERT_EQ(blk.blocks.size(), 2u);
  EXPECT_EQ(blk.blocks[0].first, root_);
  EXPECT_EQ(blk.blocks[1].first, big_cid_);
  // entity of a file: every block of the file (= its whole DAG).
  CarContent ent = ParseCar(Call(*gw, P(big_cid_, "?format=car&dag-scope=entity")).body);
  EXPECT_EQ(CidsOf(ent), ExportOrder(*store_, big_cid_));
  // entity of a flat directory: the directory block only.
  CarContent dir = ParseCar(Call(*gw, P(root_, "?format=car&dag-scope=entity")).body);
  ASSERT_EQ(dir.blocks.size(), 1u);
  EXPECT_EQ(dir.blocks[0].first, root_);
  // entity of a HAMT: its shards, not the entries.
  CarContent hamt = ParseCar(Call(*gw, P(hamt_cid_, "?format=car&dag-scope=entity")).body);
  ASSERT_GE(hamt.blocks.size(), 2u);
  for (auto& [cid, data] : hamt.blocks) {
    auto pb = dagpb::Decode(data);
    ASSERT_TRUE(pb.ok());
    auto fsd = unixfs::UnixfsData::Decode(*pb->data);
    ASSERT_TRUE(fsd.ok());
    EXPECT_EQ(fsd->type, unixfs::DataType::kHamtShard);
  }
  // all (the default) of the HAMT: shards and entries.
  CarContent all = ParseCar(Call(*gw, P(hamt_cid_, "?format=car")).body);
  EXPECT_EQ(CidsOf(all), ExportOrder(*store_, hamt_cid_));
  EXPECT_GT(all.blocks.size(), hamt.blocks.size());
}

// Bytes [from, to] of big.bin rebuilt from a CAR's blocks alone.
std::string RangeFromCar(const CarContent& c, const Cid& file, uint64_t from, uint64_t to) {
  auto mem = blockstore::NewMemoryBlockstore();
  for (auto& [cid, data] : c.blocks) EXPECT_TRUE(mem->Put(cid, data).ok());
  unixfs::Exporter ex(*mem, 0);
  std::string got;
  Status st = ex.Cat(file, from, to - from + 1, [&](ByteView b) {
    got.append(AsString(b));
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return got;
}

TEST_F(GatewayTest, EntityBytes) {
  auto gw = Make();
  const uint64_t n = big_.size();
  const std::string all = AsStr(big_);
  CarContent whole = ParseCar(Call(*gw, P(big_cid_, "?format=car&dag-scope=entity")).body);
  struct Case {
    std::string spec;
    uint64_t from, to;  // the bytes that must be covered
  };
  for (const Case& k : std::vector<Case>{{"0:1023", 0, 1023},
                                         {"5000:5100", 5000, 5100},
                                         {"19000:*", 19000, n - 1},
                                         {"-1500:*", n - 1500, n - 1},
                                         {"-3000:-2000", n - 3000, n - 2000},
                                         {"100:-100", 100, n - 101},
                                         {"19990:99999", 19990, n - 1}}) {
    Answer a = Call(*gw, P(big_cid_, "?format=car&dag-scope=entity&entity-bytes=" + k.spec));
    ASSERT_EQ(a.status, 200) << k.spec;
    CarContent c = ParseCar(a.body);
    EXPECT_EQ(c.blocks.front().first, big_cid_) << k.spec;
    EXPECT_EQ(RangeFromCar(c, big_cid_, k.from, k.to), all.substr(k.from, k.to - k.from + 1))
        << k.spec;
    if (k.to - k.from < 2000) {
      EXPECT_LT(c.blocks.size(), whole.blocks.size()) << k.spec;
    }
    EXPECT_NE(a.H("etag"), Call(*gw, P(big_cid_, "?format=car&dag-scope=entity")).H("etag"));
  }
  // Outside the entity, or empty: the answer of dag-scope=block.
  for (std::string spec : {"20000:*", "999999:*", "0:-20001"}) {
    CarContent c =
        ParseCar(Call(*gw, P(big_cid_, "?format=car&dag-scope=entity&entity-bytes=" + spec)).body);
    ASSERT_EQ(c.blocks.size(), 1u) << spec;
    EXPECT_EQ(c.blocks[0].first, big_cid_);
  }
  // entity-bytes applies only to dag-scope=entity.
  CarContent ignored = ParseCar(Call(*gw, P(big_cid_, "?format=car&entity-bytes=0:10")).body);
  EXPECT_EQ(ignored.blocks.size(), whole.blocks.size());
}

TEST_F(GatewayTest, DupsParameter) {
  auto gw = Make();
  Answer n = Call(*gw, P(zeros_cid_, "?format=car"));
  Answer y = Call(*gw, P(zeros_cid_, "?format=car&car-dups=y"));
  Answer ya = Call(*gw, P(zeros_cid_), {{"accept", "application/vnd.ipld.car; dups=y"}});
  EXPECT_EQ(y.H("content-type"), "application/vnd.ipld.car; version=1; order=dfs; dups=y");
  EXPECT_NE(n.H("etag"), y.H("etag"));
  EXPECT_EQ(y.body, ya.body);
  CarContent cn = ParseCar(n.body), cy = ParseCar(y.body);
  // 8 identical 1 KiB leaves: once with dups=n, eight times with dups=y.
  std::map<std::string, int> count_n, count_y;
  for (auto& [cid, d] : cn.blocks) ++count_n[cid.ToString()];
  for (auto& [cid, d] : cy.blocks) ++count_y[cid.ToString()];
  for (auto& [k, v] : count_n) EXPECT_EQ(v, 1);
  int max_y = 0;
  for (auto& [k, v] : count_y) max_y = std::max(max_y, v);
  EXPECT_EQ(max_y, 8);
  EXPECT_EQ(RangeFromCar(cy, zeros_cid_, 0, 8191), std::string(8192, '\0'));
}

TEST_F(GatewayTest, OtherCodecs) {
  // A dag-cbor block (the empty map): raw and dag-scope=block work; a walk
  // or a rendering does not.
  Bytes cbor{0xa0};
  Cid c = Cid::Sha256(1, multiformats::kCodecDagCbor, cbor);
  ASSERT_TRUE(store_->Put(c, cbor).ok());
  auto gw = Make();
  EXPECT_EQ(Call(*gw, P(c, "?format=raw")).body, AsStr(cbor));
  EXPECT_EQ(Call(*gw, P(c, "?format=car&dag-scope=block")).status, 200);
  EXPECT_EQ(Call(*gw, P(c, "?format=car")).status, 501);
  EXPECT_EQ(Call(*gw, P(c)).status, 501);
}

TEST_F(GatewayTest, DepthLimitTruncatesTheStream) {
  GatewayOptions o;
  o.max_dag_depth = 1;  // big.bin is three levels deep
  auto gw = Make(o);
  Answer a = Call(*gw, P(big_cid_, "?format=car"));
  EXPECT_EQ(a.status, 200);
  EXPECT_FALSE(a.complete);
}

// ---------------------------------------------------------------- plain responses

TEST_F(GatewayTest, PlainFiles) {
  auto gw = Make();
  Answer a = Call(*gw, P(root_, "/hello.txt"));
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "hello gateway\n");
  EXPECT_EQ(a.H("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(a.H("accept-ranges"), "bytes");
  EXPECT_EQ(a.H("cache-control"), "public, max-age=29030400, immutable");
  EXPECT_EQ(a.H("content-disposition"), "<none>");
  Answer big = Call(*gw, P(root_, "/big.bin"));
  EXPECT_EQ(big.body, AsStr(big_));
  EXPECT_EQ(big.H("content-type"), "application/octet-stream");  // sniffed: binary
  EXPECT_EQ(Call(*gw, P(root_, "/noext")).H("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(Call(*gw, P(root_, "/site/style.css")).H("content-type"), "text/css; charset=utf-8");
  // Streaming bodies above inline_file_bytes give the same bytes.
  GatewayOptions o;
  o.inline_file_bytes = 1000;
  auto streaming = Make(o);
  Answer s = Call(*streaming, P(big_cid_));
  EXPECT_TRUE(s.streamed);
  EXPECT_TRUE(s.complete);
  EXPECT_EQ(s.body, AsStr(big_));
}

TEST_F(GatewayTest, FilenameAndDownload) {
  auto gw = Make();
  Answer a = Call(*gw, P(hello_cid_, "?filename=greeting.txt"));
  EXPECT_EQ(a.H("content-disposition"), "inline; filename=\"greeting.txt\"");
  EXPECT_EQ(a.H("content-type"), "text/plain; charset=utf-8");
  Answer d = Call(*gw, P(hello_cid_, "?filename=x%22y.bin&download=true"));
  EXPECT_EQ(d.H("content-disposition"), "attachment; filename=\"x\\\"y.bin\"");
  Answer u = Call(*gw, P(hello_cid_, "?filename=%C3%A9t%C3%A9.txt"));
  EXPECT_EQ(u.H("content-disposition"),
            "inline; filename=\"__t__.txt\"; filename*=UTF-8''%C3%A9t%C3%A9.txt");
}

TEST_F(GatewayTest, Ranges) {
  GatewayOptions small;
  small.inline_file_bytes = 1000;  // ranges through the streaming path too
  for (auto o : {GatewayOptions{}, small}) {
    auto gw = Make(o);
    const std::string all = AsStr(big_);
    Answer a = Call(*gw, P(big_cid_), {{"range", "bytes=1000-2999"}});
    EXPECT_EQ(a.status, 206);
    EXPECT_EQ(a.body, all.substr(1000, 2000));
    EXPECT_EQ(a.H("content-range"), "bytes 1000-2999/20000");
    Answer tail = Call(*gw, P(big_cid_), {{"range", "bytes=-10"}});
    EXPECT_EQ(tail.status, 206);
    EXPECT_EQ(tail.body, all.substr(19990));
    Answer open = Call(*gw, P(big_cid_), {{"range", "bytes=19000-"}});
    EXPECT_EQ(open.body, all.substr(19000));
    Answer clamp = Call(*gw, P(big_cid_), {{"range", "bytes=19999-99999"}});
    EXPECT_EQ(clamp.H("content-range"), "bytes 19999-19999/20000");
    Answer bad = Call(*gw, P(big_cid_), {{"range", "bytes=20000-"}});
    EXPECT_EQ(bad.status, 416);
    EXPECT_EQ(bad.H("content-range"), "bytes */20000");
    // Several ranges, or a malformed one: the whole body.
    EXPECT_EQ(Call(*gw, P(big_cid_), {{"range", "bytes=0-1,5-6"}}).status, 200);
    EXPECT_EQ(Call(*gw, P(big_cid_), {{"range", "pages=1-2"}}).status, 200);
    // If-Range with another etag: the whole body.
    EXPECT_EQ(Call(*gw, P(big_cid_), {{"range", "bytes=0-1"}, {"if-range", "\"old\""}}).status,
              200);
    Answer head = Call(*gw, P(big_cid_), {{"range", "bytes=0-99"}}, "HEAD");
    EXPECT_EQ(head.status, 206);
    EXPECT_EQ(head.H("content-length"), "100");
  }
}

TEST_F(GatewayTest, DirectoriesListOrServeIndexHtml) {
  auto gw = Make();
  Answer list = Call(*gw, P(root_));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.H("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(list.body.find("hello.txt"), std::string::npos);
  EXPECT_NE(list.body.find("odd name &amp; &lt;x&gt;.txt"), std::string::npos);
  EXPECT_EQ(list.body.find("<x>"), std::string::npos);
  EXPECT_NE(list.body.find("/ipfs/" + root_.ToString() + "/odd%20name%20%26%20%3Cx%3E.txt"),
            std::string::npos);
  EXPECT_EQ(list.H("etag"), "\"DirIndex-gw1_CID-" + root_.ToString() + "\"");
  Answer hamt = Call(*gw, P(root_, "/hamt/"));
  for (int i = 0; i < 40; ++i) {
    EXPECT_NE(hamt.body.find(">entry-" + std::to_string(i) + ".txt<"), std::string::npos) << i;
  }
  Answer redirect = Call(*gw, P(root_, "/site?x=1"));
  EXPECT_EQ(redirect.status, 301);
  EXPECT_EQ(redirect.H("location"), P(root_, "/site/?x=1"));
  Answer index = Call(*gw, P(root_, "/site/"));
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<html><body>site</body></html>\n");
  EXPECT_EQ(index.H("content-type"), "text/html; charset=utf-8");
  GatewayOptions o;
  o.max_listing_entries = 3;
  auto capped = Make(o);
  EXPECT_NE(Call(*capped, P(root_)).body.find("(listing truncated)"), std::string::npos);
}

TEST_F(GatewayTest, EscapesAnswer400) {
  auto gw = Make();
  for (std::string rest : {"/../x", "/%2e%2e", "/a%2Fb", "/a%00", "//hello.txt", "/./hello.txt"}) {
    Answer a = Call(*gw, P(root_, rest));
    EXPECT_EQ(a.status, 400) << rest;
    EXPECT_EQ(a.H("content-type"), "text/plain; charset=utf-8");
  }
}

// ---------------------------------------------------------------- lifetime

TEST_F(GatewayTest, ClientGoingAwayStopsTheProducer) {
  GatewayOptions o;
  o.stream_buffer_bytes = 1024;  // the producer waits after ~1 KiB
  auto gw = Make(o);
  http::Request r;
  r.method = "GET";
  r.target = P(root_, "?format=car&car-dups=y");
  std::promise<http::Response> p;
  gw->Handle(r, [&p](http::Response resp) { p.set_value(std::move(resp)); });
  http::Response resp = p.get_future().get();
  ASSERT_TRUE(resp.stream);
  std::string chunk;
  EXPECT_EQ(resp.stream->WaitPop(&chunk), http::BodyStream::Pop::kChunk);
  resp.stream->Cancel();  // what the server does when the client disconnects
  gw.reset();             // joins the producer: returns only if it stopped
}

TEST_F(GatewayTest, DestroyingCancelsStreamsNobodyReads) {
  GatewayOptions o;
  o.stream_buffer_bytes = 1024;
  auto gw = Make(o);
  std::vector<std::shared_ptr<http::BodyStream>> bodies;
  for (int i = 0; i < 3; ++i) {
    http::Request r;
    r.method = "GET";
    r.target = P(root_, "?format=car");
    std::promise<http::Response> p;
    gw->Handle(r, [&p](http::Response resp) { p.set_value(std::move(resp)); });
    bodies.push_back(p.get_future().get().stream);
  }
  gw.reset();
  for (auto& b : bodies) EXPECT_TRUE(b->cancelled());
}

TEST_F(GatewayTest, TooManyStreamsGive503) {
  GatewayOptions o;
  o.max_streams = 1;
  o.stream_buffer_bytes = 1024;
  auto gw = Make(o);
  http::Request r;
  r.method = "GET";
  r.target = P(root_, "?format=car");
  std::promise<http::Response> p;
  gw->Handle(r, [&p](http::Response resp) { p.set_value(std::move(resp)); });
  auto held = p.get_future().get().stream;  // not read: the producer stays blocked
  ASSERT_TRUE(held);
  EXPECT_EQ(Call(*gw, P(root_, "?format=car")).status, 503);
  std::string rest;
  EXPECT_TRUE(held->ReadAll(&rest));
}

}  // namespace
}  // namespace ipfs_kit::gateway
