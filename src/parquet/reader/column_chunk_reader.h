// Decodes one column chunk (dictionary page + data pages v1/v2) into
// ColumnValues. Internal to the parquet library.
#pragma once

#include <string>

#include "format/parquet_types.h"
#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"
#include "ipfs_kit/parquet/column_values.h"
#include "ipfs_kit/parquet/schema.h"

namespace ipfs_kit::parquet {

// `file` is the whole file; `md` the chunk's metadata; `where` names the file,
// row group and column for error messages. Every offset and size is checked
// against the file before use.
Result<ColumnValues> ReadColumnChunk(ByteView file, const format::ColumnMetaData& md,
                                     const Column& column, const std::string& where);

}  // namespace ipfs_kit::parquet
