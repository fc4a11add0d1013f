#include "ipfs_kit/blockstore/flatfs_blockstore.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace ipfs_kit::blockstore {
namespace {

namespace fs = std::filesystem;
using multiformats::kCodecDagPb;
using multiformats::kCodecRaw;
using multiformats::kIdentity;
using multiformats::Multihash;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "flatfs-test-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

Cid RawCid(std::string_view s) { return Cid::Sha256(1, kCodecRaw, AsBytes(s)); }

std::unique_ptr<FlatfsBlockstore> OpenOrDie(const std::string& root, FlatfsOptions o = {}) {
  auto r = FlatfsBlockstore::Open(root, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(Flatfs, OpenWritesShardingAndReadme) {
  TempDir dir;
  std::string root = dir.path() + "/a/b/blocks";
  auto store = OpenOrDie(root);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(ReadFile(root + "/SHARDING"), "/repo/flatfs/shard/v1/next-to-last/2\n");
  EXPECT_NE(ReadFile(root + "/_README").find("next-to-last"), std::string::npos);
  // Re-opening an existing store works and keeps the file.
  auto again = OpenOrDie(root);
  ASSERT_NE(again, nullptr);
}

TEST(Flatfs, OpenRejectsOtherSharding) {
  TempDir dir;
  WriteFile(dir.path() + "/SHARDING", "/repo/flatfs/shard/v1/prefix/2\n");
  auto r = FlatfsBlockstore::Open(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("prefix/2"), std::string::npos);
}

TEST(Flatfs, KuboLayout) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  Cid cid = RawCid("hello world");
  ASSERT_EQ(cid.ToString(), "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
  const std::string want =
      dir.path() + "/32/CIQLSTJHXGJU2PQIUUXFFV62PWV7VREE57RXUU4A52IIR55M4LX432I.data";
  EXPECT_EQ(store->BlockPath(cid), want);
  ASSERT_TRUE(store->Put(cid, AsBytes("hello world")).ok());
  EXPECT_EQ(ReadFile(want), "hello world");
  // The CIDv0/dag-pb CID with the same multihash maps to the same file.
  Cid v0(0, kCodecDagPb, cid.hash());
  EXPECT_EQ(store->BlockPath(v0), want);
  EXPECT_TRUE(*store->Has(v0));
}

TEST(Flatfs, RoundTrip) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  Cid cid = RawCid("abcdef");
  EXPECT_FALSE(*store->Has(cid));
  auto missing = store->Get(cid);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(cid.ToString()), std::string::npos);
  EXPECT_NE(missing.status().message().find(store->BlockPath(cid)), std::string::npos);

  ByteView parts[3] = {AsBytes("ab"), AsBytes(""), AsBytes("cdef")};
  ASSERT_TRUE(store->PutParts(cid, parts).ok());
  EXPECT_TRUE(*store->Has(cid));
  EXPECT_EQ(*store->Size(cid), 6u);
  auto got = GetVerified(*store, cid);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(AsString(*got), "abcdef");
  // Second put is a no-op.
  ASSERT_TRUE(store->Put(cid, AsBytes("abcdef")).ok());

  ASSERT_TRUE(store->Delete(cid).ok());
  EXPECT_FALSE(*store->Has(cid));
  EXPECT_EQ(store->Delete(cid).code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Size(cid).status().code(), StatusCode::kNotFound);
}

TEST(Flatfs, EmptyBlock) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), {.sync_each_put = true});
  Cid cid = RawCid("");
  ASSERT_TRUE(store->Put(cid, {}).ok());
  auto got = GetVerified(*store, cid);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_TRUE(store->Sync().ok());
}

TEST(Flatfs, LargeBlockAndLimit) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  std::string big(kMaxBlockSize, 'x');
  Cid cid = RawCid(big);
  ASSERT_TRUE(store->Put(cid, AsBytes(big)).ok());
  auto got = GetVerified(*store, cid);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), big.size());

  big.push_back('y');
  Cid too_big = RawCid(big);
  Status st = store->Put(too_big, AsBytes(big));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  // A file grown past the cap on disk is not read into memory.
  fs::create_directories(fs::path(store->BlockPath(too_big)).parent_path());
  WriteFile(store->BlockPath(too_big), big);
  EXPECT_EQ(store->Get(too_big).status().code(), StatusCode::kCorruption);
}

TEST(Flatfs, IdentityIsNotStored) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  Cid id(1, kCodecRaw, Multihash{kIdentity, Bytes{'h', 'i'}});
  EXPECT_TRUE(*store->Has(id));
  ASSERT_TRUE(store->Put(id, AsBytes("hi")).ok());
  auto got = GetVerified(*store, id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(AsString(*got), "hi");
  EXPECT_EQ(*store->Size(id), 2u);
  int n = 0;
  ASSERT_TRUE(store->List([&](const Cid&) { return ++n, true; }).ok());
  EXPECT_EQ(n, 0);
}

