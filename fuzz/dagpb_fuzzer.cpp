// Fuzzes the dag-pb decoder (and the UnixFS Data decoder when built with it).
//
// dag-pb decoding is strict, so anything it accepts must be in canonical form:
// re-encoding the decoded node must give back the input bytes exactly.
#include <cstdint>
#include <cstdlib>

#include "ipfs_kit/dagpb/dag_pb.h"
#if defined(IPFS_KIT_FUZZ_UNIXFS)
#include "ipfs_kit/unixfs/unixfs_data.h"
#endif

using ipfs_kit::ByteView;

namespace {

void FuzzUnixfs(ByteView bytes) {
#if defined(IPFS_KIT_FUZZ_UNIXFS)
  auto d = ipfs_kit::unixfs::UnixfsData::Decode(bytes);
  if (d.ok()) {
    // Encode is canonical, so its output must decode again.
    ipfs_kit::Bytes enc = d->Encode();
    if (!ipfs_kit::unixfs::UnixfsData::Decode(enc).ok()) std::abort();
  }
#else
  (void)bytes;
#endif
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView bytes(data, size);
  auto node = ipfs_kit::dagpb::Decode(bytes);
  if (node.ok()) {
    ipfs_kit::Bytes enc = ipfs_kit::dagpb::Encode(*node);
    if (enc != ipfs_kit::Bytes(bytes.begin(), bytes.end())) std::abort();
    size_t links_size = 0;
    for (const auto& link : node->links) links_size += ipfs_kit::dagpb::EncodedLinkSize(link);
    if (links_size > size) std::abort();
    if (node->data) FuzzUnixfs(*node->data);
  }
  FuzzUnixfs(bytes);
  return 0;
}
