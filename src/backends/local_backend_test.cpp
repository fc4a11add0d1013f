// The `local` backend on real directories: the repository's blocks/ and
// pins/ (shared with `ipfs-kit add`), or a store of its own.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "ipfs_kit/backends/backend.h"
#include "ipfs_kit/blockstore/flatfs_blockstore.h"
#include "ipfs_kit/dagpb/dag_pb.h"
#include "ipfs_kit/repo/repo.h"

// Readable CIDs in assertion failures.
namespace ipfs_kit::multiformats {
void PrintTo(const Cid& c, std::ostream* os) { *os << c.ToString(); }
}  // namespace ipfs_kit::multiformats

namespace ipfs_kit::backends {
namespace {

using multiformats::kCodecDagPb;
using multiformats::kCodecRaw;

class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "local_backend_test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::unique_ptr<Backend> Make(const std::string& repo,
                              std::map<std::string, std::string> params = {},
                              const std::string& name = "local") {
  BackendConfig c;
  c.name = name;
  c.type = "local";
  c.params = std::move(params);
  auto b = MakeBackend(c, repo);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? std::move(b).value() : nullptr;
}

std::vector<Cid> Pins(Backend& b) {
  std::vector<Cid> out;
  Status st = b.ListPins([&](const Cid& c) {
    out.push_back(c);
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

std::vector<std::string> DirEntries(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(LocalBackend, DefaultsToTheRepository) {
  TempDir dir;
  std::string repo_path = dir.path() + "/repo";
  auto b = Make(repo_path);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->type(), "local");
  EXPECT_FALSE(b->capabilities().read_only);
  EXPECT_TRUE(b->capabilities().stores_blocks);
  // The repository was created, as any command would.
  EXPECT_TRUE(std::filesystem::exists(repo_path + "/version"));
  EXPECT_TRUE(std::filesystem::exists(repo_path + "/blocks/SHARDING"));
  EXPECT_TRUE(std::filesystem::is_directory(repo_path + "/pins"));

  Bytes data = B("hello world");
  Cid cid = Cid::Sha256(1, kCodecRaw, data);
  ASSERT_TRUE(b->Put(cid, data).ok());
  // Kubo's flatfs path for this block (docs/formats/blockstore.md).
  EXPECT_TRUE(std::filesystem::exists(
      repo_path + "/blocks/32/CIQLSTJHXGJU2PQIUUXFFV62PWV7VREE57RXUU4A52IIR55M4LX432I.data"));

  // A pin recorded by the repository (as `ipfs-kit add` does) is a pin of
  // the backend, and the other way round.
  auto repo = repo::Repo::Open(repo_path);
  ASSERT_TRUE(repo.ok());
  Bytes other = B("added by the CLI");
  Cid added = Cid::Sha256(1, kCodecRaw, other);
  ASSERT_TRUE((*repo)->blocks().Put(added, other).ok());
  ASSERT_TRUE((*repo)->AddPin(added, "cli").ok());
  EXPECT_EQ(b->PinStatus(added)->state, PinState::kPinned);

  PinRequest req;
  req.name = "via backend";
  req.meta = {{"k", "v"}};
  ASSERT_TRUE(b->Pin(cid, req).ok());
  std::vector<Cid> pins = Pins(*b);
  std::vector<Cid> want = {added, cid};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(pins, want);

  // Same record layout as Repo::AddPin: pins/<CIDv1>, JSON with cid/name/created.
  auto text = repo::ReadSmallFile(repo_path + "/pins/" + cid.ToString());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  auto j = nlohmann::json::parse(*text);
  EXPECT_EQ(j["cid"], cid.ToString());
  EXPECT_EQ(j["name"], "via backend");
  EXPECT_TRUE(j["created"].is_number_integer());
  EXPECT_EQ(j["meta"]["k"], "v");
}

TEST(LocalBackend, BlocksPutGetHasDelete) {
  TempDir dir;
  auto b = Make("", {{"path", dir.path() + "/store"}});
  ASSERT_TRUE(b);
  Bytes data = B("some block");
  Cid cid = Cid::Sha256(1, kCodecRaw, data);
  EXPECT_EQ(*b->Has(cid), false);
  auto g = b->Get(cid);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(b->Put(cid, data).ok());
  EXPECT_EQ(*b->Has(cid), true);
  EXPECT_EQ(*b->Get(cid), data);
  // Stored by multihash: the v0 dag-pb CID of the same bytes... is another
  // codec but the same file.
  Cid same_hash(1, kCodecDagPb, cid.hash());
  EXPECT_EQ(*b->Has(same_hash), true);

  ASSERT_TRUE(b->Delete(cid).ok());
  EXPECT_EQ(*b->Has(cid), false);
  // Deleting what is gone is fine (trimming replicas is idempotent).
  EXPECT_TRUE(b->Delete(cid).ok());

  // Identity CIDs are never stored.
  auto mh = multiformats::ComputeMultihash(multiformats::kIdentity, B("inline"));
  Cid id(1, kCodecRaw, *mh);
  EXPECT_EQ(*b->Has(id), true);
  EXPECT_EQ(*b->Get(id), B("inline"));
  EXPECT_TRUE(b->Put(id, B("inline")).ok());

  // Over the block limit.
  Bytes big(blockstore::kMaxBlockSize + 1, 7);
  Status st = b->Put(Cid::Sha256(1, kCodecRaw, big), big);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
}

TEST(LocalBackend, PutOverwritesADamagedBlockAtomically) {
  TempDir dir;
  std::string store = dir.path() + "/store";
  auto b = Make("", {{"path", store}});
  ASSERT_TRUE(b);
  Bytes data = B("precious content");
  Cid cid = Cid::Sha256(1, kCodecRaw, data);
  ASSERT_TRUE(b->Put(cid, data).ok());
  auto fs = blockstore::FlatfsBlockstore::Open(store);
  ASSERT_TRUE(fs.ok());
  std::string path = (*fs)->BlockPath(cid);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "bit rot";
  auto v = GetVerified(*b, cid);
  ASSERT_EQ(v.status().code(), StatusCode::kCorruption);

  ASSERT_TRUE(b->Put(cid, data).ok());
  v = GetVerified(*b, cid);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, data);
  // Nothing left behind in the shard directory but the block.
  std::string shard = path.substr(0, path.find_last_of('/'));
  EXPECT_EQ(DirEntries(shard), std::vector<std::string>{path.substr(path.find_last_of('/') + 1)});
}

TEST(LocalBackend, Pins) {
  TempDir dir;
  std::string store = dir.path() + "/store";
  auto b = Make("", {{"path", store}});
  ASSERT_TRUE(b);
  dagpb::PbNode n;
  n.data = B("a node");
  Bytes node = dagpb::Encode(n);
  Cid v0 = Cid::Sha256(0, kCodecDagPb, node);

  // No pin without the root block.
  Status st = b->Pin(v0, PinRequest{});
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find(v0.ToString()), std::string::npos);
  EXPECT_EQ(b->PinStatus(v0)->state, PinState::kAbsent);

  ASSERT_TRUE(b->Put(v0, node).ok());
  ASSERT_TRUE(b->Pin(v0, PinRequest{"first", {}, {}}).ok());
  // The v0 and v1 forms of a root are one pin, listed as v1.
  EXPECT_EQ(b->PinStatus(v0)->state, PinState::kPinned);
  EXPECT_EQ(b->PinStatus(v0.ToV1())->state, PinState::kPinned);
  EXPECT_EQ(Pins(*b), std::vector<Cid>{v0.ToV1()});
  // Pinning again (a new name) keeps one record.
  ASSERT_TRUE(b->Pin(v0.ToV1(), PinRequest{"second", {}, {}}).ok());
  EXPECT_EQ(Pins(*b).size(), 1u);

  // Files that are not pin records are skipped by the listing.
  std::ofstream(store + "/pins/" + v0.ToV1().ToString() + ".tmp-1-2") << "{}";
  std::ofstream(store + "/pins/not-a-cid") << "{}";
  EXPECT_EQ(Pins(*b), std::vector<Cid>{v0.ToV1()});

  // Blocks in the same directory are not confused with pins, nor pins with
  // blocks.
  auto fs = blockstore::FlatfsBlockstore::Open(store);
  int blocks = 0;
  ASSERT_TRUE((*fs)
                  ->List([&](const Cid&) {
                    ++blocks;
                    return true;
                  })
                  .ok());
  EXPECT_EQ(blocks, 1);

  ASSERT_TRUE(b->Unpin(v0).ok());
  EXPECT_EQ(b->PinStatus(v0)->state, PinState::kAbsent);
  EXPECT_TRUE(Pins(*b).empty());
  EXPECT_TRUE(b->Unpin(v0).ok());  // idempotent
}

TEST(LocalBackend, ListPinsStopsEarly) {
  TempDir dir;
  auto b = Make("", {{"path", dir.path() + "/s"}});
  for (int i = 0; i < 5; ++i) {
    Bytes d = B("root " + std::to_string(i));
    Cid c = Cid::Sha256(1, kCodecRaw, d);
    ASSERT_TRUE(b->Put(c, d).ok());
    ASSERT_TRUE(b->Pin(c, PinRequest{}).ok());
  }
  int n = 0;
  ASSERT_TRUE(b->ListPins([&](const Cid&) { return ++n < 2; }).ok());
  EXPECT_EQ(n, 2);
  EXPECT_EQ(Pins(*b).size(), 5u);
}

TEST(LocalBackend, Check) {
  TempDir dir;
  std::string store = dir.path() + "/store";
  auto b = Make("", {{"path", store}}, "disk-a");
  ASSERT_TRUE(b);
  Bytes d = B("x");
  Cid c = Cid::Sha256(1, kCodecRaw, d);
  ASSERT_TRUE(b->Put(c, d).ok());
  ASSERT_TRUE(b->Pin(c, PinRequest{}).ok());
  auto probe = b->Check();
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  ASSERT_TRUE(probe->bytes_free.has_value());
  ASSERT_TRUE(probe->bytes_used.has_value());
  EXPECT_GT(*probe->bytes_used, 0);
  EXPECT_GE(*probe->bytes_free, 0);
  EXPECT_EQ(probe->pin_count, 1);
  EXPECT_NE(probe->detail.find(store), std::string::npos);

  // The store's directory vanished (a disk unmounted).
  std::filesystem::remove_all(store);
  auto bad = b->Check();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(store), std::string::npos);
  EXPECT_NE(bad.status().message().find("disk-a"), std::string::npos);
}

TEST(LocalBackend, CustomPinsPath) {
  TempDir dir;
  auto b = Make("", {{"path", dir.path() + "/blocks"}, {"pins_path", dir.path() + "/p/q"}});
  ASSERT_TRUE(b);
  Bytes d = B("y");
  Cid c = Cid::Sha256(1, kCodecRaw, d);
  ASSERT_TRUE(b->Put(c, d).ok());
  ASSERT_TRUE(b->Pin(c, PinRequest{}).ok());
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/p/q/" + c.ToString()));
}

TEST(LocalBackend, BadConfig) {
  TempDir dir;
  std::string file = dir.path() + "/a-file";
  std::ofstream(file) << "x";
  BackendConfig c;
  c.name = "l1";
  c.type = "local";
  c.params["path"] = file;
  auto r = MakeBackend(c, "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("backends.l1.params.path"), std::string::npos)
      << r.status().ToString();
}

TEST(LocalBackend, ConcurrentWriters) {
  TempDir dir;
  std::string store = dir.path() + "/s";
  // Two backend objects on one store, as two processes would have.
  auto a = Make("", {{"path", store}}, "a");
  auto b = Make("", {{"path", store}}, "b");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Backend& be = t % 2 ? *a : *b;
      for (int i = 0; i < 50; ++i) {
        Bytes d = B("block " + std::to_string(i));  // the same blocks from every thread
        Cid c = Cid::Sha256(1, kCodecRaw, d);
        EXPECT_TRUE(be.Put(c, d).ok());
        if (i % 10 == 0) {
          EXPECT_TRUE(be.Pin(c, PinRequest{}).ok());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int i = 0; i < 50; ++i) {
    Bytes d = B("block " + std::to_string(i));
    auto v = GetVerified(*a, Cid::Sha256(1, kCodecRaw, d));
    ASSERT_TRUE(v.ok()) << v.status().ToString();
  }
  EXPECT_EQ(Pins(*b).size(), 5u);
}

}  // namespace
}  // namespace ipfs_kit::backends
