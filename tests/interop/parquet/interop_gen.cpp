// parquet_interop_gen OUTDIR: writes the files that tests/interop/parquet
// reads with DuckDB, parquet-wasm and hyparquet, each with <case>.rows.json
// (the rows, in that suite's convention) and <case>.meta.json (what DuckDB's
// parquet_metadata must show).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/parquet/file_writer.h"
#include "ipfs_kit/routing/index.h"

using namespace ipfs_kit;
using namespace ipfs_kit::parquet;
using nlohmann::json;

namespace {

std::string Hex(const std::string& s) { return HexEncode(AsBytes(s)); }

std::string IsoMillis(int64_t ms) {
  int64_t secs = ms / 1000, frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(frac));
  return buf;
}

json Num(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return d;
}

// Row JSON for one value of column c at value index i.
json Value(const Column& c, const ColumnValues& v, size_t i) {
  switch (c.type) {
    case PhysicalType::kBoolean: return v.bools[i] != 0;
    case PhysicalType::kInt32: return v.i32[i];
    case PhysicalType::kInt64:
      if (c.logical == LogicalType::kTimestampMillis) return IsoMillis(v.i64[i]);
      if (c.logical == LogicalType::kTimestampMicros) {
        int64_t x = v.i64[i];
        return IsoMillis(x >= 0 ? x / 1000 : -((-x + 999) / 1000));
      }
      return std::to_string(v.i64[i]);
    case PhysicalType::kFloat: return Num(v.f32[i]);
    case PhysicalType::kDouble: return Num(v.f64[i]);
    case PhysicalType::kByteArray:
      return c.logical == LogicalType::kString ? json(v.bytes[i]) : json(Hex(v.bytes[i]));
    case PhysicalType::kFixedLenByteArray: return Hex(v.bytes[i]);
    default: return nullptr;
  }
}

json Rows(const Schema& s, const std::vector<ColumnValues>& cols) {
  json rows = json::array();
  size_t n = cols[0].num_rows();
  std::vector<size_t> next(cols.size(), 0);
  for (size_t r = 0; r < n; ++r) {
    json row = json::object();
    for (size_t c = 0; c < cols.size(); ++c) {
      const auto& v = cols[c];
      if (!v.defined.empty() && !v.defined[r]) {
        row[s.columns[c].name] = nullptr;
      } else {
        row[s.columns[c].name] = Value(s.columns[c], v, next[c]++);
      }
    }
    rows.push_back(row);
  }
  return rows;
}

std::vector<ColumnValues> Generate(const Schema& s, size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<ColumnValues> cols;
  for (const auto& c : s.columns) {
    ColumnValues v;
    v.type = c.type;
    for (size_t r = 0; r < n; ++r) {
      bool def = !c.optional || rng() % 4 != 0;
      if (c.optional) v.defined.push_back(def);
      if (!def) continue;
      switch (c.type) {
        case PhysicalType::kBoolean: v.bools.push_back(rng() & 1); break;
        case PhysicalType::kInt32:
          v.i32.push_back(r == 0 ? INT32_MIN : r == 1 ? INT32_MAX : static_cast<int32_t>(rng() % 2000) - 1000);
          break;
        case PhysicalType::kInt64:
          if (c.logical != LogicalType::kNone) {
            int64_t base = 1704067200000;  // 2024-01-01 in ms
            int64_t ms = base + static_cast<int64_t>(rng() % 100000000) - 50000000;
            v.i64.push_back(c.logical == LogicalType::kTimestampMicros ? ms * 1000 + static_cast<int64_t>(rng() % 1000) : ms);
          } else {
            v.i64.push_back(r == 0 ? INT64_MIN : r == 1 ? INT64_MAX : static_cast<int64_t>(rng()) >> (rng() % 40));
          }
          break;
        case PhysicalType::kFloat: v.f32.push_back(static_cast<float>(static_cast<int>(rng() % 20000) - 10000) / 8.0f); break;
        case PhysicalType::kDouble: v.f64.push_back(static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) / 64.0); break;
        case PhysicalType::kByteArray:
          if (c.logical == LogicalType::kString) {
            static const char* words[] = {"local", "s3", "kubo", "pinata", "filebase", "ü-ñ-✓", ""};
            v.bytes.push_back(rng() % 3 ? std::string(words[rng() % 7]) : "bafy" + std::to_string(rng() % 100000));
          } else {
            std::string b(rng() % 9, '\0');
            for (auto& ch : b) ch = static_cast<char>(rng());
            v.bytes.push_back(b);
          }
          break;
        case PhysicalType::kFixedLenByteArray: {
          std::string b(c.type_length, '\0');
          for (auto& ch : b) ch = static_cast<char>(rng());
          v.bytes.push_back(b);
          break;
        }
        default: break;
      }
    }
    cols.push_back(std::move(v));
  }
  return cols;
}

