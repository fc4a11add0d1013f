// Names inside the VFS: bucket names and paths within a bucket.
//
// Every operation that takes a bucket or a path from outside (CLI, REST, MCP
// tools) goes through these checks first, so a bad name is refused before
// anything is read or written. Violations are kInvalidArgument with a message
// naming the problem (the REST layer answers them with 400).
//
// Pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ipfs_kit/base/status.h"

namespace ipfs_kit::vfs {

inline constexpr size_t kMaxPathBytes = 4096;      // a whole path as given
inline constexpr size_t kMaxComponentBytes = 255;  // one name between slashes
inline constexpr size_t kMaxBucketNameBytes = 63;

// A normalized absolute path inside a bucket: no empty, "." or ".."
// components. The empty list is the bucket's root "/".
class BucketPath {
 public:
  BucketPath() = default;
  explicit BucketPath(std::vector<std::string> components) : components_(std::move(components)) {}

  const std::vector<std::string>& components() const { return components_; }
  bool IsRoot() const { return components_.empty(); }
  // The last component; "" for the root.
  const std::string& Name() const;
  // The containing directory; the root's parent is the root.
  BucketPath Parent() const;
  BucketPath Child(std::string name) const;
  // True when `this` is `other` or lies below it.
  bool IsWithin(const BucketPath& other) const;
  // "/a/b", or "/" for the root.
  std::string ToString() const;

  bool operator==(const BucketPath&) const = default;

 private:
  std::vector<std::string> components_;
};

// Parses a path such as "/docs/a.txt". Rules:
//  - absolute (starts with '/'), at most kMaxPathBytes bytes, no NUL byte,
//    valid UTF-8;
//  - repeated and trailing slashes are ignored, "." is dropped, ".." goes up
//    one level; a ".." at the root escapes the bucket and is refused;
//  - each component is at most kMaxComponentBytes bytes.
Result<BucketPath> ParsePath(std::string_view text);

// Bucket names: [a-z0-9][a-z0-9._-]{0,62}. They are directory names in the
// repository, so nothing else is allowed (no '/', no leading '.').
Status ValidateBucketName(std::string_view name);

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates).
bool IsValidUtf8(std::string_view s);
// `s` with every ill-formed UTF-8 sequence replaced by U+FFFD, for putting
// names read from a DAG into JSON.
std::string SanitizeUtf8(std::string_view s);

}  // namespace ipfs_kit::vfs
