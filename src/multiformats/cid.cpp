#include "ipfs_kit/multiformats/cid.h"

#include <string>

#include "ipfs_kit/multiformats/sha.h"
#include "ipfs_kit/multiformats/varint.h"

namespace ipfs_kit::multiformats {

std::string_view CodecName(uint64_t codec) {
  switch (codec) {
    case kCodecRaw: return "raw";
    case kCodecDagPb: return "dag-pb";
    case kCodecDagCbor: return "dag-cbor";
    case kCodecDagJson: return "dag-json";
    case kCodecLibp2pKey: return "libp2p-key";
  }
  return "";
}

Result<uint64_t> CodecFromName(std::string_view name) {
  for (uint64_t c : {kCodecRaw, kCodecDagPb, kCodecDagCbor, kCodecDagJson, kCodecLibp2pKey}) {
    if (CodecName(c) == name) return c;
  }
  return Status::InvalidArgument("unknown codec: " + std::string(name));
}

Cid Cid::Sha256(int version, uint64_t codec, ByteView data) {
  auto d = multiformats::Sha256(data);
  return Cid(version, codec, Multihash{kSha2_256, Bytes(d.begin(), d.end())});
}

namespace {

bool IsV0Multihash(const Multihash& mh) { return mh.code == kSha2_256 && mh.digest.size() == 32; }

}  // namespace

Result<Cid> Cid::ReadPrefix(ByteView in, size_t* consumed) {
  // CIDv0 in binary is a bare sha2-256 multihash: 0x12 0x20 + 32 bytes.
  if (in.size() >= 2 && in[0] == 0x12 && in[1] == 0x20) {
    size_t n = 0;
    ASSIGN_OR_RETURN(Multihash mh, Multihash::Parse(in, &n));
    *consumed = n;
    return Cid(0, kCodecDagPb, std::move(mh));
  }
  size_t n1 = 0, n2 = 0, n3 = 0;
  auto version = ReadUvarint(in, &n1);
  if (!version.ok()) return version.status().WithContext("CID version");
  if (*version != 1) {
    return Status::InvalidArgument("unsupported CID version " + std::to_string(*version));
  }
  auto codec = ReadUvarint(in.subspan(n1), &n2);
  if (!codec.ok()) return codec.status().WithContext("CID codec");
  auto mh = Multihash::Parse(in.subspan(n1 + n2), &n3);
  if (!mh.ok()) return mh.status().WithContext("CID multihash");
  *consumed = n1 + n2 + n3;
  return Cid(1, *codec, std::move(mh).value());
}

Result<Cid> Cid::FromBytes(ByteView bytes) {
  size_t n = 0;
  ASSIGN_OR_RETURN(Cid cid, ReadPrefix(bytes, &n));
  if (n != bytes.size()) {
    return Status::InvalidArgument("trailing bytes after CID (" +
                                   std::to_string(bytes.size() - n) + ")");
  }
  return cid;
}

Result<Cid> Cid::Parse(std::string_view text) {
  auto fail = [&](const Status& st) {
    std::string shown(text.substr(0, 120));
    if (text.size() > 120) shown += "...";
    return Status::InvalidArgument("invalid CID \"" + shown + "\": " + st.message());
  };
  if (text.empty()) return Status::InvalidArgument("invalid CID: empty string");
  if (text.size() == 46 && text[0] == 'Q' && text[1] == 'm') {
    auto bytes = DecodeBase(Multibase::kBase58Btc, text);
    if (!bytes.ok()) return fail(bytes.status());
    auto mh = Multihash::FromBytes(*bytes);
    if (!mh.ok()) return fail(mh.status());
    if (!IsV0Multihash(*mh)) return fail(Status::InvalidArgument("not a sha2-256 multihash"));
    return Cid(0, kCodecDagPb, std::move(mh).value());
  }
  auto bytes = MultibaseDecode(text);
  if (!bytes.ok()) return fail(bytes.status());
  // A multibase-encoded CIDv0 (bare multihash) is not a valid CID string.
  if (bytes->size() >= 2 && (*bytes)[0] == 0x12 && (*bytes)[1] == 0x20) {
    return fail(Status::InvalidArgument("CIDv0 must be written in base58btc without a prefix"));
  }
  auto cid = FromBytes(*bytes);
  if (!cid.ok()) return fail(cid.status());
  return cid;
}

void Cid::AppendTo(Bytes& out) const {
  if (version_ == 0) {
    hash_.AppendTo(out);
    return;
  }
  AppendUvarint(out, 1);
  AppendUvarint(out, codec_);
  hash_.AppendTo(out);
}

Bytes Cid::ToBytes() const {
  Bytes out;
  out.reserve(40);
  AppendTo(out);
  return out;
}

size_t Cid::ByteLength() const {
  size_t mh = UvarintSize(hash_.code) + UvarintSize(hash_.digest.size()) + hash_.digest.size();
  if (version_ == 0) return mh;
  return 1 + UvarintSize(codec_) + mh;
}

std::string Cid::ToString() const {
  if (version_ == 0) return EncodeBase(Multibase::kBase58Btc, ToBytes());
  return MultibaseEncode(Multibase::kBase32, ToBytes());
}

std::string Cid::ToString(Multibase base) const {
  if (version_ == 0) {
    if (base == Multibase::kBase58Btc) return ToString();
    return ToV1().ToString(base);
  }
  return MultibaseEncode(base, ToBytes());
}

Result<Cid> Cid::ToV0() const {
  if (codec_ != kCodecDagPb) {
    return Status::InvalidArgument("CIDv0 is only for dag-pb; this CID is " +
                                   std::string(CodecName(codec_).empty()
                                                   ? "codec " + std::to_string(codec_)
                                                   : std::string(CodecName(codec_))));
  }
  if (!IsV0Multihash(hash_)) {
    return Status::InvalidArgument("CIDv0 requires a sha2-256 multihash");
  }
  return Cid(0, kCodecDagPb, hash_);
}

}  // namespace ipfs_kit::multiformats

size_t std::hash<ipfs_kit::multiformats::Cid>::operator()(
    const ipfs_kit::multiformats::Cid& c) const noexcept {
  size_t h = c.codec() * 1000003u ^ c.hash().code;
  const auto& d = c.hash().digest;
  for (size_t i = 0; i < d.size() && i < 16; ++i) h = h * 131 + d[i];
  return h;
}