Schema Types(bool optional) {
  Schema s;
  s.columns = {{"flag", PhysicalType::kBoolean, LogicalType::kNone, optional, 0},
               {"small", PhysicalType::kInt32, LogicalType::kNone, optional, 0},
               {"big", PhysicalType::kInt64, LogicalType::kNone, optional, 0},
               {"ratio", PhysicalType::kFloat, LogicalType::kNone, optional, 0},
               {"score", PhysicalType::kDouble, LogicalType::kNone, optional, 0},
               {"name", PhysicalType::kByteArray, LogicalType::kString, optional, 0},
               {"blob", PhysicalType::kByteArray, LogicalType::kNone, optional, 0},
               {"digest", PhysicalType::kFixedLenByteArray, LogicalType::kNone, optional, 8},
               {"at_ms", PhysicalType::kInt64, LogicalType::kTimestampMillis, optional, 0},
               {"at_us", PhysicalType::kInt64, LogicalType::kTimestampMicros, optional, 0}};
  return s;
}

int WriteCase(const std::string& dir, const std::string& name, const Schema& s,
              const WriterOptions& o, size_t rows, uint32_t seed) {
  auto cols = Generate(s, rows, seed);
  std::string path = dir + "/" + name + ".parquet";
  auto w = FileWriter::Open(path, s, o);
  if (!w.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), w.status().ToString().c_str());
    return 1;
  }
  Status st = (*w)->Write(cols);
  if (st.ok()) st = (*w)->Close();
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), st.ToString().c_str());
    return 1;
  }
  std::ofstream(dir + "/" + name + ".rows.json") << Rows(s, cols).dump();
  // Metadata DuckDB must report: row count, groups, codec on every chunk,
  // and the statistics of the integer column in the first row group.
  size_t groups = (rows + o.row_group_rows - 1) / o.row_group_rows;
  json meta{{"num_rows", rows}, {"num_row_groups", groups}, {"created_by", "ipfs-kit"}};
  json columns = json::array();
  for (const auto& c : s.columns) {
    columns.push_back({{"path_in_schema", c.name}, {"compression", CodecName(o.codec)}});
  }
  if (auto i = s.Find("small"); i && !s.columns[*i].optional) {
    const auto& v = cols[*i].i32;
    size_t first = std::min(rows, o.row_group_rows);
    int32_t mn = *std::min_element(v.begin(), v.begin() + first);
    int32_t mx = *std::max_element(v.begin(), v.begin() + first);
    columns.push_back({{"row_group_id", 0}, {"path_in_schema", "small"}, {"stats_min", std::to_string(mn)},
                       {"stats_max", std::to_string(mx)}, {"stats_null_count", 0}});
  }
  meta["columns"] = columns;
  std::ofstream(dir + "/" + name + ".meta.json") << meta.dump(2);
  return 0;
}

