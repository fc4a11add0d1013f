#include "ipfs_kit/dagpb/dag_pb.h"

#include <algorithm>
#include <string>

#include "ipfs_kit/dagpb/proto_wire.h"

namespace ipfs_kit::dagpb {
namespace {

size_t LinkBodySize(const PbLink& link) {
  size_t n = 0;
  size_t h = link.hash.ByteLength();
  n += 1 + VarintSize(h) + h;
  if (link.name) n += 1 + VarintSize(link.name->size()) + link.name->size();
  if (link.tsize) n += 1 + VarintSize(*link.tsize);
  return n;
}

Result<PbLink> DecodeLink(ByteView bytes) {
  ProtoReader r(bytes);
  PbLink link;
  bool have_hash = false;
  uint32_t last_field = 0;
  while (!r.done()) {
    uint32_t field;
    WireType type;
    RETURN_IF_ERROR(r.Tag(&field, &type));
    // Fields must appear once each, in increasing order (canonical form).
    if (field <= last_field) {
      return Status::Corruption("dag-pb link: field " + std::to_string(field) +
                                " out of order or repeated");
    }
    last_field = field;
    if (field == 1) {
      if (type != kLengthDelimited) return Status::Corruption("dag-pb link: Hash has wrong wire type");
      ASSIGN_OR_RETURN(ByteView h, r.LengthDelimited());
      auto cid = multiformats::Cid::FromBytes(h);
      if (!cid.ok()) return cid.status().WithContext("dag-pb link Hash");
      link.hash = std::move(cid).value();
      have_hash = true;
    } else if (field == 2) {
      if (type != kLengthDelimited) return Status::Corruption("dag-pb link: Name has wrong wire type");
      ASSIGN_OR_RETURN(ByteView n, r.LengthDelimited());
      link.name = std::string(AsString(n));
    } else if (field == 3) {
      if (type != kVarint) return Status::Corruption("dag-pb link: Tsize has wrong wire type");
      ASSIGN_OR_RETURN(uint64_t t, r.Varint());
      link.tsize = t;
    } else {
      return Status::Corruption("dag-pb link: unknown field " + std::to_string(field));
    }
  }
  if (!have_hash) return Status::Corruption("dag-pb link without Hash");
  return link;
}

}  // namespace

size_t EncodedLinkSize(const PbLink& link) {
  size_t body = LinkBodySize(link);
  return 1 + VarintSize(body) + body;
}

void AppendLink(Bytes& out, const PbLink& link) {
  PutTag(out, 2, kLengthDelimited);
  PutVarint(out, LinkBodySize(link));
  PutTag(out, 1, kLengthDelimited);
  PutVarint(out, link.hash.ByteLength());
  link.hash.AppendTo(out);
  if (link.name) PutBytesField(out, 2, AsBytes(*link.name));
  if (link.tsize) {
    PutTag(out, 3, kVarint);
    PutVarint(out, *link.tsize);
  }
}

Bytes Encode(const PbNode& node) {
  Bytes out;
  size_t total = node.data ? node.data->size() + 12 : 0;
  for (const auto& l : node.links) total += EncodedLinkSize(l);
  out.reserve(total);
  for (const auto& l : node.links) AppendLink(out, l);
  if (node.data) PutBytesField(out, 1, *node.data);
  return out;
}

Result<PbNode> Decode(ByteView bytes) {
  ASSIGN_OR_RETURN(PbNodeView v, DecodeView(bytes));
  PbNode node;
  node.links = std::move(v.links);
  if (v.data) node.data = Bytes(v.data->begin(), v.data->end());
  return node;
}

Result<PbNodeView> DecodeView(ByteView bytes) {
  ProtoReader r(bytes);
  PbNodeView node;
  bool seen_data = false;
  while (!r.done()) {
    uint32_t field;
    WireType type;
    RETURN_IF_ERROR(r.Tag(&field, &type));
    if (type != kLengthDelimited) {
      return Status::Corruption("dag-pb: field " + std::to_string(field) + " has wrong wire type");
    }
    if (field == 2) {
      // Links are field 2 but must be written before Data (field 1).
      if (seen_data) return Status::Corruption("dag-pb: link after Data");
      ASSIGN_OR_RETURN(ByteView lb, r.LengthDelimited());
      auto link = DecodeLink(lb);
      if (!link.ok()) return link.status();
      node.links.push_back(std::move(link).value());
    } else if (field == 1) {
      if (seen_data) return Status::Corruption("dag-pb: duplicate Data field");
      ASSIGN_OR_RETURN(ByteView d, r.LengthDelimited());
      node.data = d;
      seen_data = true;
    } else {
      return Status::Corruption("dag-pb: unknown field " + std::to_string(field));
    }
  }
  return node;
}

void SortLinks(std::vector<PbLink>& links) {
  std::stable_sort(links.begin(), links.end(), [](const PbLink& a, const PbLink& b) {
    std::string_view an = a.name ? std::string_view(*a.name) : std::string_view();
    std::string_view bn = b.name ? std::string_view(*b.name) : std::string_view();
    // Compare as unsigned bytes (UTF-8 byte order).
    return std::lexicographical_compare(
        an.begin(), an.end(), bn.begin(), bn.end(),
        [](char x, char y) { return static_cast<uint8_t>(x) < static_cast<uint8_t>(y); });
  });
}

}  // namespace ipfs_kit::dagpb
