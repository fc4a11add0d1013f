#include "schemas.h"

namespace ipfs_kit::routing {

using parquet::Column;
using parquet::ColumnValues;
using parquet::LogicalType;
using parquet::PhysicalType;

namespace {

Column Str(const char* n, bool opt = false) {
  return {n, PhysicalType::kByteArray, LogicalType::kString, opt, 0};
}
Column I64(const char* n) { return {n, PhysicalType::kInt64, LogicalType::kNone, false, 0}; }
Column I32(const char* n) { return {n, PhysicalType::kInt32, LogicalType::kNone, false, 0}; }
Column F64(const char* n) { return {n, PhysicalType::kDouble, LogicalType::kNone, false, 0}; }
Column Ts(const char* n, bool opt = false) {
  return {n, PhysicalType::kInt64, LogicalType::kTimestampMillis, opt, 0};
}

ColumnValues Of(PhysicalType t) {
  ColumnValues v;
  v.type = t;
  return v;
}

Status CheckSchema(const parquet::FileReader& f, const parquet::Schema& want) {
  const auto& got = f.schema().columns;
  if (got.size() != want.columns.size()) {
    return Status::Corruption(f.path() + ": routing index file has " + std::to_string(got.size()) +
                              " columns, expected " + std::to_string(want.columns.size()));
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].name != want.columns[i].name || got[i].type != want.columns[i].type ||
        got[i].optional != want.columns[i].optional) {
      return Status::Corruption(f.path() + ": column " + std::to_string(i) + " is " + got[i].name +
                                ", expected " + want.columns[i].name);
    }
  }
  return Status::Ok();
}

// Reads every column of a row group.
Result<std::vector<ColumnValues>> ReadGroup(const parquet::FileReader& f, size_t g) {
  std::vector<ColumnValues> cols;
  for (size_t c = 0; c < f.schema().columns.size(); ++c) {
    ASSIGN_OR_RETURN(ColumnValues v, f.ReadColumn(g, c));
    cols.push_back(std::move(v));
  }
  return cols;
}

// Iterates an OPTIONAL column's values row by row.
struct Optional {
  const ColumnValues& v;
  size_t next = 0;
  bool Has(size_t row) const { return v.defined.empty() || v.defined[row]; }
};

}  // namespace

parquet::Schema PinsSchema() {
  return {{Str("cid"), Str("name", true), I64("size_bytes"), Str("pin_type"), Str("status"),
           I32("replication_min"), I32("replication_max"), I32("replicas"), Ts("created_at"),
           Ts("updated_at")}};
}
parquet::Schema LocationsSchema() {
  return {{Str("cid"), Str("backend"), Str("state"), I64("size_bytes"), Ts("verified_at", true)}};
}
parquet::Schema BackendsSchema() {
  return {{Str("name"), Str("type"), Str("state"), Str("reason", true), F64("latency_ms_p50"),
           F64("latency_ms_p99"), F64("error_rate"), I64("bytes_used"), I64("bytes_free"),
           I64("pin_count"), I32("priority"), Ts("checked_at")}};
}

std::vector<ColumnValues> PinColumns(const std::vector<PinRow>& rows, size_t b, size_t e) {
  std::vector<ColumnValues> c;
  for (auto t : {PhysicalType::kByteArray, PhysicalType::kByteArray, PhysicalType::kInt64,
                 PhysicalType::kByteArray, PhysicalType::kByteArray, PhysicalType::kInt32,
                 PhysicalType::kInt32, PhysicalType::kInt32, PhysicalType::kInt64,
                 PhysicalType::kInt64}) {
    c.push_back(Of(t));
  }
  for (size_t i = b; i < e; ++i) {
    const auto& r = rows[i];
    c[0].bytes.push_back(r.cid);
    c[1].defined.push_back(r.name.has_value());
    if (r.name) c[1].bytes.push_back(*r.name);
    c[2].i64.push_back(r.size_bytes);
    c[3].bytes.push_back(r.pin_type);
    c[4].bytes.push_back(r.status);
    c[5].i32.push_back(r.replication_min);
    c[6].i32.push_back(r.replication_max);
    c[7].i32.push_back(r.replicas);
    c[8].i64.push_back(r.created_at_ms);
    c[9].i64.push_back(r.updated_at_ms);
  }
  return c;
}

std::vector<ColumnValues> LocationColumns(const std::vector<LocationRow>& rows, size_t b,
                                          size_t e) {
  std::vector<ColumnValues> c;
  for (auto t : {PhysicalType::kByteArray, PhysicalType::kByteArray, PhysicalType::kByteArray,
                 PhysicalType::kInt64, PhysicalType::kInt64}) {
    c.push_back(Of(t));
  }
  for (size_t i = b; i < e; ++i) {
    const auto& r = rows[i];
    c[0].bytes.push_back(r.cid);
    c[1].bytes.push_back(r.backend);
    c[2].bytes.push_back(r.state);
    c[3].i64.push_back(r.size_bytes);
    c[4].defined.push_back(r.verified_at_ms.has_value());
    if (r.verified_at_ms) c[4].i64.push_back(*r.verified_at_ms);
  }
  return c;
}

