#include "ipfs_kit/unixfs/hamt.h"

#include <map>
#include <memory>
#include <variant>

#include "ipfs_kit/dagpb/dag_pb.h"

namespace ipfs_kit::unixfs {
namespace {

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t Fmix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}
inline uint64_t Le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

std::pair<uint64_t, uint64_t> Murmur3X64_128(ByteView data) {
  const uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
  uint64_t h1 = 0, h2 = 0;
  const size_t nblocks = data.size() / 16;
  const uint8_t* p = data.data();
  for (size_t i = 0; i < nblocks; ++i) {
    uint64_t k1 = Le64(p + i * 16), k2 = Le64(p + i * 16 + 8);
    k1 *= c1; k1 = Rotl(k1, 31); k1 *= c2; h1 ^= k1;
    h1 = Rotl(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729;
    k2 *= c2; k2 = Rotl(k2, 33); k2 *= c1; h2 ^= k2;
    h2 = Rotl(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5;
  }
  const uint8_t* tail = p + nblocks * 16;
  const size_t rem = data.size() & 15;
  uint64_t k1 = 0, k2 = 0;
  for (size_t i = rem; i > 8; --i) k2 ^= static_cast<uint64_t>(tail[i - 1]) << ((i - 9) * 8);
  if (rem > 8) {
    k2 *= c2; k2 = Rotl(k2, 33); k2 *= c1; h2 ^= k2;
  }
  for (size_t i = std::min<size_t>(rem, 8); i > 0; --i) {
    k1 ^= static_cast<uint64_t>(tail[i - 1]) << ((i - 1) * 8);
  }
  if (rem > 0) {
    k1 *= c1; k1 = Rotl(k1, 31); k1 *= c2; h1 ^= k1;
  }
  h1 ^= data.size();
  h2 ^= data.size();
  h1 += h2;
  h2 += h1;
  h1 = Fmix(h1);
  h2 = Fmix(h2);
  h1 += h2;
  h2 += h1;
  return {h1, h2};
}

Bytes HamtHashKey(ByteView name) {
  uint64_t h1 = Murmur3X64_128(name).first;
  Bytes out(8);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(h1 >> (56 - 8 * i));
  return out;
}

std::string HamtSlotLabel(uint32_t idx) {
  static const char* kHex = "0123456789ABCDEF";
  return {kHex[(idx >> 4) & 15], kHex[idx & 15]};
}

uint32_t HamtIndex(ByteView name, int depth, int bits) {
  // Bits are consumed from the most significant end of the 64-bit hash; when
  // they run out the name is re-hashed with the round number appended (as
  // hamt-sharding's InfiniteHash does).
  int start = depth * bits;
  uint32_t result = 0;
  int need = bits;
  while (need > 0) {
    int round = start / 64;
    int offset = start % 64;
    uint64_t h;
    if (round == 0) {
      h = Murmur3X64_128(name).first;
    } else {
      Bytes v(name.begin(), name.end());
      v.push_back(static_cast<uint8_t>(round));
      h = Murmur3X64_128(v).first;
    }
    int take = std::min(need, 64 - offset);
    uint64_t chunk = (h << offset) >> (64 - take);
    result = (result << take) | static_cast<uint32_t>(chunk);
    need -= take;
    start += take;
  }
  return result;
}

namespace {

struct Bucket;
struct Leaf {
  const HamtEntry* entry;
};
using Slot = std::variant<Leaf, std::unique_ptr<Bucket>>;
struct Bucket {
  std::map<uint32_t, Slot> children;
};

constexpr int kBits = 8;
constexpr int kMaxDepth = 64;  // guards against pathological identical hashes

Status Insert(Bucket& b, const HamtEntry* e, int depth) {
  if (depth >= kMaxDepth) return Status::Internal("HAMT too deep for entry " + e->name);
  uint32_t idx = HamtIndex(AsBytes(e->name), depth, kBits);
  auto it = b.children.find(idx);
  if (it == b.children.end()) {
    b.children.emplace(idx, Leaf{e});
    return Status::Ok();
  }
  if (auto* sub = std::get_if<std::unique_ptr<Bucket>>(&it->second)) {
    return Insert(**sub, e, depth + 1);
  }
  const HamtEntry* existing = std::get<Leaf>(it->second).entry;
  if (existing->name == e->name) return Status::InvalidArgument("duplicate entry " + e->name);
  auto nb = std::make_unique<Bucket>();
  RETURN_IF_ERROR(Insert(*nb, existing, depth + 1));
  RETURN_IF_ERROR(Insert(*nb, e, depth + 1));
  it->second = std::move(nb);
  return Status::Ok();
}

Result<BuiltNode> Flush(const Bucket& b, int cid_version, const UnixfsData* meta,
                        const EmitBlock& emit) {
  dagpb::PbNode node;
  uint64_t children_size = 0;
  Bytes bitfield(kDefaultHamtFanout / 8, 0);  // big-endian: bit i in byte (31 - i/8)
  for (const auto& [idx, slot] : b.children) {
    bitfield[bitfield.size() - 1 - idx / 8] |= static_cast<uint8_t>(1u << (idx % 8));
    if (const auto* leaf = std::get_if<Leaf>(&slot)) {
      node.links.push_back({leaf->entry->cid, HamtSlotLabel(idx) + leaf->entry->name, leaf->entry->tsize});
      children_size += leaf->entry->tsize;
    } else {
      ASSIGN_OR_RETURN(BuiltNode sub,
                       Flush(*std::get<std::unique_ptr<Bucket>>(slot), cid_version, nullptr, emit));
      node.links.push_back({sub.cid, HamtSlotLabel(idx), sub.tsize});
      children_size += sub.tsize;
    }
  }
  // Minimal big-endian bytes, as go-bitfield's Bytes() and the JS importer.
  size_t first = 0;
  while (first < bitfield.size() && bitfield[first] == 0) ++first;
  UnixfsData d;
  d.type = DataType::kHamtShard;
  d.data = Bytes(bitfield.begin() + first, bitfield.end());
  d.hash_type = kHamtHashMurmur3;
  d.fanout = kDefaultHamtFanout;
  if (meta) {
    d.mode = meta->mode;
    d.mtime = meta->mtime;
  }
  node.data = d.Encode();
  Bytes block = dagpb::Encode(node);
  auto cid = multiformats::Cid::Sha256(cid_version, multiformats::kCodecDagPb, block);
  RETURN_IF_ERROR(emit(cid, block));
  return BuiltNode{cid, block.size() + children_size};
}

}  // namespace

Result<BuiltNode> BuildHamt(const std::vector<HamtEntry>& entries, int cid_version,
                            const UnixfsData* root_meta, const EmitBlock& emit) {
  Bucket root;
  for (const auto& e : entries) RETURN_IF_ERROR(Insert(root, &e, 0));
  return Flush(root, cid_version, root_meta, emit);
}

}  // namespace ipfs_kit::unixfs
