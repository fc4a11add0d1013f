// CAR v1 header: encode (EncodeHeaderV1) and a strict minimal dag-cbor decode.
//
// A general CBOR library would be overkill: the header is a two-key map whose
// bytes must match what go-car and @ipld/car write, and the decoder only has
// to recognise that shape (or the CARv2 pragma {"version": 2}).
#include "car_header.h"

#include <string>
#include <string_view>

#include "ipfs_kit/car/car.h"
#include "ipfs_kit/multiformats/varint.h"

namespace ipfs_kit::car {

namespace {

enum CborMajor : uint8_t {
  kUnsigned = 0,
  kByteString = 2,
  kTextString = 3,
  kArray = 4,
  kMap = 5,
  kTag = 6,
};

constexpr uint64_t kCidTag = 42;

// Appends a CBOR head with the shortest argument encoding (dag-cbor rule).
void AppendHead(Bytes& out, uint8_t major, uint64_t arg) {
  uint8_t m = static_cast<uint8_t>(major << 5);
  if (arg < 24) {
    out.push_back(m | static_cast<uint8_t>(arg));
    return;
  }
  int bytes;
  if (arg <= 0xff) {
    out.push_back(m | 24);
    bytes = 1;
  } else if (arg <= 0xffff) {
    out.push_back(m | 25);
    bytes = 2;
  } else if (arg <= 0xffffffffULL) {
    out.push_back(m | 26);
    bytes = 4;
  } else {
    out.push_back(m | 27);
    bytes = 8;
  }
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(arg >> (8 * i)));
}

void AppendText(Bytes& out, std::string_view s) {
  AppendHead(out, kTextString, s.size());
  Append(out, AsBytes(s));
}

class CborCursor {
 public:
  explicit CborCursor(ByteView in) : in_(in) {}

  size_t pos() const { return pos_; }
  bool done() const { return pos_ == in_.size(); }
  size_t remaining() const { return in_.size() - pos_; }

  Status ReadHead(uint8_t* major, uint64_t* arg) {
    if (pos_ >= in_.size()) return Error("truncated");
    uint8_t b = in_[pos_++];
    *major = b >> 5;
    uint8_t info = b & 31;
    if (info < 24) {
      *arg = info;
      return Status::Ok();
    }
    if (info > 27) return Error("indefinite length or reserved value not allowed in dag-cbor");
    size_t n = size_t{1} << (info - 24);
    if (remaining() < n) return Error("truncated");
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | in_[pos_++];
    uint64_t min = info == 24 ? 24 : info == 25 ? 0x100 : info == 26 ? 0x10000 : 0x100000000ULL;
    if (v < min) return Error("non-minimal integer encoding");
    *arg = v;
    return Status::Ok();
  }

  Status Expect(uint8_t want_major, uint64_t* arg, const char* what) {
    size_t at = pos_;
    uint8_t major = 0;
    RETURN_IF_ERROR(ReadHead(&major, arg));
    if (major != want_major) {
      return Status::InvalidArgument("CAR header: expected " + std::string(what) +
                                     " at header byte " + std::to_string(at));
    }
    return Status::Ok();
  }

  Result<ByteView> Take(uint64_t n) {
    if (n > remaining()) return Error("truncated");
    ByteView v = in_.subspan(pos_, n);
    pos_ += n;
    return v;
  }

  Status Error(const std::string& what) const {
    return Status::InvalidArgument("CAR header: " + what + " at header byte " +
                                   std::to_string(pos_));
  }

 private:
  ByteView in_;
  size_t pos_ = 0;
};

}  // namespace

Bytes EncodeHeaderV1(const std::vector<Cid>& roots) {
  Bytes payload;
  AppendHead(payload, kMap, 2);
  // dag-cbor sorts map keys by length then bytes: "roots" before "version".
  AppendText(payload, "roots");
  AppendHead(payload, kArray, roots.size());
  for (const Cid& root : roots) {
    Bytes cid = root.ToBytes();
    AppendHead(payload, kTag, kCidTag);
    // The 0x00 prefix is the (identity) multibase of binary CIDs in dag-cbor.
    AppendHead(payload, kByteString, cid.size() + 1);
    payload.push_back(0x00);
    Append(payload, cid);
  }
  AppendText(payload, "version");
  AppendHead(payload, kUnsigned, 1);

  Bytes out;
  multiformats::AppendUvarint(out, payload.size());
  Append(out, payload);
  return out;
}

Result<CarHeader> DecodeHeaderPayload(ByteView payload) {
  CborCursor c(payload);
  CarHeader header;
  bool has_version = false;
  uint64_t entries;
  RETURN_IF_ERROR(c.Expect(kMap, &entries, "a map"));
  if (entries > 2) return c.Error("header map has " + std::to_string(entries) + " keys");
  for (uint64_t i = 0; i < entries; ++i) {
    uint64_t key_len;
    RETURN_IF_ERROR(c.Expect(kTextString, &key_len, "a text key"));
    ASSIGN_OR_RETURN(ByteView key_bytes, c.Take(key_len));
    std::string_view key = AsString(key_bytes);
    if (key == "version") {
      if (has_version) return c.Error("duplicate key \"version\"");
      has_version = true;
      RETURN_IF_ERROR(c.Expect(kUnsigned, &header.version, "an unsigned version"));
    } else if (key == "roots") {
      if (header.has_roots) return c.Error("duplicate key \"roots\"");
      header.has_roots = true;
      uint64_t count;
      RETURN_IF_ERROR(c.Expect(kArray, &count, "an array of roots"));
      // Each root takes several bytes, so a count beyond what is left is a lie;
      // checking it first keeps reserve() bounded.
      if (count > c.remaining()) return c.Error("roots count larger than the header");
      header.roots.reserve(count);
      for (uint64_t r = 0; r < count; ++r) {
        uint64_t tag;
        RETURN_IF_ERROR(c.Expect(kTag, &tag, "a tag-42 CID"));
        if (tag != kCidTag) return c.Error("root has tag " + std::to_string(tag) + ", not 42");
        uint64_t len;
        RETURN_IF_ERROR(c.Expect(kByteString, &len, "CID bytes"));
        size_t at = c.pos();
        ASSIGN_OR_RETURN(ByteView cid_bytes, c.Take(len));
        if (cid_bytes.empty() || cid_bytes[0] != 0x00) {
          return Status::InvalidArgument("CAR header: root CID at header byte " +
                                         std::to_string(at) + " lacks the 0x00 prefix");
        }
        Result<Cid> cid = Cid::FromBytes(cid_bytes.subspan(1));
        if (!cid.ok()) {
          return cid.status().WithContext("CAR header: root at header byte " + std::to_string(at));
        }
        header.roots.push_back(std::move(*cid));
      }
    } else {
      return c.Error("unknown key \"" + std::string(key.substr(0, 64)) + "\"");
    }
  }
  if (!has_version) return c.Error("missing \"version\"");
  if (!c.done()) return c.Error("trailing bytes after the header map");
  return header;
}

}  // namespace ipfs_kit::car
