// Minimal protobuf wire-format helpers shared by the dag-pb and UnixFS codecs.
// Readers are strict: varints must be minimal and at most 10 bytes, lengths
// must fit the remaining input.
#pragma once

#include <cstdint>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::dagpb {

enum WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

void PutVarint(Bytes& out, uint64_t v);
void PutTag(Bytes& out, uint32_t field, WireType type);
void PutBytesField(Bytes& out, uint32_t field, ByteView data);
size_t VarintSize(uint64_t v);

// Sequential reader over a protobuf message.
class ProtoReader {
 public:
  explicit ProtoReader(ByteView in) : in_(in) {}
  bool done() const { return pos_ >= in_.size(); }
  size_t position() const { return pos_; }
  Result<uint64_t> Varint();
  // Reads a tag; sets field and wire type.
  Status Tag(uint32_t* field, WireType* type);
  // Reads a length-delimited payload.
  Result<ByteView> LengthDelimited();
  Result<uint32_t> Fixed32();
  Result<uint64_t> Fixed64();

 private:
  ByteView in_;
  size_t pos_ = 0;
};

}  // namespace ipfs_kit::dagpb
