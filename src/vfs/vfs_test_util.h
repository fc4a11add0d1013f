// Helpers shared by the VFS tests: a scratch repository and short-hands.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "ipfs_kit/vfs/vfs.h"

namespace ipfs_kit::vfs::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ipfs-kit-vfs-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::unique_ptr<Vfs> OpenVfs(const std::string& repo, VfsOptions o = {}) {
  auto v = Vfs::Open(repo, std::move(o));
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? std::move(v).value() : nullptr;
}

inline Status WriteText(Vfs& v, const std::string& bucket, const std::string& path,
                        const std::string& text, WriteOptions o = {}) {
  return v.Write(bucket, path, WriteSource::FromBytes(AsBytes(text)), o).status();
}

inline Result<std::string> ReadText(Vfs& v, const std::string& bucket, const std::string& path,
                                    uint64_t offset = 0, std::optional<uint64_t> length = {}) {
  std::string out;
  Status s = v.Read(bucket, path, offset, length, [&](ByteView b) {
    out.append(AsString(b));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace ipfs_kit::vfs::testing
