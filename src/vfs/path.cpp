#include "ipfs_kit/vfs/path.h"

#include <cstdint>

namespace ipfs_kit::vfs {
namespace {

// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is not one
// (Unicode 15, table 3-7: no overlong forms, no surrogates, <= U+10FFFF).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto at = [&](size_t k) -> int { return i + k < s.size() ? static_cast<uint8_t>(s[i + k]) : -1; };
  auto cont = [&](size_t k, int lo, int hi) {
    int c = at(k);
    return c >= lo && c <= hi;
  };
  int c = at(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1, 0x80, 0xBF) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
  }
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) {
    return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  }
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

// Shows a name in an error message without flooding it.
std::string Shown(std::string_view s) {
  std::string out = SanitizeUtf8(s.substr(0, 64));
  if (s.size() > 64) out += "...";
  return out;
}

}  // namespace

const std::string& BucketPath::Name() const {
  static const std::string kEmpty;
  return components_.empty() ? kEmpty : components_.back();
}

BucketPath BucketPath::Parent() const {
  if (components_.empty()) return *this;
  return BucketPath(std::vector<std::string>(components_.begin(), components_.end() - 1));
}

BucketPath BucketPath::Child(std::string name) const {
  std::vector<std::string> c = components_;
  c.push_back(std::move(name));
  return BucketPath(std::move(c));
}

bool BucketPath::IsWithin(const BucketPath& other) const {
  if (other.components_.size() > components_.size()) return false;
  for (size_t i = 0; i < other.components_.size(); ++i) {
    if (components_[i] != other.components_[i]) return false;
  }
  return true;
}

std::string BucketPath::ToString() const {
  if (components_.empty()) return "/";
  std::string out;
  for (const auto& c : components_) out += "/" + c;
  return out;
}

Result<BucketPath> ParsePath(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("empty path (paths start with '/')");
  if (text.size() > kMaxPathBytes) {
    return Status::InvalidArgument("path longer than " + std::to_string(kMaxPathBytes) +
                                   " bytes (" + std::to_string(text.size()) + ")");
  }
  if (text.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("path contains a NUL byte");
  }
  if (text.front() != '/') {
    return Status::InvalidArgument("path \"" + Shown(text) +
                                   "\" is not absolute (start it with '/')");
  }
  if (!IsValidUtf8(text)) return Status::InvalidArgument("path is not valid UTF-8");
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t slash = text.find('/', pos);
    if (slash == std::string_view::npos) slash = text.size();
    std::string_view c = text.substr(pos, slash - pos);
    pos = slash + 1;
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (out.empty()) {
        return Status::InvalidArgument("path \"" + Shown(text) +
                                       "\" escapes the bucket root with \"..\"");
      }
      out.pop_back();
      continue;
    }
    if (c.size() > kMaxComponentBytes) {
      return Status::InvalidArgument("path component \"" + Shown(c) + "\" is longer than " +
                                     std::to_string(kMaxComponentBytes) + " bytes");
    }
    out.emplace_back(c);
  }
  return BucketPath(std::move(out));
}

Status ValidateBucketName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("empty bucket name");
  if (name.size() > kMaxBucketNameBytes) {
    return Status::InvalidArgument("bucket name longer than " +
                                   std::to_string(kMaxBucketNameBytes) + " bytes");
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name[0])) {
    return Status::InvalidArgument("bucket name \"" + Shown(name) +
                                   "\" must start with a lower-case letter or a digit");
  }
  for (char c : name) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-') {
      return Status::InvalidArgument("bucket name \"" + Shown(name) +
                                     "\" may only hold a-z, 0-9, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace ipfs_kit::vfs
