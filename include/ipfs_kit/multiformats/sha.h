// SHA-2 through OpenSSL's EVP interface (uses SHA-NI where the CPU has it).
#pragma once

#include <array>
#include <memory>

#include "ipfs_kit/base/bytes.h"

namespace ipfs_kit::multiformats {

using Sha256Digest = std::array<uint8_t, 32>;
using Sha512Digest = std::array<uint8_t, 64>;

Sha256Digest Sha256(ByteView data);
Sha512Digest Sha512(ByteView data);

// Incremental SHA-256. Not thread-safe; one per thread.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(ByteView data);
  Sha256Digest Finish();  // also resets for reuse

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ipfs_kit::multiformats
