// Parquet schemas as ipfs-kit uses them: flat (one level), REQUIRED or
// OPTIONAL columns. Format notes: docs/formats/parquet.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipfs_kit::parquet {

// Physical types, numbered as in parquet.thrift.
enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,  // read only (legacy timestamps), kept as 12 raw bytes
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};
const char* PhysicalTypeName(PhysicalType t);

// The logical annotations we write and interpret.
enum class LogicalType {
  kNone,
  kString,           // BYTE_ARRAY, UTF-8
  kTimestampMillis,  // INT64, UTC
  kTimestampMicros,  // INT64, UTC
  kTimestampNanos,   // INT64, UTC (read only)
  kOther,            // something we read but do not interpret
};
const char* LogicalTypeName(LogicalType t);

struct Column {
  std::string name;
  PhysicalType type = PhysicalType::kInt64;
  LogicalType logical = LogicalType::kNone;
  bool optional = false;     // OPTIONAL (nullable) vs REQUIRED
  int32_t type_length = 0;   // FIXED_LEN_BYTE_ARRAY only
};

struct Schema {
  std::vector<Column> columns;
  // Index of the column named `name`, or nullopt.
  std::optional<size_t> Find(std::string_view name) const;
};

}  // namespace ipfs_kit::parquet
