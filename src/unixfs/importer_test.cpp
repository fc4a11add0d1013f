#include "ipfs_kit/unixfs/importer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <random>

#include "ipfs_kit/unixfs/exporter.h"

namespace ipfs_kit::unixfs {
namespace {

// A pipe-backed fd with `data` written by a thread.
Result<FileResult> ImportBytes(const Bytes& data, const ImportOptions& o,
                               blockstore::Blockstore* store) {
  char path[] = "/tmp/ipfs-kit-test-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  unlink(path);
  EXPECT_EQ(write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  lseek(fd, 0, SEEK_SET);
  auto r = ImportFile(fd, o, store);
  close(fd);
  return r;
}

TEST(Importer, KuboVectors) {
  ImportOptions o;
  auto r = ImportBytes({}, o, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->cid.ToString(), "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
  std::string hw = "hello world\n";
  r = ImportBytes(Bytes(hw.begin(), hw.end()), o, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->cid.ToString(), "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
  std::string hello = "Hello Worlds!\n";
  o.layout = Layout::kTrickle;
  r = ImportBytes(Bytes(hello.begin(), hello.end()), o, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->cid.ToString(), "QmUkUQgxXeggyaD5Ckv8ZqfW8wHBX6cYyeiyqvVZYzq5Bi");
  o = ImportOptions{};
  o.chunk_size = 64;
  r = ImportBytes(Bytes(hello.begin(), hello.end()), o, nullptr);
  EXPECT_EQ(r->cid.ToString(), "QmVr26fY1tKyspEJBniVhqxQeEjhF78XerGiqWAwraVLQH");
}

TEST(Importer, RoundTripThroughExporter) {
  auto store = blockstore::NewMemoryBlockstore();
  std::mt19937 rng(7);
  Bytes data(1000 * 37 + 5);
  for (auto& b : data) b = rng();
  for (auto layout : {Layout::kBalanced, Layout::kTrickle}) {
    for (bool raw : {false, true}) {
      ImportOptions o;
      o.chunk_size = 37;
      o.max_links = 5;  // deep trees from little data
      o.layout = layout;
      o.raw_leaves = raw;
      auto r = ImportBytes(data, o, store.get());
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->content, data.size());
      Exporter ex(*store);
      Bytes out;
      ASSERT_TRUE(ex.Cat(r->cid, 0, std::nullopt, [&](ByteView b) {
                        Append(out, b);
                        return Status::Ok();
                      }).ok());
      EXPECT_EQ(out, data);
      for (uint64_t off : {0ull, 1ull, 36ull, 37ull, 500ull, 36999ull}) {
        Bytes part;
        ASSERT_TRUE(ex.Cat(r->cid, off, 100, [&](ByteView b) {
                          Append(part, b);
                          return Status::Ok();
                        }).ok());
        Bytes want(data.begin() + off, data.begin() + std::min<size_t>(off + 100, data.size()));
        EXPECT_EQ(part, want) << "offset " << off;
      }
    }
  }
}

}  // namespace
}  // namespace ipfs_kit::unixfs
