// VFS buckets: every operation, path checks, persistence, concurrent writers
// (threads and processes), crash safety and CID equality with `add -r`.
#include "ipfs_kit/vfs/vfs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "directory_builder.h"
#include "ipfs_kit/car/car.h"
#include "ipfs_kit/unixfs/importer.h"
#include "ipfs_kit/vfs/path.h"
#include "vfs_test_util.h"

namespace ipfs_kit::vfs {
namespace {

using testing::OpenVfs;
using testing::ReadText;
using testing::TempDir;
using testing::WriteText;

std::string RandomText(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

void WriteLocal(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary);
  f << data;
}

// ---- paths and names

TEST(VfsPath, NormalizesAndRefusesEscapes) {
  auto p = ParsePath("/a//b/./c/");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->ToString(), "/a/b/c");
  EXPECT_EQ(ParsePath("/a/../b")->ToString(), "/b");
  EXPECT_TRUE(ParsePath("/")->IsRoot());
  EXPECT_TRUE(ParsePath("/a/..")->IsRoot());
  struct Bad {
    std::string path, mentions;
  };
  for (const auto& b : std::vector<Bad>{{"", "empty"},
                                        {"a/b", "not absolute"},
                                        {"/..", "escapes"},
                                        {"/a/../..", "escapes"},
                                        {"/a/../../etc/passwd", "escapes"},
                                        {std::string("/a\0b", 4), "NUL"},
                                        {"/" + std::string(256, 'x'), "longer than 255"},
                                        {"/" + std::string(4096, 'x'), "longer than 4096"},
                                        {"/bad\xff", "UTF-8"}}) {
    auto r = ParsePath(b.path);
    ASSERT_FALSE(r.ok()) << b.path;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(b.mentions), std::string::npos) << r.status().message();
  }
  EXPECT_TRUE(ParsePath("/" + std::string(255, 'x')).ok());
  EXPECT_TRUE(BucketPath({"a", "b"}).IsWithin(BucketPath({"a"})));
  EXPECT_FALSE(BucketPath({"ab"}).IsWithin(BucketPath({"a"})));
}

