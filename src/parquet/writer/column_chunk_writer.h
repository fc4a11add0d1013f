// Encodes one column chunk (optional dictionary page, data pages v1, optional
// bloom filter) for the file writer. Internal to the parquet library.
#pragma once

#include "format/parquet_types.h"
#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"
#include "ipfs_kit/parquet/column_values.h"
#include "ipfs_kit/parquet/file_writer.h"
#include "ipfs_kit/parquet/schema.h"

namespace ipfs_kit::parquet {

struct ChunkWriteResult {
  format::ColumnMetaData md;
  Bytes pages;        // to be written at the chunk's offset
  Bytes bloom;        // bloom filter header + bitset (empty if none), written after `pages`
};

// `offset` is where the chunk's first byte will land in the file; offsets in
// the metadata are absolute.
Result<ChunkWriteResult> EncodeColumnChunk(const Column& column, const ColumnValues& values,
                                           const ColumnOptions& options, Codec codec,
                                           int zstd_level, size_t page_bytes, int64_t offset);

}  // namespace ipfs_kit::parquet
