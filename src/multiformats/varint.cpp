#include "ipfs_kit/multiformats/varint.h"

#include <string>

namespace ipfs_kit::multiformats {

void AppendUvarint(Bytes& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<uint8_t>(value) | 0x80);
    value >>= 7;
  }
  out.push_back(static_cast<uint8_t>(value));
}

size_t UvarintSize(uint64_t value) {
  size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

Result<uint64_t> ReadUvarint(ByteView in, size_t* consumed) {
  uint64_t value = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (i >= kMaxVarintBytes) {
      return Status::InvalidArgument("varint longer than 9 bytes");
    }
    uint8_t b = in[i];
    value |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      // A final zero group after the first byte means a shorter encoding
      // existed; the spec requires the minimal one.
      if (b == 0 && i > 0) return Status::InvalidArgument("varint not minimally encoded");
      *consumed = i + 1;
      return value;
    }
  }
  return Status::InvalidArgument(in.empty() ? "varint missing (no bytes)" : "varint truncated");
}

}  // namespace ipfs_kit::multiformats
