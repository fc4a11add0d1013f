#include "ipfs_kit/unixfs/unixfs_data.h"

#include <string>

#include "ipfs_kit/dagpb/proto_wire.h"

namespace ipfs_kit::unixfs {

using dagpb::kFixed32;
using dagpb::kLengthDelimited;
using dagpb::kVarint;
using dagpb::ProtoReader;
using dagpb::PutTag;
using dagpb::PutVarint;
using dagpb::WireType;

const char* DataTypeName(DataType t) {
  switch (t) {
    case DataType::kRaw: return "raw";
    case DataType::kDirectory: return "directory";
    case DataType::kFile: return "file";
    case DataType::kMetadata: return "metadata";
    case DataType::kSymlink: return "symlink";
    case DataType::kHamtShard: return "hamt-sharded-directory";
  }
  return "unknown";
}

uint64_t UnixfsData::ContentSize() const {
  if (type != DataType::kFile && type != DataType::kRaw) return 0;
  uint64_t n = data ? data->size() : 0;
  for (uint64_t b : blocksizes) n += b;
  return n;
}

Bytes UnixfsData::Encode() const {
  Bytes out;
  out.reserve(16 + (data ? data->size() : 0) + blocksizes.size() * 4);
  PutTag(out, 1, kVarint);
  PutVarint(out, static_cast<uint64_t>(type));
  if (data && !data->empty()) dagpb::PutBytesField(out, 2, *data);
  if (filesize) {
    PutTag(out, 3, kVarint);
    PutVarint(out, *filesize);
  }
  for (uint64_t b : blocksizes) {
    PutTag(out, 4, kVarint);
    PutVarint(out, b);
  }
  if (hash_type) {
    PutTag(out, 5, kVarint);
    PutVarint(out, *hash_type);
  }
  if (fanout) {
    PutTag(out, 6, kVarint);
    PutVarint(out, *fanout);
  }
  if (mode) {
    PutTag(out, 7, kVarint);
    PutVarint(out, *mode);
  }
  if (mtime) {
    Bytes t;
    PutTag(t, 1, kVarint);
    PutVarint(t, static_cast<uint64_t>(mtime->seconds));  // int64: two's complement
    if (mtime->nanos) {
      PutTag(t, 2, kFixed32);
      for (int i = 0; i < 4; ++i) t.push_back(static_cast<uint8_t>(*mtime->nanos >> (8 * i)));
    }
    dagpb::PutBytesField(out, 8, t);
  }
  return out;
}

namespace {

Status SkipField(ProtoReader& r, WireType type) {
  switch (type) {
    case dagpb::kVarint: return r.Varint().status();
    case dagpb::kFixed64: return r.Fixed64().status();
    case dagpb::kLengthDelimited: return r.LengthDelimited().status();
    case dagpb::kFixed32: return r.Fixed32().status();
  }
  return Status::Corruption("unixfs: bad wire type");
}

Status Expect(WireType got, WireType want, const char* field) {
  if (got != want) return Status::Corruption(std::string("unixfs: field ") + field + " has wrong wire type");
  return Status::Ok();
}

Result<UnixTime> DecodeTime(ByteView b) {
  ProtoReader r(b);
  UnixTime t;
  while (!r.done()) {
    uint32_t field;
    WireType type;
    RETURN_IF_ERROR(r.Tag(&field, &type));
    if (field == 1) {
      RETURN_IF_ERROR(Expect(type, kVarint, "mtime.Seconds"));
      ASSIGN_OR_RETURN(uint64_t s, r.Varint());
      t.seconds = static_cast<int64_t>(s);
    } else if (field == 2) {
      RETURN_IF_ERROR(Expect(type, kFixed32, "mtime.FractionalNanoseconds"));
      ASSIGN_OR_RETURN(uint32_t n, r.Fixed32());
      if (n >= 1000000000u) return Status::Corruption("unixfs: mtime nanoseconds out of range");
      t.nanos = n;
    } else {
      RETURN_IF_ERROR(SkipField(r, type));
    }
  }
  return t;
}

}  // namespace

Result<UnixfsData> UnixfsData::Decode(ByteView bytes) {
  ByteView view;
  ASSIGN_OR_RETURN(UnixfsData d, DecodeView(bytes, &view));
  if (view.data() != nullptr) d.data = Bytes(view.begin(), view.end());
  return d;
}

Result<UnixfsData> UnixfsData::DecodeView(ByteView bytes, ByteView* data_view) {
  *data_view = ByteView();
  ProtoReader r(bytes);
  UnixfsData d;
  bool have_type = false;
  while (!r.done()) {
    uint32_t field;
    WireType type;
    RETURN_IF_ERROR(r.Tag(&field, &type));
    switch (field) {
      case 1: {
        RETURN_IF_ERROR(Expect(type, kVarint, "Type"));
        ASSIGN_OR_RETURN(uint64_t t, r.Varint());
        if (t > 5) return Status::Corruption("unixfs: unknown Type " + std::to_string(t));
        d.type = static_cast<DataType>(t);
        have_type = true;
        break;
      }
      case 2: {
        RETURN_IF_ERROR(Expect(type, kLengthDelimited, "Data"));
        ASSIGN_OR_RETURN(ByteView v, r.LengthDelimited());
        // A non-null pointer marks "present" even for an empty field.
        *data_view = v.data() != nullptr ? v : ByteView(bytes.data(), 0);
        break;
      }
      case 3: {
        RETURN_IF_ERROR(Expect(type, kVarint, "filesize"));
        ASSIGN_OR_RETURN(uint64_t v, r.Varint());
        d.filesize = v;
        break;
      }
      case 4: {
        if (type == kLengthDelimited) {  // packed encoding
          ASSIGN_OR_RETURN(ByteView v, r.LengthDelimited());
          ProtoReader pr(v);
          while (!pr.done()) {
            ASSIGN_OR_RETURN(uint64_t b, pr.Varint());
            d.blocksizes.push_back(b);
          }
        } else {
          RETURN_IF_ERROR(Expect(type, kVarint, "blocksizes"));
          ASSIGN_OR_RETURN(uint64_t b, r.Varint());
          d.blocksizes.push_back(b);
        }
        break;
      }
      case 5: {
        RETURN_IF_ERROR(Expect(type, kVarint, "hashType"));
        ASSIGN_OR_RETURN(uint64_t v, r.Varint());
        d.hash_type = v;
        break;
      }
      case 6: {
        RETURN_IF_ERROR(Expect(type, kVarint, "fanout"));
        ASSIGN_OR_RETURN(uint64_t v, r.Varint());
        d.fanout = v;
        break;
      }
      case 7: {
        RETURN_IF_ERROR(Expect(type, kVarint, "mode"));
        ASSIGN_OR_RETURN(uint64_t v, r.Varint());
        d.mode = static_cast<uint32_t>(v);
        break;
      }
      case 8: {
        RETURN_IF_ERROR(Expect(type, kLengthDelimited, "mtime"));
        ASSIGN_OR_RETURN(ByteView v, r.LengthDelimited());
        ASSIGN_OR_RETURN(UnixTime t, DecodeTime(v));
        d.mtime = t;
        break;
      }
      default:
        RETURN_IF_ERROR(SkipField(r, type));
    }
  }
  if (!have_type) return Status::Corruption("unixfs: Data message has no Type");
  return d;
}

}  // namespace ipfs_kit::unixfs