// The three routing-index files, published by IndexWriter from known rows.
int WriteIndexCase(const std::string& dir) {
  using namespace ipfs_kit::routing;
  std::mt19937_64 rng(99);
  std::vector<PinRow> pins;
  std::vector<LocationRow> locs;
  std::vector<BackendRow> backends;
  for (int b = 0; b < 4; ++b) {
    BackendRow r;
    r.name = "backend-" + std::to_string(b);
    r.type = b % 2 ? "s3" : "kubo";
    r.state = b == 3 ? "unhealthy" : "healthy";
    if (b == 3) r.reason = "connection refused";
    r.latency_ms_p50 = 1.5 * (b + 1);
    r.latency_ms_p99 = 6.25 * (b + 1);
    r.error_rate = b * 0.125;
    r.bytes_used = int64_t{1} << (30 + b);
    r.bytes_free = int64_t{1} << (40 - b);
    r.pin_count = 100 * b;
    r.priority = b;
    r.checked_at_ms = 1735689600000 + b;
    backends.push_back(r);
  }
  for (int i = 0; i < 2500; ++i) {
    PinRow p;
    p.cid = "bafkrei" + std::to_string(1000000 + (rng() % 9000000));
    while (std::any_of(pins.begin(), pins.end(), [&](const PinRow& q) { return q.cid == p.cid; })) {
      p.cid += "x";
    }
    if (i % 3 == 0) p.name = "file-" + std::to_string(i);
    p.size_bytes = static_cast<int64_t>(rng() % (int64_t{1} << 36));
    p.status = i % 5 ? "pinned" : "queued";
    p.replication_min = 1;
    p.replication_max = 3;
    p.replicas = 1 + i % 3;
    p.created_at_ms = 1735689600000 + i * 1000;
    p.updated_at_ms = p.created_at_ms + 500;
    for (int k = 0; k < p.replicas; ++k) {
      LocationRow l{p.cid, "backend-" + std::to_string((i + k) % 4), "pinned", p.size_bytes,
                    std::nullopt};
      if (k == 0) l.verified_at_ms = p.updated_at_ms + 1;
      locs.push_back(l);
    }
    pins.push_back(p);
  }
  IndexWriterOptions o;
  o.rows_per_group = 1000;
  std::string idx = dir + "/.index-work";
  auto gen = IndexWriter(idx, o).Publish(pins, locs, backends);
  if (!gen.ok()) {
    std::fprintf(stderr, "index: %s\n", gen.status().ToString().c_str());
    return 1;
  }
  std::sort(pins.begin(), pins.end(), [](auto& a, auto& b) { return a.cid < b.cid; });
  std::sort(locs.begin(), locs.end(), [](auto& a, auto& b) {
    return a.cid != b.cid ? a.cid < b.cid : a.backend < b.backend;
  });
  auto opt = [](const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); };
  json pr = json::array(), lr = json::array(), br = json::array();
  for (const auto& p : pins) {
    pr.push_back({{"cid", p.cid}, {"name", opt(p.name)}, {"size_bytes", std::to_string(p.size_bytes)},
                  {"pin_type", p.pin_type}, {"status", p.status}, {"replication_min", p.replication_min},
                  {"replication_max", p.replication_max}, {"replicas", p.replicas},
                  {"created_at", IsoMillis(p.created_at_ms)}, {"updated_at", IsoMillis(p.updated_at_ms)}});
  }
  for (const auto& l : locs) {
    lr.push_back({{"cid", l.cid}, {"backend", l.backend}, {"state", l.state},
                  {"size_bytes", std::to_string(l.size_bytes)},
                  {"verified_at", l.verified_at_ms ? json(IsoMillis(*l.verified_at_ms)) : json(nullptr)}});
  }
  for (const auto& b : backends) {
    br.push_back({{"name", b.name}, {"type", b.type}, {"state", b.state}, {"reason", opt(b.reason)},
                  {"latency_ms_p50", b.latency_ms_p50}, {"latency_ms_p99", b.latency_ms_p99},
                  {"error_rate", b.error_rate}, {"bytes_used", std::to_string(b.bytes_used)},
                  {"bytes_free", std::to_string(b.bytes_free)}, {"pin_count", std::to_string(b.pin_count)},
                  {"priority", b.priority}, {"checked_at", IsoMillis(b.checked_at_ms)}});
  }
  struct Out {
    const char* name;
    json rows;
    size_t groups;
    const char* bloom_col;
  } outs[] = {{"pins", pr, 3, "cid"}, {"locations", lr, 5, "cid"}, {"backends", br, 1, nullptr}};
  for (auto& o2 : outs) {
    std::string src = idx + "/" + o2.name + "-1.parquet";
    std::string dst = dir + "/index-" + o2.name + ".parquet";
    if (std::rename(src.c_str(), dst.c_str()) != 0) return 1;
    std::ofstream(dir + "/index-" + o2.name + ".rows.json") << o2.rows.dump();
    json meta{{"num_rows", o2.rows.size()}, {"created_by", "ipfs-kit"}};
    json cols = json::array();
    cols.push_back({{"path_in_schema", std::string(o2.name) == "backends" ? "name" : "cid"},
                    {"compression", "ZSTD"}, {"stats_null_count", 0}});
    if (std::string(o2.name) != "backends") {
      // Sorted by cid: the first group's minimum is the smallest CID.
      cols.push_back({{"row_group_id", 0}, {"path_in_schema", "cid"},
                      {"stats_min", o2.rows[0]["cid"]}, {"encodings", "PLAIN"}});
    }
    meta["columns"] = cols;
    std::ofstream(dir + "/index-" + o2.name + ".meta.json") << meta.dump(2);
  }
  std::filesystem::remove_all(idx);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: parquet_interop_gen OUTDIR\n");
    return 2;
  }
  std::string dir = argv[1];
  int rc = 0;
  uint32_t seed = 1;
  for (bool optional : {false, true}) {
    for (Codec codec : {Codec::kUncompressed, Codec::kSnappy, Codec::kZstd}) {
      for (bool dict : {false, true}) {
        WriterOptions o;
        o.codec = codec;
        o.row_group_rows = 700;
        o.data_page_bytes = 4096;
        o.column_defaults.dictionary = dict;
        o.column_defaults.dictionary_max_ratio = 1.0;  // dictionary on every column when asked
        std::string name = std::string(optional ? "optional" : "required") + "-" +
                           CodecName(codec) + "-" + (dict ? "dict" : "plain");
        rc |= WriteCase(dir, name, Types(optional), o, 2000, seed++);
      }
    }
  }
  rc |= WriteIndexCase(dir);
  return rc;
}
