// Column-major values for a run of rows of one column.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ipfs_kit/parquet/schema.h"

namespace ipfs_kit::parquet {

// The values of one column for `num_rows` rows. Exactly one value vector is
// used, chosen by `type`: booleans → bools, INT32 → i32, INT64 → i64,
// FLOAT → f32, DOUBLE → f64, BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY / INT96 →
// bytes. For an OPTIONAL column `defined` has one entry per row (1 = has a
// value) and the value vector holds only the defined values, in row order;
// for a REQUIRED column `defined` is empty.
struct ColumnValues {
  PhysicalType type = PhysicalType::kInt64;
  std::vector<uint8_t> defined;
  std::vector<uint8_t> bools;
  std::vector<int32_t> i32;
  std::vector<int64_t> i64;
  std::vector<float> f32;
  std::vector<double> f64;
  std::vector<std::string> bytes;

  // Number of values present (not counting nulls).
  size_t value_count() const;
  // Number of rows (values + nulls).
  size_t num_rows() const { return defined.empty() ? value_count() : defined.size(); }
  void Clear();
};

}  // namespace ipfs_kit::parquet