std::vector<ColumnValues> BackendColumns(const std::vector<BackendRow>& rows) {
  std::vector<ColumnValues> c;
  for (auto t : {PhysicalType::kByteArray, PhysicalType::kByteArray, PhysicalType::kByteArray,
                 PhysicalType::kByteArray, PhysicalType::kDouble, PhysicalType::kDouble,
                 PhysicalType::kDouble, PhysicalType::kInt64, PhysicalType::kInt64,
                 PhysicalType::kInt64, PhysicalType::kInt32, PhysicalType::kInt64}) {
    c.push_back(Of(t));
  }
  for (const auto& r : rows) {
    c[0].bytes.push_back(r.name);
    c[1].bytes.push_back(r.type);
    c[2].bytes.push_back(r.state);
    c[3].defined.push_back(r.reason.has_value());
    if (r.reason) c[3].bytes.push_back(*r.reason);
    c[4].f64.push_back(r.latency_ms_p50);
    c[5].f64.push_back(r.latency_ms_p99);
    c[6].f64.push_back(r.error_rate);
    c[7].i64.push_back(r.bytes_used);
    c[8].i64.push_back(r.bytes_free);
    c[9].i64.push_back(r.pin_count);
    c[10].i32.push_back(r.priority);
    c[11].i64.push_back(r.checked_at_ms);
  }
  return c;
}

Result<std::vector<PinRow>> ReadPins(const parquet::FileReader& f, size_t g) {
  RETURN_IF_ERROR(CheckSchema(f, PinsSchema()));
  ASSIGN_OR_RETURN(auto c, ReadGroup(f, g));
  size_t n = c[0].bytes.size();
  std::vector<PinRow> rows(n);
  Optional name{c[1]};
  for (size_t i = 0; i < n; ++i) {
    auto& r = rows[i];
    r.cid = std::move(c[0].bytes[i]);
    if (name.Has(i)) r.name = c[1].bytes[name.next++];
    r.size_bytes = c[2].i64[i];
    r.pin_type = c[3].bytes[i];
    r.status = c[4].bytes[i];
    r.replication_min = c[5].i32[i];
    r.replication_max = c[6].i32[i];
    r.replicas = c[7].i32[i];
    r.created_at_ms = c[8].i64[i];
    r.updated_at_ms = c[9].i64[i];
  }
  return rows;
}

Result<std::vector<LocationRow>> ReadLocations(const parquet::FileReader& f, size_t g) {
  RETURN_IF_ERROR(CheckSchema(f, LocationsSchema()));
  ASSIGN_OR_RETURN(auto c, ReadGroup(f, g));
  size_t n = c[0].bytes.size();
  std::vector<LocationRow> rows(n);
  Optional ver{c[4]};
  for (size_t i = 0; i < n; ++i) {
    auto& r = rows[i];
    r.cid = std::move(c[0].bytes[i]);
    r.backend = c[1].bytes[i];
    r.state = c[2].bytes[i];
    r.size_bytes = c[3].i64[i];
    if (ver.Has(i)) r.verified_at_ms = c[4].i64[ver.next++];
  }
  return rows;
}

Result<std::vector<BackendRow>> ReadBackends(const parquet::FileReader& f) {
  RETURN_IF_ERROR(CheckSchema(f, BackendsSchema()));
  std::vector<BackendRow> rows;
  for (size_t g = 0; g < f.num_row_groups(); ++g) {
    ASSIGN_OR_RETURN(auto c, ReadGroup(f, g));
    Optional reason{c[3]};
    for (size_t i = 0; i < c[0].bytes.size(); ++i) {
      BackendRow r;
      r.name = c[0].bytes[i];
      r.type = c[1].bytes[i];
      r.state = c[2].bytes[i];
      if (reason.Has(i)) r.reason = c[3].bytes[reason.next++];
      r.latency_ms_p50 = c[4].f64[i];
      r.latency_ms_p99 = c[5].f64[i];
      r.error_rate = c[6].f64[i];
      r.bytes_used = c[7].i64[i];
      r.bytes_free = c[8].i64[i];
      r.pin_count = c[9].i64[i];
      r.priority = c[10].i32[i];
      r.checked_at_ms = c[11].i64[i];
      rows.push_back(std::move(r));
    }
  }
  return rows;
}

}  // namespace ipfs_kit::routing
