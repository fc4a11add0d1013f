// Fuzzes the CID and multibase parsers with both text and binary input.
//
// Invariants checked (abort on violation, so libFuzzer reports a crash):
// - a CID parsed from bytes re-encodes to exactly those bytes (the binary
//   form is canonical: minimal varints, no trailing data);
// - a CID parsed from text prints to text that parses back to the same CID.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ipfs_kit/multiformats/cid.h"
#include "ipfs_kit/multiformats/multibase.h"
#include "ipfs_kit/multiformats/multihash.h"
#include "ipfs_kit/multiformats/varint.h"

using ipfs_kit::ByteView;
using ipfs_kit::multiformats::Cid;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView bytes(data, size);
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto from_text = Cid::Parse(text);
  if (from_text.ok()) {
    auto again = Cid::Parse(from_text->ToString());
    if (!again.ok() || !(*again == *from_text)) std::abort();
  }

  auto from_bytes = Cid::FromBytes(bytes);
  if (from_bytes.ok()) {
    if (from_bytes->ToBytes() != ipfs_kit::Bytes(bytes.begin(), bytes.end())) std::abort();
    if (from_bytes->ByteLength() != size) std::abort();
  }

  size_t consumed = 0;
  auto prefix = Cid::ReadPrefix(bytes, &consumed);
  if (prefix.ok() && (consumed == 0 || consumed > size)) std::abort();

  ipfs_kit::multiformats::Multibase base;
  auto decoded = ipfs_kit::multiformats::MultibaseDecode(text, &base);
  (void)decoded;

  auto mh = ipfs_kit::multiformats::Multihash::Parse(bytes, &consumed);
  if (mh.ok() && consumed > size) std::abort();

  auto v = ipfs_kit::multiformats::ReadUvarint(bytes, &consumed);
  if (v.ok()) {
    ipfs_kit::Bytes enc;
    ipfs_kit::multiformats::AppendUvarint(enc, *v);
    if (enc.size() != consumed || !std::equal(enc.begin(), enc.end(), data)) std::abort();
  }
  return 0;
}