TEST(VfsPath, BucketNames) {
  for (const char* ok : {"a", "0", "my-bucket", "a.b_c-d", "x123"}) {
    EXPECT_TRUE(ValidateBucketName(ok).ok()) << ok;
  }
  EXPECT_TRUE(ValidateBucketName(std::string(63, 'a')).ok());
  for (std::string bad :
       {std::string(""), std::string(".hidden"), std::string("-a"), std::string("A"),
        std::string("a/b"), std::string(".."), std::string("a b"), std::string(64, 'a'),
        std::string("a\0b", 3), std::string("_x")}) {
    Status s = ValidateBucketName(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_FALSE(s.message().empty());
  }
}

TEST(VfsPath, Utf8) {
  EXPECT_TRUE(IsValidUtf8("héllo ✓ 😀"));
  EXPECT_FALSE(IsValidUtf8("\xc0\x80"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));      // truncated
  EXPECT_EQ(SanitizeUtf8("a\xffz"), "a\xEF\xBF\xBDz");
}

// ---- buckets

TEST(Vfs, BucketLifecycle) {
  TempDir t;
  auto v = OpenVfs(t.path());
  auto b = v->CreateBucket("docs");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  // An empty bucket is the empty UnixFS directory (CIDv1) and not dirty.
  EXPECT_EQ(b->root.ToString(), "bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354");
  EXPECT_FALSE(b->dirty);
  EXPECT_FALSE(b->last_commit);
  EXPECT_EQ(v->CreateBucket("docs").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(v->CreateBucket("Bad/Name").status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(v->CreateBucket("art").ok());
  auto list = v->ListBuckets();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "art");
  EXPECT_EQ((*list)[1].name, "docs");
  ASSERT_TRUE(v->DeleteBucket("art").ok());
  EXPECT_EQ(v->DeleteBucket("art").code(), StatusCode::kNotFound);
  EXPECT_EQ(v->GetBucket("art").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(v->Stat("art", "/").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(WriteText(*v, "art", "/x", "y").code(), StatusCode::kNotFound);
  EXPECT_EQ(v->ListBuckets()->size(), 1u);
  // Recreated after deletion: a fresh, empty bucket.
  ASSERT_TRUE(v->CreateBucket("art").ok());
  EXPECT_EQ(v->Ls("art", "/")->size(), 0u);
}

// ---- tree operations

TEST(Vfs, WriteReadStatLs) {
  TempDir t;
  auto v = OpenVfs(t.path());
  ASSERT_TRUE(v->CreateBucket("b").ok());
  auto c = v->Write("b", "/hello.txt", WriteSource::FromBytes(AsBytes("hello world\n")), {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->entry);
  // CIDv1 raw leaf, as `ipfs add --cid-version 1` gives for these bytes.
  EXPECT_EQ(c->entry->cid.ToString(),
            "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4");
  EXPECT_EQ(c->entry->size, 12u);
  EXPECT_EQ(ReadText(*v, "b", "/hello.txt").value(), "hello world\n");
  EXPECT_EQ(ReadText(*v, "b", "/hello.txt", 6, 5).value(), "world");
  EXPECT_EQ(ReadText(*v, "b", "/hello.txt", 12).value(), "");
  EXPECT_EQ(ReadText(*v, "b", "/hello.txt", 13).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadText(*v, "b", "/nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadText(*v, "b", "/").status().code(), StatusCode::kInvalidArgument);

  // A file of several chunks, streamed through the importer.
  std::string big = RandomText(3 * 1024 * 1024 + 17, 1);
  ASSERT_TRUE(WriteText(*v, "b", "/big.bin", big).ok());
  EXPECT_EQ(ReadText(*v, "b", "/big.bin").value(), big);
  EXPECT_EQ(ReadText(*v, "b", "/big.bin", 1048570, 20).value(), big.substr(1048570, 20));
  auto st = v->Stat("b", "/big.bin");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->type, EntryType::kFile);
  EXPECT_EQ(st->size, big.size());
  EXPECT_EQ(st->blocks, 4u);  // 1 MiB chunks
  EXPECT_GT(st->cumulative_size, big.size());

  // A write from a local file, and from a file descriptor.
  std::string local = t.path() + "/local.txt";
  WriteLocal(local, "from disk");
  ASSERT_TRUE(v->Write("b", "/disk.txt", WriteSource::FromLocalPath(local), {}).ok());
  EXPECT_EQ(ReadText(*v, "b", "/disk.txt").value(), "from disk");
  int fd = ::open(local.c_str(), O_RDONLY);
  ASSERT_TRUE(v->Write("b", "/fd.txt", WriteSource::FromFd(fd), {}).ok());
  ::close(fd);
  EXPECT_EQ(ReadText(*v, "b", "/fd.txt").value(), "from disk");
  EXPECT_EQ(v->Write("b", "/x", WriteSource::FromLocalPath(t.path() + "/none"), {}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(v->Write("b", "/x", WriteSource::FromLocalPath(t.path()), {}).status().code(),
            StatusCode::kInvalidArgument);

  auto ls = v->Ls("b", "/");
  ASSERT_TRUE(ls.ok());
  std::vector<std::string> names;
  for (const auto& e : *ls) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"big.bin", "disk.txt", "fd.txt", "hello.txt"}));
  EXPECT_EQ((*ls)[3].path, "/hello.txt");
  EXPECT_EQ((*ls)[3].size, 12u);
  auto one = v->Ls("b", "/hello.txt");  // a file lists as itself
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].name, "hello.txt");
  auto root = v->Stat("b", "/");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->type, EntryType::kDirectory);
  EXPECT_EQ(root->blocks, 4u);
  EXPECT_EQ(root->cid, v->GetBucket("b")->root);
}

TEST(Vfs, WriteModes) {
  TempDir t;
  auto v = OpenVfs(t.path());
  ASSERT_TRUE(v->CreateBucket("b").ok());
  ASSERT_TRUE(WriteText(*v, "b", "/f", "hello").ok());
  WriteOptions append;
  append.append = true;
  ASSERT_TRUE(WriteText(*v, "b", "/f", " world", append).ok());
  EXPECT_EQ(ReadText(*v, "b", "/f").value(), "hello world");
  WriteOptions at;
  at.offset = 6;
  ASSERT_TRUE(WriteText(*v, "b", "/f", "WO", at).ok());  // keeps the tail
  EXPECT_EQ(ReadText(*v, "b", "/f").value(), "hello WOrld");
  at.truncate = true;
  ASSERT_TRUE(WriteText(*v, "b", "/f", "there", at).ok());
  EXPECT_EQ(ReadText(*v, "b", "/f").value(), "hello there");
  at.offset = 12;
  EXPECT_EQ(WriteText(*v, "b", "/f", "x", at).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(WriteText(*v, "b", "/f", "new").ok());  // default: replace
  EXPECT_EQ(ReadText(*v, "b", "/f").value(), "new");
  // Appending to a file that does not exist creates it.
  ASSERT_TRUE(WriteText(*v, "b", "/g", "first", append).ok());
  EXPECT_EQ(ReadText(*v, "b", "/g").value(), "first");
  // An append that spans chunks keeps every byte in order.
  std::string a = RandomText(1500000, 2), b = RandomText(900000, 3);
  ASSERT_TRUE(WriteText(*v, "b", "/h", a).ok());
  ASSERT_TRUE(WriteText(*v, "b", "/h", b, append).ok());
  EXPECT_EQ(ReadText(*v, "b", "/h").value(), a + b);

  WriteOptions no_create;
  no_create.create = false;
  EXPECT_EQ(WriteText(*v, "b", "/missing", "x", no_create).code(), StatusCode::kNotFound);
  WriteOptions both;
  both.append = true;
  both.offset = 0;
  EXPECT_EQ(WriteText(*v, "b", "/f", "x", both).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteText(*v, "b", "/", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteText(*v, "b", "/no/parent", "x").code(), StatusCode::kNotFound);
  WriteOptions parents;
  parents.parents = true;
  ASSERT_TRUE(WriteText(*v, "b", "/made/for/it.txt", "x", parents).ok());
  EXPECT_EQ(v->Stat("b", "/made/for")->type, EntryType::kDirectory);
  EXPECT_EQ(WriteText(*v, "b", "/made", "x").code(), StatusCode::kInvalidArgument);  // a directory
  Status under = WriteText(*v, "b", "/f/under-a-file", "x");
  EXPECT_EQ(under.code(), StatusCode::kNotFound);
  EXPECT_NE(under.message().find("/f is not a directory"), std::string::npos) << under.message();
}

TEST(Vfs, MkdirRmMvCp) {
  TempDir t;
  auto v = OpenVfs(t.path());
  ASSERT_TRUE(v->CreateBucket("b").ok());
  ASSERT_TRUE(v->Mkdir("b", "/a", false).ok());
  EXPECT_EQ(v->Mkdir("b", "/a", false).status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(v->Mkdir("b", "/a", true).ok());  // -p of an existing directory
  EXPECT_EQ(v->Mkdir("b", "/x/y", false).status().code(), StatusCode::kNotFound);
  auto made = v->Mkdir("b", "/x/y/z", true);
  ASSERT_TRUE(made.ok());
  ASSERT_TRUE(made->entry);
  EXPECT_EQ(made->entry->type, EntryType::kDirectory);
  EXPECT_EQ(made->entry->path, "/x/y/z");
  ASSERT_TRUE(WriteText(*v, "b", "/a/f.txt", "content").ok());
  EXPECT_EQ(v->Mkdir("b", "/a/f.txt", true).status().code(), StatusCode::kAlreadyExists);

  // mv: rename, into a directory, refusals.
  ASSERT_TRUE(v->Mv("b", "/a/f.txt", "/a/g.txt").ok());
  EXPECT_EQ(v->Stat("b", "/a/f.txt").status().code(), StatusCode::kNotFound);
  auto into = v->Mv("b", "/a/g.txt", "/x");
  ASSERT_TRUE(into.ok()) << into.status().ToString();
  ASSERT_TRUE(into->entry);
  EXPECT_EQ(into->entry->path, "/x/g.txt");
  EXPECT_EQ(ReadText(*v, "b", "/x/g.txt").value(), "content");
  EXPECT_EQ(v->Mv("b", "/x", "/x/y/z").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v->Mv("b", "/", "/q").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v->Mv("b", "/nope", "/q").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(WriteText(*v, "b", "/other.txt", "o").ok());
  EXPECT_EQ(v->Mv("b", "/other.txt", "/x/g.txt").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(v->Mv("b", "/x/g.txt", "/x").status().code(), StatusCode::kInvalidArgument);  // same

  // cp: a file and a whole directory; the copy is independent.
  ASSERT_TRUE(v->Cp("b", "/x/g.txt", "/copy.txt").ok());
  EXPECT_EQ(v->Stat("b", "/copy.txt")->cid, v->Stat("b", "/x/g.txt")->cid);
  auto dir_copy = v->Cp("b", "/x", "/a");
  ASSERT_TRUE(dir_copy.ok()) << dir_copy.status().ToString();
  EXPECT_EQ(dir_copy->entry->path, "/a/x");
  EXPECT_EQ(ReadText(*v, "b", "/a/x/g.txt").value(), "content");
  ASSERT_TRUE(WriteText(*v, "b", "/a/x/g.txt", "changed").ok());
  EXPECT_EQ(ReadText(*v, "b", "/x/g.txt").value(), "content");
  EXPECT_EQ(v->Cp("b", "/copy.txt", "/other.txt").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(v->Cp("b", "/copy.txt", "/deep/er/c.txt").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(v->Cp("b", "/copy.txt", "/deep/er/c.txt", true).ok());

  // rm: files, directories only with recursive, never the root.
  EXPECT_EQ(v->Rm("b", "/x", false).status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(v->Rm("b", "/x", true).ok());
  EXPECT_EQ(v->Stat("b", "/x/g.txt").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(v->Rm("b", "/copy.txt", false).ok());
  EXPECT_EQ(v->Rm("b", "/copy.txt", false).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(v->Rm("b", "/", true).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v->Rm("b", "/../etc", true).status().code(), StatusCode::kInvalidArgument);
}

// A store that forwards to another (open_source hands out ownership).
class Forward : public blockstore::Blockstore {
 public:
  explicit Forward(blockstore::Blockstore& s) : s_(s) {}
  Result<bool> Has(const Cid& c) override { return s_.Has(c); }
  Result<Bytes> Get(const Cid& c) override {
    ++gets;
    return s_.Get(c);
  }
  Result<uint64_t> Size(const Cid& c) override { return s_.Size(c); }
  Status PutParts(const Cid& c, std::span<const ByteView> p) override { return s_.PutParts(c, p); }
  Status Delete(const Cid& c) override { return s_.Delete(c); }
  Status List(const std::function<bool(const Cid&)>& fn) override { return s_.List(fn); }
  Status Sync() override { return Status::Ok(); }
  static inline int gets = 0;

 private:
  blockstore::Blockstore& s_;
};

TEST(Vfs, CpFromIpfsFetchesAndVerifies) {
  TempDir t;
  // The "network": a tree that only exists in another store.
  auto remote = blockstore::NewMemoryBlockstore();
  std::string dir = t.path() + "/tree";
  std::filesystem::create_directories(dir + "/sub");
  WriteLocal(dir + "/a.txt", "remote a");
  WriteLocal(dir + "/sub/b.txt", RandomText(2 * 1024 * 1024, 4));
  auto io = Vfs::FileImportOptions();
  io.recursive = true;
  unixfs::Importer imp(remote.get(), io);
  ASSERT_TRUE(imp.AddPath(dir).ok());
  auto root = imp.Finish();
  ASSERT_TRUE(root.ok());

  VfsOptions o;
  o.open_source = [&](const Cid&) -> Result<std::unique_ptr<blockstore::Blockstore>> {
    return std::unique_ptr<blockstore::Blockstore>(new Forward(*remote));
  };
  auto v = OpenVfs(t.path() + "/repo", o);
  ASSERT_TRUE(v->CreateBucket("b").ok());
  auto c = v->Cp("b", "/ipfs/" + root->ToString(), "/");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->entry->path, "/" + root->ToString());  // a bare CID is named by itself
  EXPECT_EQ(ReadText(*v, "b", "/" + root->ToString() + "/a.txt").value(), "remote a");
  auto sub = v->Cp("b", "/ipfs/" + root->ToString() + "/sub/b.txt", "/b.txt");
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  // Every block is now local: reads and exports use the local store only.
  EXPECT_EQ(ReadText(*v, "b", "/b.txt")->size(), 2u * 1024 * 1024);
  auto r = v->ExportRoot("b", "");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(v->ExportCarToFile(*r, t.path() + "/out.car", false).ok());

  EXPECT_EQ(v->Cp("b", "/ipfs/notacid", "/z").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v->Cp("b", "/ipfs/" + r->ToString() + "/missing", "/z").status().code(),
            StatusCode::kNotFound);
}

TEST(Vfs, CommitHistoryExport) {
  TempDir t;
  auto v = OpenVfs(t.path());
  ASSERT_TRUE(v->CreateBucket("b").ok());
  ASSERT_TRUE(WriteText(*v, "b", "/a", "one").ok());
  EXPECT_TRUE(v->GetBucket("b")->dirty);
  auto c1 = v->Commit("b", "first");
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  EXPECT_TRUE(c1->created);
  EXPECT_EQ(c1->commit.seq, 1u);
  EXPECT_FALSE(c1->commit.parent);
  EXPECT_FALSE(v->GetBucket("b")->dirty);
  auto again = v->Commit("b", "nothing changed");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->commit.seq, 1u);
  ASSERT_TRUE(WriteText(*v, "b", "/b", "two").ok());
  auto c2 = v->Commit("b", "second ✓");
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(c2->commit.seq, 2u);
  EXPECT_EQ(c2->commit.parent, c1->commit.cid);
  auto h = v->History("b");
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].message, "second ✓");  // newest first
  EXPECT_EQ((*h)[1].cid, c1->commit.cid);
  EXPECT_EQ(v->History("b", 1)->size(), 1u);
  EXPECT_EQ(v->Commit("b", std::string(1025, 'm')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v->Commit("b", "\xff").status().code(), StatusCode::kInvalidArgument);

  // Export the current root, and an older commit by CID; nothing else.
  auto r1 = v->ExportRoot("b", c1->commit.cid.ToString());
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(v->ExportRoot("b", "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4")
                .status()
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(v->ExportRoot("b", "junk").status().code(), StatusCode::kInvalidArgument);
  const std::string car_path = t.path() + "/c1.car";
  uint64_t progressed = 0;
  ASSERT_TRUE(v->ExportCarToFile(*r1, car_path, false, [&](uint64_t n) { progressed = n; }).ok());
  EXPECT_GT(progressed, 0u);
  EXPECT_EQ(v->ExportCarToFile(*r1, car_path, false).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(v->ExportCarToFile(*r1, car_path, true).ok());
  auto reader = car::CarReader::Open(car_path);
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ((*reader)->roots().size(), 1u);
  EXPECT_EQ((*reader)->roots()[0], c1->commit.cid);
  car::Block blk;
  int blocks = 0;
  while (true) {
    auto more = (*reader)->Next(&blk);
    ASSERT_TRUE(more.ok());
    if (!*more) break;
    ++blocks;
  }
  EXPECT_EQ(blocks, 2);  // the directory and the one raw leaf "one"
  EXPECT_EQ(v->History("none").status().code(), StatusCode::kNotFound);
}

TEST(Vfs, PinThroughDaemonOrSpool) {
  TempDir t;
  auto v = OpenVfs(t.path());
  ASSERT_TRUE(v->CreateBucket("b").ok());
  EXPECT_EQ(v->Pin("b", "", PinWhenDown::kFail).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(WriteText(*v, "b", "/a", "pin me").ok());
  auto c = v->Commit("b", "");
  ASSERT_TRUE(c.ok());
  // No daemon has written $repo/api: "daemon unavailable".
  auto down = v->Pin("b", "", PinWhenDown::kFail);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(down.status().message().find("daemon unavailable"), std::string::npos)
      << down.status().message();
  auto spooled = v->Pin("b", "", PinWhenDown::kSpool);
  ASSERT_TRUE(spooled.ok()) << spooled.status().ToString();
  EXPECT_TRUE(spooled->spooled);
  EXPECT_EQ(spooled->cid, c->commit.cid);
  auto spool = std::filesystem::directory_iterator(t.path() + "/spool");
  ASSERT_NE(spool, std::filesystem::directory_iterator());
  std::ifstream f(spool->path());
  std::string text((std::istreambuf_iterator<char>(f)), {});
  EXPECT_NE(text.find(c->commit.cid.ToString()), std::string::npos);
  EXPECT_NE(text.find("vfs:b"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(t.path() + "/pins/" + c->commit.cid.ToString()));

  // A daemon that answers.
  VfsOptions o;
  std::string sent;
  o.submit_pin = [&](const std::string& cid, const std::string& name) -> Result<std::string> {
    sent = cid + " " + name;
    return std::string(R"({"requestid":"r1","status":"queued"})");
  };
  auto up = OpenVfs(t.path(), o);
  auto pinned = up->Pin("b", "named", PinWhenDown::kFail);
  ASSERT_TRUE(pinned.ok());
  EXPECT_FALSE(pinned->spooled);
  EXPECT_EQ(pinned->request_id, "r1");
  EXPECT_EQ(pinned->status, "queued");
  EXPECT_EQ(sent, c->commit.cid.ToString() + " named");
}

// ---- persistence, concurrency, crashes

TEST(Vfs, PersistsAcrossReopen) {
  TempDir t;
  Cid root;
  {
    auto v = OpenVfs(t.path());
    ASSERT_TRUE(v->CreateBucket("b").ok());
    ASSERT_TRUE(WriteText(*v, "b", "/kept.txt", "still here").ok());
    ASSERT_TRUE(v->Commit("b", "c").ok());
    ASSERT_TRUE(v->Mkdir("b", "/after", false).ok());
    root = v->GetBucket("b")->root;
  }
  auto v = OpenVfs(t.path());
  auto b = v->GetBucket("b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->root, root);
  EXPECT_TRUE(b->dirty);
  ASSERT_TRUE(b->last_commit);
  EXPECT_EQ(b->last_commit->message, "c");
  EXPECT_EQ(ReadText(*v, "b", "/kept.txt").value(), "still here");
  EXPECT_EQ(v->Stat("b", "/after")->type, EntryType::kDirectory);
}

std::set<std::string> Lines(const std::string& text) {
  std::set<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.insert(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

TEST(Vfs, ConcurrentWritersLoseNothing) {
  TempDir t;
  auto v = OpenVfs(t.path());
  ASSERT_TRUE(v->CreateBucket("b").ok());
  constexpr int kThreads = 4, kEach = 8;
  WriteOptions append;
  append.append = true;
  // A second process appends at the same time through its own Vfs. It is
  // forked before the threads start (a fork copies open descriptors, and a
  // copied lock or socket of a running change would outlive it), then
  // released through a pipe.
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(go[1]);
    char c;
    if (::read(go[0], &c, 1) != 1) ::_exit(2);
    auto cv = Vfs::Open(t.path());
    int bad = cv.ok() ? 0 : 1;
    for (int j = 0; cv.ok() && j < kEach; ++j) {
      std::string line = std::string("p-") + std::to_string(j) + "\n";
      if (!(*cv)->Write("b", "/log", WriteSource::FromBytes(AsBytes(line)), append).ok()) ++bad;
    }
    ::_exit(bad);
  }
  ::close(go[0]);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kEach; ++j) {
        std::string line =
            std::string("t") + std::to_string(i) + std::string("-") + std::to_string(j) + "\n";
        if (!WriteText(*v, "b", "/log", line, append).ok()) ++failures;
        if (!WriteText(*v, "b",
                       std::string("/t") + std::to_string(i) + std::string("/") + std::to_string(j),
                       line,
                       [] {
                         WriteOptions o;
                         o.parents = true;
                         return o;
                       }())
                 .ok()) {
          ++failures;
        }
      }
    });
  }
  ASSERT_EQ(::write(go[1], "g", 1), 1);
  ::close(go[1]);
  for (auto& th : threads) th.join();
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(failures.load(), 0);
  auto log = ReadText(*v, "b", "/log");
  ASSERT_TRUE(log.ok());
  std::set<std::string> lines = Lines(*log);
  EXPECT_EQ(lines.size(), static_cast<size_t>(kThreads * kEach + kEach)) << *log;
  for (int j = 0; j < kEach; ++j) EXPECT_TRUE(lines.count(std::string("p-") + std::to_string(j)));
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(v->Ls("b", std::string("/t") + std::to_string(i))->size(),
              static_cast<size_t>(kEach));
  }
}

TEST(Vfs, KilledWriterLeavesAValidRoot) {
  TempDir t;
  {
    auto v = OpenVfs(t.path());
    ASSERT_TRUE(v->CreateBucket("b").ok());
  }
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    auto cv = Vfs::Open(t.path());
    WriteOptions o;
    o.append = true;
    for (int j = 0; cv.ok(); ++j) {
      std::string line = std::string("line-") + std::to_string(j) + "\n";
      (void)(*cv)->Write("b", "/log", WriteSource::FromBytes(AsBytes(line)), o);
      (void)(*cv)->Write("b", std::string("/f") + std::to_string(j % 7),
                         WriteSource::FromBytes(AsBytes(line)), {});
      if (j % 3 == 0) (void)(*cv)->Commit("b", std::string("c") + std::to_string(j));
      char c = 'x';
      if (::write(fds[1], &c, 1) != 1) break;
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  // Let it run through a number of changes, then kill it mid-flight.
  char c;
  for (int i = 0; i < 12; ++i) ASSERT_EQ(::read(fds[0], &c, 1), 1);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(fds[0]);

  auto v = OpenVfs(t.path());
  auto b = v->GetBucket("b");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto log = ReadText(*v, "b", "/log");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  // Every append that landed is whole and in order.
  size_t n = 0, pos = 0;
  while (pos < log->size()) {
    size_t nl = log->find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    EXPECT_EQ(log->substr(pos, nl - pos), std::string("line-") + std::to_string(n));
    ++n;
    pos = nl + 1;
  }
  EXPECT_GE(n, 12u);
  // The whole tree's blocks are there, and every commit's.
  auto root = v->ExportRoot("b", "");
  ASSERT_TRUE(root.ok());
  ASSERT_TRUE(v->ExportCarToFile(*root, t.path() + "/after-crash.car", false).ok());
  auto h = v->History("b");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_GE(h->size(), 4u);
  for (const auto& commit : *h) {
    ASSERT_TRUE(v->ExportCarToFile(commit.cid, t.path() + "/h.car", true).ok());
  }
  // And the bucket goes on working.
  WriteOptions o;
  o.append = true;
  ASSERT_TRUE(WriteText(*v, "b", "/log", "after\n", o).ok());
}

TEST(Vfs, TornFilesAreHarmless) {
  TempDir t;
  auto v = OpenVfs(t.path());
  ASSERT_TRUE(v->CreateBucket("b").ok());
  ASSERT_TRUE(WriteText(*v, "b", "/a", "1").ok());
  ASSERT_TRUE(v->Commit("b", "one").ok());
  const std::string dir = t.path() + "/vfs/b";
  // A crash mid-append leaves a line without its newline; a crash before a
  // rename leaves a temporary root file.
  {
    std::ofstream h(dir + "/history", std::ios::app);
    h << R"({"seq":2,"cid":"bafy)";
  }
  WriteLocal(dir + "/root.tmp-99999-0", "{garbage");
  auto hist = v->History("b");
  ASSERT_TRUE(hist.ok()) << hist.status().ToString();
  EXPECT_EQ(hist->size(), 1u);
  EXPECT_FALSE(v->GetBucket("b")->dirty);
  ASSERT_TRUE(WriteText(*v, "b", "/a", "2").ok());
  auto c = v->Commit("b", "two");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->commit.seq, 2u);
  EXPECT_EQ(v->History("b")->size(), 2u);
  // A corrupt root file is an error naming the file, not a crash.
  WriteLocal(dir + "/root", "not json");
  auto bad = v->Stat("b", "/");
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find("root"), std::string::npos);
  // Leftovers of a dead process's bucket creation are removed on open.
  std::filesystem::create_directories(t.path() + "/vfs/.tmp-999999-0-x");
  auto v2 = OpenVfs(t.path());
  EXPECT_FALSE(std::filesystem::exists(t.path() + "/vfs/.tmp-999999-0-x"));
}

// ---- identical content, identical CIDs

// Builds the same tree on disk (for the importer) and in a bucket.
TEST(Vfs, RootMatchesAddRecursive) {
  TempDir t;
  const std::string tree = t.path() + "/tree";
  struct File {
    std::string path, data;
  };
  std::vector<File> files = {
      {"/readme.md", "# hello\n"},          {"/empty.txt", ""},
      {"/docs/a.txt", RandomText(1000, 5)}, {"/docs/big.bin", RandomText(2 * 1024 * 1024 + 3, 6)},
      {"/docs/deep/er/x.txt", "x"},         {"/z/\xc3\xa9t\xc3\xa9.txt", "utf-8 name"}};
  auto v = OpenVfs(t.path() + "/repo");
  ASSERT_TRUE(v->CreateBucket("b").ok());
  WriteOptions parents;
  parents.parents = true;
  for (const auto& f : files) {
    std::filesystem::create_directories(std::filesystem::path(tree + f.path).parent_path());
    WriteLocal(tree + f.path, f.data);
    ASSERT_TRUE(WriteText(*v, "b", f.path, f.data, parents).ok()) << f.path;
  }
  std::filesystem::create_directories(tree + "/emptydir");
  ASSERT_TRUE(v->Mkdir("b", "/emptydir", false).ok());

  auto o = Vfs::FileImportOptions();
  o.recursive = true;
  unixfs::Importer importer(nullptr, o);
  ASSERT_TRUE(importer.AddPath(tree).ok());
  auto want = importer.Finish();
  ASSERT_TRUE(want.ok());
  EXPECT_EQ(v->GetBucket("b")->root, *want);

  // The same tree reached by another sequence of changes has the same root.
  ASSERT_TRUE(v->CreateBucket("c").ok());
  ASSERT_TRUE(v->Mkdir("c", "/tmp/stuff", true).ok());
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    ASSERT_TRUE(WriteText(*v, "c", it->path, "placeholder", parents).ok());
    ASSERT_TRUE(WriteText(*v, "c", it->path, it->data).ok());
  }
  ASSERT_TRUE(v->Mkdir("c", "/emptydir", false).ok());
  ASSERT_TRUE(v->Rm("c", "/tmp", true).ok());
  EXPECT_EQ(v->GetBucket("c")->root, *want);
}

// Directories big enough to shard are built as the importer builds them,
// including its rule that sub-directories with content do not count
// towards the estimate. A small threshold keeps the test fast.
TEST(Vfs, ShardedDirectoriesMatchTheImporter) {
  TempDir t;
  const std::string tree = t.path() + "/tree";
  auto o = Vfs::FileImportOptions();
  o.recursive = true;
  o.shard_threshold = 2000;
  auto store = blockstore::NewMemoryBlockstore();
  for (int n : {10, 40, 120}) {
    std::filesystem::remove_all(tree);
    std::filesystem::create_directories(tree + "/sub");
    std::filesystem::create_directories(tree + "/empty");
    WriteLocal(tree + "/sub/inner", "i");
    DirEntries entries;
    for (int i = 0; i < n; ++i) {
      std::string name = std::string("file-") + std::to_string(i);
      WriteLocal(tree + "/" + name, name);
      auto cid = Cid::Sha256(1, multiformats::kCodecRaw, AsBytes(name));
      ASSERT_TRUE(store->Put(cid, AsBytes(name)).ok());
      entries[name] = Link{cid, name.size()};
    }
    auto empty = BuildDirectory({}, o, *store);
    ASSERT_TRUE(empty.ok());
    entries["empty"] = *empty;
    auto inner = Cid::Sha256(1, multiformats::kCodecRaw, AsBytes("i"));
    ASSERT_TRUE(store->Put(inner, AsBytes("i")).ok());
    auto sub = BuildDirectory({{"inner", Link{inner, 1}}}, o, *store);
    ASSERT_TRUE(sub.ok());
    entries["sub"] = *sub;
    auto built = BuildDirectory(entries, o, *store);
    ASSERT_TRUE(built.ok()) << built.status().ToString();

    unixfs::Importer importer(nullptr, o);
    ASSERT_TRUE(importer.AddPath(tree).ok());
    auto want = importer.Finish();
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(built->cid, *want) << n << " entries";
    // Read back (flattened HAMT or flat) to the same entries.
    auto back = ReadDirectory(*store, built->cid);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->size(), entries.size());
  }
}

}  // namespace
}  // namespace ipfs_kit::vfs
