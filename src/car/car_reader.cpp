// CarReader: streaming, bounded, verifying CAR v1/v2 reader.
// Format: docs/formats/car.md.
//
// Every length read from the file is checked against a cap before anything is
// allocated, so a hostile file costs at most one block of memory. Offsets in
// error messages are byte offsets from the start of the file (for CARv2, of
// the outer file, not of the inner v1 payload).
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "car_header.h"
#include "ipfs_kit/car/car.h"
#include "ipfs_kit/multiformats/multihash.h"
#include "ipfs_kit/multiformats/varint.h"

namespace ipfs_kit::car {

using multiformats::kCodecDagPb;
using multiformats::kSha2_256;
using multiformats::Multihash;

namespace {

// A section holds a CID (at most ~150 bytes even with a large identity hash)
// and a block of at most kMaxBlockSize.
constexpr uint64_t kMaxCidSize = 256;
constexpr uint64_t kMaxSectionSize = blockstore::kMaxBlockSize + kMaxCidSize;

class CarReaderImpl : public CarReader {
 public:
  CarReaderImpl(FILE* f, bool owned, std::string name)
      : f_(f), owned_(owned), name_(std::move(name)) {}
  ~CarReaderImpl() override {
    if (owned_ && f_ != nullptr) std::fclose(f_);
  }

  int version() const override { return version_; }
  const std::vector<Cid>& roots() const override { return roots_; }

  Status ReadHeaders();
  Result<bool> Next(Block* out) override;

 private:
  Status Err(StatusCode code, uint64_t offset, const std::string& what) const {
    return Status(code, "CAR " + name_ + ": " + what + " at byte offset " + std::to_string(offset));
  }
  // Reads exactly n bytes; a short read is a truncation error naming `what`.
  Status ReadExact(uint8_t* dst, size_t n, const char* what);
  // Reads one varint; *clean_eof is set (and OK returned) if EOF comes before
  // its first byte.
  Status ReadVarint(uint64_t* value, bool* clean_eof, const char* what);
  Status Skip(uint64_t n);
  // Reads a v1 header at the current position into version_/roots_.
  Status ReadV1Header(uint64_t* version, bool* has_roots, bool allow_v2);

  FILE* f_;
  bool owned_;
  std::string name_;
  uint64_t offset_ = 0;
  int version_ = 0;
  std::vector<Cid> roots_;
  std::optional<uint64_t> data_end_;  // CARv2: end of the inner v1 payload
  bool failed_ = false;
};

Status CarReaderImpl::ReadExact(uint8_t* dst, size_t n, const char* what) {
  size_t got = n == 0 ? 0 : std::fread(dst, 1, n, f_);
  if (got != n) {
    if (std::ferror(f_)) {
      return Err(StatusCode::kIOError, offset_ + got,
                 std::string("read error (") + std::strerror(errno) + ") in " + what);
    }
    return Err(StatusCode::kInvalidArgument, offset_,
               std::string("truncated ") + what + ": wanted " + std::to_string(n) +
                   " bytes, file ends after " + std::to_string(got));
  }
  offset_ += n;
  return Status::Ok();
}

Status CarReaderImpl::ReadVarint(uint64_t* value, bool* clean_eof, const char* what) {
  uint64_t start = offset_;
  uint64_t v = 0;
  *clean_eof = false;
  for (size_t i = 0; i < multiformats::kMaxVarintBytes; ++i) {
    int c = std::getc(f_);
    if (c == EOF) {
      if (std::ferror(f_)) {
        return Err(StatusCode::kIOError, offset_,
                   std::string("read error (") + std::strerror(errno) + ") in " + what);
      }
      if (i == 0) {
        *clean_eof = true;
        return Status::Ok();
      }
      return Err(StatusCode::kInvalidArgument, start, std::string("truncated varint for ") + what);
    }
    ++offset_;
    v |= static_cast<uint64_t>(c & 0x7f) << (7 * i);
    if ((c & 0x80) == 0) {
      if (c == 0 && i > 0) {
        return Err(StatusCode::kInvalidArgument, start,
                   std::string("non-minimal varint for ") + what);
      }
      *value = v;
      return Status::Ok();
    }
  }
  return Err(StatusCode::kInvalidArgument, start,
             std::string("varint longer than 9 bytes for ") + what);
}

Status CarReaderImpl::Skip(uint64_t n) {
  uint8_t buf[4096];
  while (n > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, sizeof buf));
    RETURN_IF_ERROR(ReadExact(buf, chunk, "CARv2 padding before the data"));
    n -= chunk;
  }
  return Status::Ok();
}

