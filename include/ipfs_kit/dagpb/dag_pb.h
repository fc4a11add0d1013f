// dag-pb codec (https://ipld.io/specs/codecs/dag-pb/spec/).
//
// Encoding is canonical: links first (field 2), then data (field 1); within a
// link Hash (1), Name (2), Tsize (3). Links are written in the order given;
// callers that need the canonical order sort by name bytes (SortLinks).
// Decoding is strict: fields out of order, unknown fields, wrong wire types,
// duplicate fields, non-minimal varints, or trailing bytes are errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::dagpb {

struct PbLink {
  multiformats::Cid hash;
  std::optional<std::string> name;  // present-but-empty is distinct from absent
  std::optional<uint64_t> tsize;
  bool operator==(const PbLink&) const = default;
};

struct PbNode {
  std::vector<PbLink> links;
  std::optional<Bytes> data;
  bool operator==(const PbNode&) const = default;
};

Bytes Encode(const PbNode& node);
// Appends the encoding of one link (tag + length + body) to `out`.
void AppendLink(Bytes& out, const PbLink& link);
// Encoded size of one link including its tag and length prefix.
size_t EncodedLinkSize(const PbLink& link);

Result<PbNode> Decode(ByteView bytes);

// Same decoding, without copying Data: `data` points into `bytes`, which
// must outlive the view.
struct PbNodeView {
  std::vector<PbLink> links;
  std::optional<ByteView> data;
};
Result<PbNodeView> DecodeView(ByteView bytes);

// Stable sort by name bytes (absent names sort as empty), as the spec requires.
void SortLinks(std::vector<PbLink>& links);

}  // namespace ipfs_kit::dagpb
