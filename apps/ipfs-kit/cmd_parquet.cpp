// `parquet schema|meta|cat`: inspect Parquet files with ipfs-kit's own reader.
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_common.h"
#include "ipfs_kit/parquet/file_reader.h"

namespace ipfs_kit::cli {
namespace {

using parquet::ColumnValues;
using parquet::LogicalType;
using parquet::PhysicalType;

// Days since 1970-01-01 to a civil date (proleptic Gregorian).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

// ISO-8601 UTC with as many fraction digits as the unit has.
std::string IsoTimestamp(int64_t v, int64_t per_second, int digits) {
  int64_t secs = v / per_second, frac = v % per_second;
  if (frac < 0) {
    frac += per_second;
    secs -= 1;
  }
  int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%0*lldZ",
                static_cast<long long>(y), m, d, static_cast<int>(rem / 3600),
                static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60), digits,
                static_cast<long long>(frac));
  return buf;
}

nlohmann::json Int64Json(int64_t v, LogicalType lt) {
  switch (lt) {
    case LogicalType::kTimestampMillis:
      return IsoTimestamp(v, 1000, 3);
    case LogicalType::kTimestampMicros:
      return IsoTimestamp(v, 1000000, 6);
    case LogicalType::kTimestampNanos:
      return IsoTimestamp(v, 1000000000, 9);
    default:
      return v;
  }
}

// A cursor over one column's values for row-by-row output.
struct ColumnCursor {
  const parquet::Column* spec;
  ColumnValues values;
  size_t next_value = 0;

  nlohmann::json Next(size_t row) {
    if (!values.defined.empty() && !values.defined[row]) return nullptr;
    size_t i = next_value++;
    switch (values.type) {
      case PhysicalType::kBoolean:
        return values.bools[i] != 0;
      case PhysicalType::kInt32:
        return values.i32[i];
      case PhysicalType::kInt64:
        return Int64Json(values.i64[i], spec->logical);
      case PhysicalType::kFloat:
        return std::isfinite(values.f32[i]) ? nlohmann::json(values.f32[i]) : nlohmann::json();
      case PhysicalType::kDouble:
        return std::isfinite(values.f64[i]) ? nlohmann::json(values.f64[i]) : nlohmann::json();
      case PhysicalType::kByteArray:
        if (spec->logical == LogicalType::kString) return values.bytes[i];
        [[fallthrough]];
      case PhysicalType::kInt96:
      case PhysicalType::kFixedLenByteArray:
        return HexEncode(AsBytes(values.bytes[i]));
    }
    return nullptr;
  }
};

std::string Dump(const nlohmann::json& j, int indent = -1) {
  // Invalid UTF-8 in a STRING column is replaced rather than aborting output.
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json SchemaJson(const parquet::Schema& s) {
  nlohmann::json cols = nlohmann::json::array();
  for (const auto& c : s.columns) {
    nlohmann::json j{{"name", c.name},
                     {"type", parquet::PhysicalTypeName(c.type)},
                     {"repetition", c.optional ? "OPTIONAL" : "REQUIRED"}};
    if (c.logical != LogicalType::kNone) j["logical"] = parquet::LogicalTypeName(c.logical);
    if (c.type == PhysicalType::kFixedLenByteArray) j["type_length"] = c.type_length;
    cols.push_back(j);
  }
  return cols;
}

// Renders a PLAIN-encoded statistic for people.
nlohmann::json StatJson(const std::string& plain, const parquet::Column& c) {
  auto le = [&](size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < plain.size(); ++i) v |= uint64_t(uint8_t(plain[i])) << (8 * i);
    return v;
  };
  switch (c.type) {
    case PhysicalType::kBoolean:
      return !plain.empty() && plain[0] != 0;
    case PhysicalType::kInt32:
      if (plain.size() == 4) return static_cast<int32_t>(le(4));
      break;
    case PhysicalType::kInt64:
      if (plain.size() == 8) return Int64Json(static_cast<int64_t>(le(8)), c.logical);
      break;
    case PhysicalType::kFloat:
      if (plain.size() == 4) {
        float f;
        uint32_t u = static_cast<uint32_t>(le(4));
        std::memcpy(&f, &u, 4);
        return f;
      }
      break;
    case PhysicalType::kDouble:
      if (plain.size() == 8) {
        double f;
        uint64_t u = le(8);
        std::memcpy(&f, &u, 8);
        return f;
      }
      break;
    case PhysicalType::kByteArray:
      if (c.logical == LogicalType::kString) return plain;
      break;
    default:
      break;
  }
  return HexEncode(AsBytes(plain));
}

