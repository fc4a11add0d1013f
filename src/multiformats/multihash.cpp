#include "ipfs_kit/multiformats/multihash.h"

#include <algorithm>
#include <string>

#include "ipfs_kit/multiformats/sha.h"
#include "ipfs_kit/multiformats/varint.h"

namespace ipfs_kit::multiformats {

Bytes Multihash::ToBytes() const {
  Bytes out;
  AppendTo(out);
  return out;
}

void Multihash::AppendTo(Bytes& out) const {
  AppendUvarint(out, code);
  AppendUvarint(out, digest.size());
  Append(out, digest);
}

Result<Multihash> Multihash::Parse(ByteView in, size_t* consumed) {
  size_t n1 = 0, n2 = 0;
  auto code = ReadUvarint(in, &n1);
  if (!code.ok()) return code.status().WithContext("multihash code");
  auto len = ReadUvarint(in.subspan(n1), &n2);
  if (!len.ok()) return len.status().WithContext("multihash length");
  size_t header = n1 + n2;
  if (*len > in.size() - header) {
    return Status::InvalidArgument("multihash truncated: digest of " + std::to_string(*len) +
                                   " bytes, " + std::to_string(in.size() - header) + " present");
  }
  // Known functions have fixed digest lengths; a different one is malformed.
  if (*code == kSha2_256 && *len != 32) {
    return Status::InvalidArgument("sha2-256 multihash with digest length " + std::to_string(*len));
  }
  if (*code == kSha2_512 && *len != 64) {
    return Status::InvalidArgument("sha2-512 multihash with digest length " + std::to_string(*len));
  }
  if (*code == kIdentity && *len > kMaxIdentityDigest) {
    return Status::InvalidArgument("identity multihash longer than " +
                                   std::to_string(kMaxIdentityDigest) + " bytes");
  }
  Multihash mh;
  mh.code = *code;
  mh.digest.assign(in.begin() + header, in.begin() + header + *len);
  *consumed = header + *len;
  return mh;
}

Result<Multihash> Multihash::FromBytes(ByteView in) {
  size_t n = 0;
  ASSIGN_OR_RETURN(Multihash mh, Parse(in, &n));
  if (n != in.size()) return Status::InvalidArgument("trailing bytes after multihash");
  return mh;
}

Result<Multihash> ComputeMultihash(uint64_t code, ByteView data) {
  Multihash mh;
  mh.code = code;
  switch (code) {
    case kSha2_256: {
      auto d = Sha256(data);
      mh.digest.assign(d.begin(), d.end());
      return mh;
    }
    case kSha2_512: {
      auto d = Sha512(data);
      mh.digest.assign(d.begin(), d.end());
      return mh;
    }
    case kIdentity:
      if (data.size() > kMaxIdentityDigest) {
        return Status::InvalidArgument("data too long for an identity multihash");
      }
      mh.digest.assign(data.begin(), data.end());
      return mh;
  }
  return Status::Unsupported("unsupported multihash function code " + std::to_string(code));
}

Result<bool> VerifyMultihash(const Multihash& mh, ByteView data) {
  switch (mh.code) {
    case kSha2_256: {
      auto d = Sha256(data);
      return mh.digest.size() == d.size() && std::equal(d.begin(), d.end(), mh.digest.begin());
    }
    case kSha2_512: {
      auto d = Sha512(data);
      return mh.digest.size() == d.size() && std::equal(d.begin(), d.end(), mh.digest.begin());
    }
    case kIdentity:
      return mh.digest.size() == data.size() &&
             std::equal(data.begin(), data.end(), mh.digest.begin());
  }
  return Status::Unsupported("cannot verify multihash function code " + std::to_string(mh.code));
}

std::string_view MultihashName(uint64_t code) {
  switch (code) {
    case kIdentity: return "identity";
    case kSha2_256: return "sha2-256";
    case kSha2_512: return "sha2-512";
  }
  return "";
}

Result<uint64_t> MultihashCodeFromName(std::string_view name) {
  if (name == "sha2-256") return kSha2_256;
  if (name == "sha2-512") return kSha2_512;
  if (name == "identity") return kIdentity;
  return Status::InvalidArgument("unknown multihash function: " + std::string(name));
}

}  // namespace ipfs_kit::multiformats