Status CarReaderImpl::ReadV1Header(uint64_t* version, bool* has_roots, bool allow_v2) {
  uint64_t start = offset_;
  uint64_t len;
  bool eof;
  RETURN_IF_ERROR(ReadVarint(&len, &eof, "the header length"));
  if (eof) return Err(StatusCode::kInvalidArgument, start, "empty file, no CAR header");
  if (len == 0) return Err(StatusCode::kInvalidArgument, start, "zero-length header");
  if (len > kMaxHeaderSize) {
    return Err(StatusCode::kInvalidArgument, start,
               "header of " + std::to_string(len) + " bytes exceeds the " +
                   std::to_string(kMaxHeaderSize) + "-byte limit");
  }
  uint64_t payload_at = offset_;
  Bytes payload(len);
  RETURN_IF_ERROR(ReadExact(payload.data(), payload.size(), "header"));
  Result<CarHeader> header = DecodeHeaderPayload(payload);
  if (!header.ok()) {
    return Status(header.status().code(), "CAR " + name_ + ": " + header.status().message() +
                                              " (header starts at byte offset " +
                                              std::to_string(payload_at) + ")");
  }
  *version = header->version;
  *has_roots = header->has_roots;
  if (header->version == 2 && !allow_v2) {
    return Err(StatusCode::kInvalidArgument, start, "CARv2 pragma inside a CARv2 payload");
  }
  if (header->version != 1 && header->version != 2) {
    return Err(StatusCode::kUnsupported, start,
               "unsupported CAR version " + std::to_string(header->version));
  }
  roots_ = std::move(header->roots);
  return Status::Ok();
}

uint64_t LoadLe64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

Status CarReaderImpl::ReadHeaders() {
  uint64_t version;
  bool has_roots;
  RETURN_IF_ERROR(ReadV1Header(&version, &has_roots, /*allow_v2=*/true));
  if (version == 1) {
    if (!has_roots) return Err(StatusCode::kInvalidArgument, 0, "CARv1 header without \"roots\"");
    version_ = 1;
    return Status::Ok();
  }
  // The pragma is a fixed 11-byte string; anything else claiming version 2 is
  // malformed.
  if (has_roots || offset_ != sizeof kCarV2Pragma) {
    return Err(StatusCode::kInvalidArgument, 0, "malformed CARv2 pragma");
  }
  version_ = 2;
  uint8_t fixed[kCarV2HeaderSize];
  RETURN_IF_ERROR(ReadExact(fixed, sizeof fixed, "CARv2 header"));
  // fixed[0..16) is the characteristics bitfield; only the fully-indexed bit
  // is defined and it does not change how the data is read.
  uint64_t data_offset = LoadLe64(fixed + 16);
  uint64_t data_size = LoadLe64(fixed + 24);
  const uint64_t header_end = offset_;
  if (data_offset < header_end) {
    return Err(StatusCode::kInvalidArgument, 16 + sizeof kCarV2Pragma,
               "CARv2 data offset " + std::to_string(data_offset) + " overlaps the header");
  }
  if (data_size > UINT64_MAX - data_offset) {
    return Err(StatusCode::kInvalidArgument, 24 + sizeof kCarV2Pragma,
               "CARv2 data size " + std::to_string(data_size) + " overflows");
  }
  RETURN_IF_ERROR(Skip(data_offset - header_end));
  data_end_ = data_offset + data_size;

  uint64_t inner_version;
  RETURN_IF_ERROR(ReadV1Header(&inner_version, &has_roots, /*allow_v2=*/false));
  if (!has_roots) {
    return Err(StatusCode::kInvalidArgument, data_offset, "inner CARv1 header without \"roots\"");
  }
  if (offset_ > *data_end_) {
    return Err(StatusCode::kInvalidArgument, data_offset,
               "inner CARv1 header runs past the CARv2 data size");
  }
  return Status::Ok();
}

