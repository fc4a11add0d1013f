// Parquet reader over a memory-mapped file. Open() checks both magics and
// decodes the footer; columns are read per row group with projection (read
// only the columns asked for) and row groups can be pruned with their
// statistics and bloom filters before any page is touched.
//
// Bad input never crashes or hangs: truncated files, wrong magic, footer
// lengths past the file, corrupt Thrift, corrupt or truncated pages, bad
// compression and dictionary indices out of range give kCorruption /
// kInvalidArgument naming the file and the problem.
//
// Thread safety: a FileReader is immutable after Open(); concurrent reads
// from several threads are safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"
#include "ipfs_kit/parquet/column_values.h"
#include "ipfs_kit/parquet/schema.h"

namespace ipfs_kit::parquet {

// Plain-encoded statistics of one column chunk (as in the footer).
struct ColumnChunkStats {
  std::optional<std::string> min;  // PLAIN bytes (no length prefix for BYTE_ARRAY)
  std::optional<std::string> max;
  std::optional<int64_t> null_count;
};

struct ColumnChunkInfo {
  std::string codec;                   // "ZSTD", ...
  std::vector<std::string> encodings;  // "PLAIN", "RLE_DICTIONARY", ...
  int64_t num_values = 0;
  int64_t compressed_bytes = 0;
  int64_t uncompressed_bytes = 0;
  ColumnChunkStats stats;
  bool has_bloom_filter = false;
};

struct RowGroupInfo {
  int64_t num_rows = 0;
  int64_t total_bytes = 0;
  std::vector<ColumnChunkInfo> columns;
};

class FileReader {
 public:
  static Result<std::unique_ptr<FileReader>> Open(const std::string& path);
  virtual ~FileReader() = default;

  virtual const std::string& path() const = 0;
  virtual const Schema& schema() const = 0;
  virtual int64_t num_rows() const = 0;
  virtual size_t num_row_groups() const = 0;
  virtual const RowGroupInfo& row_group(size_t i) const = 0;
  virtual std::string created_by() const = 0;
  virtual std::vector<std::pair<std::string, std::string>> key_value_metadata() const = 0;

  // Reads all values of one column chunk.
  virtual Result<ColumnValues> ReadColumn(size_t row_group, size_t column) const = 0;
  // True unless the chunk's bloom filter proves `plain_value` absent (also
  // true when there is no filter).
  virtual Result<bool> BloomMayContain(size_t row_group, size_t column,
                                       ByteView plain_value) const = 0;
};

}  // namespace ipfs_kit::parquet
