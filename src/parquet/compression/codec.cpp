// Page compression via libsnappy and libzstd. See codec.h.
#include "codec.h"

#include <string>

#include <snappy.h>
#include <zstd.h>

namespace ipfs_kit::parquet {

namespace {

// A snappy element yields at most 64 bytes from at least 3 (a 2-byte-offset
// copy), so no valid stream expands more than ~21.4x; 32x is a safe bound that
// stops a tiny page from making us allocate a large buffer.
constexpr size_t kMaxSnappyRatio = 32;

Status UnsupportedCodec(CompressionCodec codec) {
  return Status::Unsupported("compression codec " + CompressionCodecName(codec) +
                             " is not supported");
}

Status SizeMismatch(CompressionCodec codec, size_t got, size_t want) {
  return Status::Corruption(CompressionCodecName(codec) + " page decompressed to " +
                            std::to_string(got) + " bytes, header says " + std::to_string(want));
}

}  // namespace

std::string CompressionCodecName(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kUncompressed: return "UNCOMPRESSED";
    case CompressionCodec::kSnappy: return "SNAPPY";
    case CompressionCodec::kGzip: return "GZIP";
    case CompressionCodec::kLzo: return "LZO";
    case CompressionCodec::kBrotli: return "BROTLI";
    case CompressionCodec::kLz4: return "LZ4";
    case CompressionCodec::kZstd: return "ZSTD";
    case CompressionCodec::kLz4Raw: return "LZ4_RAW";
  }
  return "codec " + std::to_string(static_cast<int32_t>(codec));
}

Status Compress(CompressionCodec codec, ByteView in, Bytes* out, int zstd_level) {
  if (in.size() > kMaxPageBytes) {
    return Status::InvalidArgument("page of " + std::to_string(in.size()) +
                                   " bytes is larger than the 1 GiB limit");
  }
  switch (codec) {
    case CompressionCodec::kUncompressed:
      out->assign(in.begin(), in.end());
      return Status::Ok();
    case CompressionCodec::kSnappy: {
      out->resize(snappy::MaxCompressedLength(in.size()));
      size_t n = 0;
      snappy::RawCompress(reinterpret_cast<const char*>(in.data()), in.size(),
                          reinterpret_cast<char*>(out->data()), &n);
      out->resize(n);
      return Status::Ok();
    }
    case CompressionCodec::kZstd: {
      out->resize(ZSTD_compressBound(in.size()));
      size_t n = ZSTD_compress(out->data(), out->size(), in.data(), in.size(), zstd_level);
      if (ZSTD_isError(n)) {
        out->clear();
        return Status::Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
      }
      out->resize(n);
      return Status::Ok();
    }
    default:
      return UnsupportedCodec(codec);
  }
}

Status Decompress(CompressionCodec codec, ByteView in, size_t uncompressed_size, Bytes* out) {
  if (uncompressed_size > kMaxPageBytes) {
    return Status::Corruption("page uncompressed size " + std::to_string(uncompressed_size) +
                              " exceeds the 1 GiB limit");
  }
  switch (codec) {
    case CompressionCodec::kUncompressed:
      if (in.size() != uncompressed_size) return SizeMismatch(codec, in.size(), uncompressed_size);
      out->assign(in.begin(), in.end());
      return Status::Ok();
    case CompressionCodec::kSnappy: {
      const char* src = reinterpret_cast<const char*>(in.data());
      size_t claimed = 0;
      if (!snappy::GetUncompressedLength(src, in.size(), &claimed)) {
        return Status::Corruption("SNAPPY page has a malformed length header");
      }
      if (claimed != uncompressed_size) return SizeMismatch(codec, claimed, uncompressed_size);
      if (uncompressed_size / kMaxSnappyRatio > in.size()) {
        return Status::Corruption("SNAPPY page of " + std::to_string(in.size()) +
                                  " bytes cannot expand to " + std::to_string(uncompressed_size));
      }
      out->resize(uncompressed_size);
      char dummy = 0;
      char* dst = uncompressed_size == 0 ? &dummy : reinterpret_cast<char*>(out->data());
      if (!snappy::RawUncompress(src, in.size(), dst)) {
        out->clear();
        return Status::Corruption("SNAPPY page data is corrupt");
      }
      return Status::Ok();
    }
    case CompressionCodec::kZstd: {
      // The frame header's content size is not trusted: the output buffer is
      // exactly the expected size and zstd fails rather than overrun it.
      out->resize(uncompressed_size);
      uint8_t dummy = 0;
      void* dst = uncompressed_size == 0 ? &dummy : out->data();
      size_t n = ZSTD_decompress(dst, uncompressed_size, in.data(), in.size());
      if (ZSTD_isError(n)) {
        out->clear();
        return Status::Corruption(std::string("ZSTD page is corrupt or larger than ") +
                                  std::to_string(uncompressed_size) + " bytes: " +
                                  ZSTD_getErrorName(n));
      }
      if (n != uncompressed_size) {
        out->clear();
        return SizeMismatch(codec, n, uncompressed_size);
      }
      return Status::Ok();
    }
    default:
      return UnsupportedCodec(codec);
  }
}

}  // namespace ipfs_kit::parquet