Status RunSchema(const std::string& path, bool json) {
  ASSIGN_OR_RETURN(auto r, parquet::FileReader::Open(path));
  if (json) return WriteStdout(Dump(SchemaJson(r->schema()), 2) + "\n");
  std::string out;
  for (const auto& c : r->schema().columns) {
    out += c.name + ": " + (c.optional ? "OPTIONAL " : "REQUIRED ") +
           parquet::PhysicalTypeName(c.type);
    if (c.type == PhysicalType::kFixedLenByteArray)
      out += "(" + std::to_string(c.type_length) + ")";
    if (c.logical != LogicalType::kNone)
      out += std::string(" ") + parquet::LogicalTypeName(c.logical);
    out += "\n";
  }
  return WriteStdout(out);
}

Status RunMeta(const std::string& path, bool json) {
  ASSIGN_OR_RETURN(auto r, parquet::FileReader::Open(path));
  const auto& schema = r->schema();
  nlohmann::json j{{"file", path},
                   {"num_rows", r->num_rows()},
                   {"created_by", r->created_by()},
                   {"schema", SchemaJson(schema)}};
  nlohmann::json kv = nlohmann::json::object();
  for (const auto& [k, v] : r->key_value_metadata())
    kv[k] = v.size() > 200 ? v.substr(0, 200) + "..." : v;
  j["key_value_metadata"] = kv;
  nlohmann::json groups = nlohmann::json::array();
  for (size_t g = 0; g < r->num_row_groups(); ++g) {
    const auto& rg = r->row_group(g);
    nlohmann::json cols = nlohmann::json::array();
    for (size_t c = 0; c < rg.columns.size() && c < schema.columns.size(); ++c) {
      const auto& cc = rg.columns[c];
      nlohmann::json stats = nlohmann::json::object();
      if (cc.stats.min) stats["min"] = StatJson(*cc.stats.min, schema.columns[c]);
      if (cc.stats.max) stats["max"] = StatJson(*cc.stats.max, schema.columns[c]);
      if (cc.stats.null_count) stats["null_count"] = *cc.stats.null_count;
      cols.push_back({{"column", schema.columns[c].name},
                      {"codec", cc.codec},
                      {"encodings", cc.encodings},
                      {"num_values", cc.num_values},
                      {"compressed_bytes", cc.compressed_bytes},
                      {"uncompressed_bytes", cc.uncompressed_bytes},
                      {"statistics", stats},
                      {"bloom_filter", cc.has_bloom_filter}});
    }
    groups.push_back({{"row_group", g},
                      {"num_rows", rg.num_rows},
                      {"total_bytes", rg.total_bytes},
                      {"columns", cols}});
  }
  j["row_groups"] = groups;
  if (json) return WriteStdout(Dump(j, 2) + "\n");
  std::ostringstream o;
  o << "file: " << path << "\nrows: " << r->num_rows() << "\ncreated_by: " << r->created_by()
    << "\nrow groups: " << r->num_row_groups() << "\n";
  for (const auto& g : groups) {
    o << "row group " << g["row_group"].get<size_t>() << ": " << g["num_rows"].get<int64_t>()
      << " rows, " << g["total_bytes"].get<int64_t>() << " bytes\n";
    for (const auto& c : g["columns"]) {
      o << "  " << c["column"].get<std::string>() << ": " << c["codec"].get<std::string>() << " [";
      bool first = true;
      for (const auto& e : c["encodings"]) {
        o << (first ? "" : ", ") << e.get<std::string>();
        first = false;
      }
      o << "] values=" << c["num_values"].get<int64_t>()
        << " compressed=" << c["compressed_bytes"].get<int64_t>()
        << " uncompressed=" << c["uncompressed_bytes"].get<int64_t>();
      if (!c["statistics"].empty()) o << " stats=" << Dump(c["statistics"]);
      if (c["bloom_filter"].get<bool>()) o << " bloom";
      o << "\n";
    }
  }
  return WriteStdout(o.str());
}

