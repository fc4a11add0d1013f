// Streaming Parquet writer: rows arrive in column batches, a row group is
// written whenever `row_group_rows` rows are buffered, the footer (Thrift
// compact FileMetaData) at Close(). Writes PLAIN or dictionary (RLE_DICTIONARY
// with a PLAIN dictionary page) data pages v1, UNCOMPRESSED / SNAPPY / ZSTD,
// min/max/null_count statistics per column chunk, and split-block bloom
// filters for chosen columns. Output is written to `path` directly; callers
// that publish files atomically write to a temporary name and rename.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/parquet/column_values.h"
#include "ipfs_kit/parquet/schema.h"

namespace ipfs_kit::parquet {

enum class Codec : int32_t { kUncompressed = 0, kSnappy = 1, kZstd = 6 };
const char* CodecName(Codec c);

struct ColumnOptions {
  // Dictionary-encode when it pays: the dictionary must fit in 1 MiB and hold
  // at most `dictionary_max_ratio` of the chunk's values (else PLAIN).
  bool dictionary = true;
  double dictionary_max_ratio = 0.5;
  bool statistics = true;
  bool bloom_filter = false;
  double bloom_fpp = 0.01;
};

struct WriterOptions {
  Codec codec = Codec::kZstd;
  int zstd_level = 3;
  size_t row_group_rows = 1 << 20;
  size_t data_page_bytes = 1 << 20;  // target uncompressed size of a data page
  ColumnOptions column_defaults;
  std::map<std::string, ColumnOptions> columns;  // per-column overrides by name
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
  bool fsync = false;  // fsync the file in Close()
};

class FileWriter {
 public:
  static Result<std::unique_ptr<FileWriter>> Open(const std::string& path, Schema schema,
                                                  WriterOptions options = {});
  virtual ~FileWriter() = default;
  // Appends rows: one ColumnValues per schema column, all with the same
  // number of rows, types matching the schema, `defined` only for OPTIONAL.
  virtual Status Write(const std::vector<ColumnValues>& batch) = 0;
  // Flushes buffered rows as a row group now.
  virtual Status FlushRowGroup() = 0;
  // Writes the footer and closes the file. The writer is unusable after.
  virtual Status Close() = 0;
};

}  // namespace ipfs_kit::parquet
