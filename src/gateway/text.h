// Internal: small text helpers shared by the request parser and the header
// functions.
#pragma once

#include <string_view>

namespace ipfs_kit::gateway {

// Without leading and trailing spaces and tabs (HTTP optional whitespace).
inline std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace ipfs_kit::gateway