Status RunCat(const std::string& path, int64_t limit, const std::vector<std::string>& only) {
  ASSIGN_OR_RETURN(auto r, parquet::FileReader::Open(path));
  const auto& schema = r->schema();
  std::vector<size_t> cols;
  if (only.empty()) {
    for (size_t i = 0; i < schema.columns.size(); ++i) cols.push_back(i);
  } else {
    for (const auto& name : only) {
      auto i = schema.Find(name);
      if (!i) return Status::InvalidArgument("no column named \"" + name + "\" in " + path);
      cols.push_back(*i);
    }
  }
  int64_t printed = 0;
  for (size_t g = 0; g < r->num_row_groups() && (limit < 0 || printed < limit); ++g) {
    std::vector<ColumnCursor> cursors;
    for (size_t c : cols) {
      ASSIGN_OR_RETURN(ColumnValues v, r->ReadColumn(g, c));
      if (static_cast<int64_t>(v.num_rows()) != r->row_group(g).num_rows) {
        return Status::Corruption(path + ": column " + schema.columns[c].name + " in row group " +
                                  std::to_string(g) + " has " + std::to_string(v.num_rows()) +
                                  " rows, the row group " +
                                  std::to_string(r->row_group(g).num_rows));
      }
      cursors.push_back(ColumnCursor{&schema.columns[c], std::move(v), 0});
    }
    std::string out;
    const int64_t rows = r->row_group(g).num_rows;
    for (int64_t row = 0; row < rows && (limit < 0 || printed < limit); ++row, ++printed) {
      nlohmann::json obj = nlohmann::json::object();
      for (auto& cur : cursors) obj[cur.spec->name] = cur.Next(static_cast<size_t>(row));
      out += Dump(obj) + "\n";
      if (out.size() > (1 << 20)) {
        RETURN_IF_ERROR(WriteStdout(out));
        out.clear();
      }
    }
    RETURN_IF_ERROR(WriteStdout(out));
  }
  return Status::Ok();
}

}  // namespace

void RegisterParquet(CLI::App& app) {
  auto* pq = app.add_subcommand("parquet", "Inspect Parquet files (schema, metadata, rows)");
  pq->require_subcommand(1);
  {
    struct F {
      std::string file;
      bool json = false;
    };
    auto f = std::make_shared<F>();
    auto* cmd = pq->add_subcommand("schema", "Print the columns: name, repetition, type");
    cmd->add_option("file", f->file, "Parquet file")->required();
    cmd->add_flag("--json", f->json, "JSON output");
    SetAction(cmd, [f] { return RunSchema(f->file, f->json); });
  }
  {
    struct F {
      std::string file;
      bool json = false;
    };
    auto f = std::make_shared<F>();
    auto* cmd = pq->add_subcommand("meta", "Print row groups, codecs, encodings, statistics");
    cmd->add_option("file", f->file, "Parquet file")->required();
    cmd->add_flag("--json", f->json, "JSON output");
    SetAction(cmd, [f] { return RunMeta(f->file, f->json); });
  }
  {
    struct F {
      std::string file;
      int64_t limit = -1;
      std::vector<std::string> columns;
    };
    auto f = std::make_shared<F>();
    auto* cmd = pq->add_subcommand("cat", "Print rows, one JSON object per line");
    cmd->add_option("file", f->file, "Parquet file")->required();
    cmd->add_option("-n,--limit", f->limit, "Print at most N rows");
    cmd->add_option("--columns", f->columns, "Only these columns (projection)")->delimiter(',');
    SetAction(cmd, [f]() -> Status {
      if (f->limit < -1) return Status::InvalidArgument("--limit must not be negative");
      return RunCat(f->file, f->limit, f->columns);
    });
  }
}

}  // namespace ipfs_kit::cli
