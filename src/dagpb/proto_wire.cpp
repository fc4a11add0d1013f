#include "ipfs_kit/dagpb/proto_wire.h"

#include <string>

#include "ipfs_kit/multiformats/varint.h"

namespace ipfs_kit::dagpb {

// Protobuf varints and multiformats varints share the LEB128 encoding.
void PutVarint(Bytes& out, uint64_t v) { multiformats::AppendUvarint(out, v); }

size_t VarintSize(uint64_t v) { return multiformats::UvarintSize(v); }

void PutTag(Bytes& out, uint32_t field, WireType type) { PutVarint(out, (field << 3) | type); }

void PutBytesField(Bytes& out, uint32_t field, ByteView data) {
  PutTag(out, field, kLengthDelimited);
  PutVarint(out, data.size());
  Append(out, data);
}

Result<uint64_t> ProtoReader::Varint() {
  uint64_t v = 0;
  for (size_t i = 0; i < 10; ++i) {
    if (pos_ >= in_.size()) {
      return Status::Corruption("protobuf varint truncated at byte " + std::to_string(pos_));
    }
    uint8_t b = in_[pos_++];
    if (i == 9 && b > 1) return Status::Corruption("protobuf varint overflows 64 bits");
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      if (b == 0 && i > 0) {
        return Status::Corruption("protobuf varint not minimally encoded at byte " +
                                  std::to_string(pos_ - 1));
      }
      return v;
    }
  }
  return Status::Corruption("protobuf varint longer than 10 bytes");
}

Status ProtoReader::Tag(uint32_t* field, WireType* type) {
  ASSIGN_OR_RETURN(uint64_t tag, Varint());
  uint64_t f = tag >> 3;
  uint8_t t = tag & 7;
  if (f == 0 || f > 0x1fffffff) return Status::Corruption("protobuf field number out of range");
  if (t != kVarint && t != kFixed64 && t != kLengthDelimited && t != kFixed32) {
    return Status::Corruption("protobuf wire type " + std::to_string(t) + " not supported");
  }
  *field = static_cast<uint32_t>(f);
  *type = static_cast<WireType>(t);
  return Status::Ok();
}

Result<ByteView> ProtoReader::LengthDelimited() {
  ASSIGN_OR_RETURN(uint64_t len, Varint());
  if (len > in_.size() - pos_) {
    return Status::Corruption("protobuf field of " + std::to_string(len) +
                              " bytes runs past the end of the message");
  }
  ByteView out = in_.subspan(pos_, len);
  pos_ += len;
  return out;
}

Result<uint32_t> ProtoReader::Fixed32() {
  if (in_.size() - pos_ < 4) return Status::Corruption("protobuf fixed32 truncated");
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(in_[pos_ + i]) << (8 * i);
  pos_ += 4;
  return v;
}

Result<uint64_t> ProtoReader::Fixed64() {
  if (in_.size() - pos_ < 8) return Status::Corruption("protobuf fixed64 truncated");
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(in_[pos_ + i]) << (8 * i);
  pos_ += 8;
  return v;
}

}  // namespace ipfs_kit::dagpb
