// The three routing-index Parquet schemas and row <-> column conversion.
// Internal to the routing library.
#pragma once

#include <vector>

#include "ipfs_kit/parquet/column_values.h"
#include "ipfs_kit/parquet/file_reader.h"
#include "ipfs_kit/parquet/schema.h"
#include "ipfs_kit/routing/index.h"

namespace ipfs_kit::routing {

parquet::Schema PinsSchema();
parquet::Schema LocationsSchema();
parquet::Schema BackendsSchema();

std::vector<parquet::ColumnValues> PinColumns(const std::vector<PinRow>& rows, size_t begin,
                                              size_t end);
std::vector<parquet::ColumnValues> LocationColumns(const std::vector<LocationRow>& rows,
                                                   size_t begin, size_t end);
std::vector<parquet::ColumnValues> BackendColumns(const std::vector<BackendRow>& rows);

// Reads rows back (whole row group); fails if the file's schema differs.
Result<std::vector<PinRow>> ReadPins(const parquet::FileReader& f, size_t row_group);
Result<std::vector<LocationRow>> ReadLocations(const parquet::FileReader& f, size_t row_group);
Result<std::vector<BackendRow>> ReadBackends(const parquet::FileReader& f);

}  // namespace ipfs_kit::routing
