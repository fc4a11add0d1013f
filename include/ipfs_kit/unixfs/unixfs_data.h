// UnixFS v1 `Data` message (https://specs.ipfs.tech/unixfs/), carried in the
// Data field of a dag-pb node.
//
// Encode() writes fields in field-number order exactly as Kubo and the JS
// importer do: Type, Data (only if non-empty), filesize, blocksizes (one
// unpacked varint each), hashType, fanout, mode, mtime. Decode() accepts any
// field order and packed or unpacked blocksizes, skips unknown fields, and
// rejects truncation, a missing Type, or an unknown Type value.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::unixfs {

enum class DataType : uint8_t {
  kRaw = 0,
  kDirectory = 1,
  kFile = 2,
  kMetadata = 3,
  kSymlink = 4,
  kHamtShard = 5,
};

const char* DataTypeName(DataType t);

struct UnixTime {
  int64_t seconds = 0;
  std::optional<uint32_t> nanos;  // fractional nanoseconds, fixed32, < 1e9
  bool operator==(const UnixTime&) const = default;
};

struct UnixfsData {
  DataType type = DataType::kFile;
  std::optional<Bytes> data;
  std::optional<uint64_t> filesize;
  std::vector<uint64_t> blocksizes;
  std::optional<uint64_t> hash_type;  // HAMT: 0x22 murmur3-x64-64
  std::optional<uint64_t> fanout;     // HAMT: 256
  std::optional<uint32_t> mode;       // permission bits (lower 12) + file type bits
  std::optional<UnixTime> mtime;

  bool operator==(const UnixfsData&) const = default;

  Bytes Encode() const;
  static Result<UnixfsData> Decode(ByteView bytes);
  // Decodes without copying the Data field: `data` stays empty and
  // *data_view points into `bytes` (empty when absent).
  static Result<UnixfsData> DecodeView(ByteView bytes, ByteView* data_view);

  bool IsDirectory() const { return type == DataType::kDirectory || type == DataType::kHamtShard; }
  // Bytes of file content this node stands for: data size + sum(blocksizes)
  // for File/Raw, 0 otherwise.
  uint64_t ContentSize() const;
};

inline constexpr uint64_t kHamtHashMurmur3 = 0x22;

}  // namespace ipfs_kit::unixfs