TEST(Flatfs, CorruptionDetected) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  Cid cid = RawCid("original");
  ASSERT_TRUE(store->Put(cid, AsBytes("original")).ok());
  WriteFile(store->BlockPath(cid), "0riginal");
  auto raw = store->Get(cid);
  ASSERT_TRUE(raw.ok());  // Get does not verify
  EXPECT_EQ(AsString(*raw), "0riginal");
  auto got = GetVerified(*store, cid);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kCorruption);
  EXPECT_NE(got.status().message().find(cid.ToString()), std::string::npos);
  // Truncated file too.
  WriteFile(store->BlockPath(cid), "orig");
  EXPECT_EQ(GetVerified(*store, cid).status().code(), StatusCode::kCorruption);
}

TEST(Flatfs, ListDecodesKeysAndSkipsJunk) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  std::set<std::string> want;
  for (int i = 0; i < 50; ++i) {
    std::string s = "block-" + std::to_string(i);
    Cid cid = Cid::Sha256(i % 2 ? 1 : 0, kCodecDagPb, AsBytes(s));
    ASSERT_TRUE(store->Put(cid, AsBytes(s)).ok());
    want.insert(Cid(1, kCodecRaw, cid.hash()).ToString());
  }
  // Junk that must be skipped: temp files, foreign files, misplaced keys.
  std::string shard = fs::path(store->BlockPath(RawCid("block-0"))).parent_path().string();
  WriteFile(shard + "/.tmp-1-2-3", "partial");
  WriteFile(shard + "/notbase32!.data", "x");
  WriteFile(shard + "/README", "x");
  WriteFile(dir.path() + "/diskUsage.cache", "{}");
  fs::create_directories(dir.path() + "/ZZ");
  WriteFile(dir.path() + "/ZZ/CIQLSTJHXGJU2PQIUUXFFV62PWV7VREE57RXUU4A52IIR55M4LX432I.data", "x");

  std::set<std::string> got;
  ASSERT_TRUE(store
                  ->List([&](const Cid& c) {
                    EXPECT_EQ(c.version(), 1);
                    EXPECT_EQ(c.codec(), kCodecRaw);
                    got.insert(c.ToString());
                    return true;
                  })
                  .ok());
  EXPECT_EQ(got, want);

  int calls = 0;
  ASSERT_TRUE(store->List([&](const Cid&) { return ++calls < 3; }).ok());
  EXPECT_EQ(calls, 3);
}

// Several processes write overlapping block sets into one store at once.
TEST(Flatfs, ConcurrentProcessWriters) {
  TempDir dir;
  const std::string root = dir.path() + "/blocks";
  constexpr int kProcs = 4;
  constexpr int kPerProc = 150;  // process p writes blocks [p*75, p*75+150)
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Child: open independently (races on SHARDING creation too).
      auto store = FlatfsBlockstore::Open(root);
      if (!store.ok()) ::_exit(2);
      for (int round = 0; round < 2; ++round) {
        for (int i = p * kPerProc / 2; i < p * kPerProc / 2 + kPerProc; ++i) {
          std::string s(1000 + i, static_cast<char>('a' + i % 26));
          s += std::to_string(i);
          Cid cid = RawCid(s);
          // Split in parts to exercise writev.
          ByteView parts[2] = {AsBytes(s).subspan(0, 10), AsBytes(s).subspan(10)};
          if (!(*store)->PutParts(cid, parts).ok()) ::_exit(3);
        }
      }
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  auto store = OpenOrDie(root);
  const int total = (kProcs - 1) * kPerProc / 2 + kPerProc;
  for (int i = 0; i < total; ++i) {
    std::string s(1000 + i, static_cast<char>('a' + i % 26));
    s += std::to_string(i);
    auto got = GetVerified(*store, RawCid(s));
    ASSERT_TRUE(got.ok()) << i << ": " << got.status().ToString();
    EXPECT_EQ(got->size(), s.size());
  }
  int listed = 0;
  ASSERT_TRUE(store->List([&](const Cid&) { return ++listed, true; }).ok());
  EXPECT_EQ(listed, total);
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    EXPECT_NE(e.path().filename().string()[0], '.') << "temp file left: " << e.path();
  }
}

TEST(MemoryBlockstore, Basics) {
  auto store = NewMemoryBlockstore();
  Cid cid = RawCid("mem");
  EXPECT_FALSE(*store->Has(cid));
  EXPECT_EQ(store->Get(cid).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store->Put(cid, AsBytes("mem")).ok());
  EXPECT_TRUE(*store->Has(Cid(0, kCodecDagPb, cid.hash())));
  EXPECT_EQ(AsString(*GetVerified(*store, cid)), "mem");
  EXPECT_EQ(*store->Size(cid), 3u);
  int n = 0;
  ASSERT_TRUE(store
                  ->List([&](const Cid& c) {
                    EXPECT_EQ(c, cid);
                    return ++n, true;
                  })
                  .ok());
  EXPECT_EQ(n, 1);
  // Corrupt content is caught by GetVerified even in memory.
  Cid other = RawCid("other");
  ASSERT_TRUE(store->Put(other, AsBytes("not other")).ok());
  EXPECT_EQ(GetVerified(*store, other).status().code(), StatusCode::kCorruption);
  ASSERT_TRUE(store->Delete(cid).ok());
  EXPECT_EQ(store->Delete(cid).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ipfs_kit::blockstore
