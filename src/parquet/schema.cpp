#include "ipfs_kit/parquet/schema.h"

#include "ipfs_kit/parquet/column_values.h"

namespace ipfs_kit::parquet {

const char* PhysicalTypeName(PhysicalType t) {
  switch (t) {
    case PhysicalType::kBoolean: return "BOOLEAN";
    case PhysicalType::kInt32: return "INT32";
    case PhysicalType::kInt64: return "INT64";
    case PhysicalType::kInt96: return "INT96";
    case PhysicalType::kFloat: return "FLOAT";
    case PhysicalType::kDouble: return "DOUBLE";
    case PhysicalType::kByteArray: return "BYTE_ARRAY";
    case PhysicalType::kFixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY";
  }
  return "UNKNOWN";
}

const char* LogicalTypeName(LogicalType t) {
  switch (t) {
    case LogicalType::kNone: return "";
    case LogicalType::kString: return "STRING";
    case LogicalType::kTimestampMillis: return "TIMESTAMP(MILLIS,UTC)";
    case LogicalType::kTimestampMicros: return "TIMESTAMP(MICROS,UTC)";
    case LogicalType::kTimestampNanos: return "TIMESTAMP(NANOS,UTC)";
    case LogicalType::kOther: return "OTHER";
  }
  return "";
}

std::optional<size_t> Schema::Find(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return i;
  }
  return std::nullopt;
}

size_t ColumnValues::value_count() const {
  switch (type) {
    case PhysicalType::kBoolean: return bools.size();
    case PhysicalType::kInt32: return i32.size();
    case PhysicalType::kInt64: return i64.size();
    case PhysicalType::kFloat: return f32.size();
    case PhysicalType::kDouble: return f64.size();
    case PhysicalType::kInt96:
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray: return bytes.size();
  }
  return 0;
}

void ColumnValues::Clear() {
  defined.clear();
  bools.clear();
  i32.clear();
  i64.clear();
  f32.clear();
  f64.clear();
  bytes.clear();
}

}  // namespace ipfs_kit::parquet
