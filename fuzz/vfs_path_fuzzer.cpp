// Fuzzes the VFS's checks of outside names: bucket paths (ParsePath),
// bucket names, REST paths (ParseVfsApiPath), UTF-8 sanitizing, and the
// parser of history lines read back from disk. Each must answer OK or a
// clear error, never crash or hang; what is accepted must be well-formed.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "../src/vfs/bucket_files.h"
#include "ipfs_kit/vfs/path.h"
#include "ipfs_kit/vfs/vfs_api.h"

namespace v = ipfs_kit::vfs;

namespace {

void CheckPath(std::string_view in) {
  auto p = v::ParsePath(in);
  if (!p.ok()) {
    if (p.status().message().empty()) std::abort();
    return;
  }
  for (const auto& c : p->components()) {
    if (c.empty() || c == "." || c == ".." || c.size() > v::kMaxComponentBytes ||
        c.find('/') != std::string::npos || c.find('\0') != std::string::npos) {
      std::abort();
    }
  }
  const std::string text = p->ToString();
  if (text.size() > in.size() || !v::IsValidUtf8(text)) std::abort();
  auto again = v::ParsePath(text);
  if (!again.ok() || !(*again == *p)) std::abort();
}

void CheckBucketName(std::string_view in) {
  if (!v::ValidateBucketName(in).ok()) return;
  if (in.empty() || in.size() > v::kMaxBucketNameBytes || in[0] == '.' || in[0] == '-' ||
      in[0] == '_') {
    std::abort();
  }
  for (char c : in) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) std::abort();
  }
}

void CheckRoute(std::string_view in) {
  auto r = v::ParseVfsApiPath(in);
  if (!r.ok()) return;
  using K = v::VfsApiRoute::Kind;
  if ((r->kind == K::kBucket || r->kind == K::kOperation) &&
      !v::ValidateBucketName(r->bucket).ok()) {
    std::abort();
  }
  if (r->kind == K::kOperation && r->operation.empty()) std::abort();
}

void CheckHistoryLine(std::string_view in) {
  auto c = v::BucketFiles::DecodeCommit(in);
  if (!c.ok()) return;
  std::string line = v::BucketFiles::EncodeCommit(*c);
  line.pop_back();  // the newline
  auto again = v::BucketFiles::DecodeCommit(line);
  if (!again.ok() || again->seq != c->seq || again->cid != c->cid || again->parent != c->parent ||
      again->time_ms != c->time_ms) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  CheckPath(in);
  CheckBucketName(in);
  CheckRoute(in);
  if (!v::IsValidUtf8(v::SanitizeUtf8(in))) std::abort();
  CheckHistoryLine(in);
  return 0;
}