Result<bool> CarReaderImpl::Next(Block* out) {
  // After an error the stream position is somewhere inside a section; further
  // reads would misparse, so keep failing.
  if (failed_) return Status::InvalidArgument("CAR " + name_ + ": reader already failed");
  Result<bool> r = [&]() -> Result<bool> {
    if (data_end_ && offset_ == *data_end_) return false;
    uint64_t start = offset_;
    uint64_t len;
    bool eof;
    RETURN_IF_ERROR(ReadVarint(&len, &eof, "a section length"));
    if (eof) {
      if (data_end_) {
        return Err(
            StatusCode::kInvalidArgument, start,
            "file ends before the CARv2 data size (" + std::to_string(*data_end_) + ") is reached");
      }
      return false;
    }
    if (len == 0) return Err(StatusCode::kInvalidArgument, start, "zero-length section");
    if (len > kMaxSectionSize) {
      return Err(StatusCode::kInvalidArgument, start,
                 "section of " + std::to_string(len) + " bytes exceeds the " +
                     std::to_string(kMaxSectionSize) + "-byte limit");
    }
    if (data_end_ && len > *data_end_ - std::min(offset_, *data_end_)) {
      return Err(StatusCode::kInvalidArgument, start, "section runs past the CARv2 data size");
    }
    uint64_t body_at = offset_;
    Bytes& buf = out->data;
    buf.resize(len);
    RETURN_IF_ERROR(ReadExact(buf.data(), buf.size(), "section"));

    size_t cid_len = 0;
    Result<Cid> cid = Status::Internal("unset");
    if (buf.size() >= 2 && buf[0] == 0x12 && buf[1] == 0x20) {
      // CIDv0: a bare sha2-256 multihash (0x12 0x20 + 32 bytes); a CIDv1 always
      // starts with 0x01, so the two cannot be confused.
      Result<Multihash> mh = Multihash::Parse(buf, &cid_len);
      if (mh.ok()) {
        cid = Cid(0, kCodecDagPb, std::move(*mh));
      } else {
        cid = mh.status();
      }
    } else {
      cid = Cid::ReadPrefix(buf, &cid_len);
    }
    if (!cid.ok()) {
      return Err(StatusCode::kCorruption, body_at, "bad CID (" + cid.status().message() + ")");
    }
    if (buf.size() - cid_len > blockstore::kMaxBlockSize) {
      return Err(StatusCode::kInvalidArgument, start,
                 "block " + cid->ToString() + " exceeds the block size limit");
    }
    buf.erase(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(cid_len));
    Result<bool> match = multiformats::VerifyMultihash(cid->hash(), buf);
    if (!match.ok()) {
      return Err(match.status().code(), start,
                 "block " + cid->ToString() + ": " + match.status().message());
    }
    if (!*match) {
      return Err(StatusCode::kCorruption, start,
                 "block " + cid->ToString() + " does not match its hash");
    }
    out->cid = std::move(*cid);
    return true;
  }();
  if (!r.ok()) failed_ = true;
  return r;
}

}  // namespace

Result<std::unique_ptr<CarReader>> CarReader::FromFile(FILE* f, std::string name) {
  if (f == nullptr) return Status::InvalidArgument("CAR " + name + ": no stream");
  auto reader = std::make_unique<CarReaderImpl>(f, /*owned=*/false, std::move(name));
  RETURN_IF_ERROR(reader->ReadHeaders());
  return std::unique_ptr<CarReader>(std::move(reader));
}

Result<std::unique_ptr<CarReader>> CarReader::Open(const std::string& path) {
  FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rbe");
  if (f == nullptr) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound("CAR " + path + ": no such file");
    return Status::IOError("CAR " + path + ": cannot open: " + std::strerror(err));
  }
  auto reader =
      std::make_unique<CarReaderImpl>(f, /*owned=*/path != "-", path == "-" ? "<stdin>" : path);
  RETURN_IF_ERROR(reader->ReadHeaders());
  return std::unique_ptr<CarReader>(std::move(reader));
}

}  // namespace ipfs_kit::car
