// Writer → reader round trips over every supported type, codec, encoding and
// nullability, plus the reader's handling of damaged files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>

#include "ipfs_kit/parquet/file_reader.h"
#include "ipfs_kit/parquet/file_writer.h"

namespace ipfs_kit::parquet {
namespace {

std::string TempPath(const std::string& name) {
  return "/tmp/ipfs-kit-pq-" + std::to_string(::getpid()) + "-" + name + ".parquet";
}

Schema AllTypes(bool optional) {
  Schema s;
  s.columns = {{"b", PhysicalType::kBoolean, LogicalType::kNone, optional, 0},
               {"i32", PhysicalType::kInt32, LogicalType::kNone, optional, 0},
               {"i64", PhysicalType::kInt64, LogicalType::kNone, optional, 0},
               {"f", PhysicalType::kFloat, LogicalType::kNone, optional, 0},
               {"d", PhysicalType::kDouble, LogicalType::kNone, optional, 0},
               {"s", PhysicalType::kByteArray, LogicalType::kString, optional, 0},
               {"bin", PhysicalType::kByteArray, LogicalType::kNone, optional, 0},
               {"fixed", PhysicalType::kFixedLenByteArray, LogicalType::kNone, optional, 4},
               {"ts", PhysicalType::kInt64, LogicalType::kTimestampMillis, optional, 0}};
  return s;
}

std::vector<ColumnValues> MakeRows(const Schema& s, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<ColumnValues> cols;
  for (const auto& c : s.columns) {
    ColumnValues v;
    v.type = c.type;
    for (size_t r = 0; r < n; ++r) {
      bool def = !c.optional || rng() % 5 != 0;
      if (c.optional) v.defined.push_back(def);
      if (!def) continue;
      switch (c.type) {
        case PhysicalType::kBoolean: v.bools.push_back(rng() & 1); break;
        case PhysicalType::kInt32: v.i32.push_back(static_cast<int32_t>(rng() % 50) - 25); break;
        case PhysicalType::kInt64: v.i64.push_back((static_cast<int64_t>(rng()) << 20) - (1ll << 40)); break;
        case PhysicalType::kFloat: v.f32.push_back(static_cast<float>(rng() % 1000) / 7.0f); break;
        case PhysicalType::kDouble: v.f64.push_back(static_cast<double>(rng()) / 3.0); break;
        case PhysicalType::kByteArray: v.bytes.push_back("v" + std::to_string(rng() % 300)); break;
        case PhysicalType::kFixedLenByteArray: {
          uint32_t x = rng();
          v.bytes.emplace_back(reinterpret_cast<const char*>(&x), 4);
          break;
        }
        default: break;
      }
    }
    cols.push_back(std::move(v));
  }
  return cols;
}

void ExpectSame(const ColumnValues& a, const ColumnValues& b) {
  EXPECT_EQ(a.defined, b.defined);
  EXPECT_EQ(a.bools, b.bools);
  EXPECT_EQ(a.i32, b.i32);
  EXPECT_EQ(a.i64, b.i64);
  EXPECT_EQ(a.f32, b.f32);
  EXPECT_EQ(a.f64, b.f64);
  EXPECT_EQ(a.bytes, b.bytes);
}

TEST(ParquetFile, RoundTripEveryTypeCodecAndEncoding) {
  for (bool optional : {false, true}) {
    for (Codec codec : {Codec::kUncompressed, Codec::kSnappy, Codec::kZstd}) {
      for (bool dict : {false, true}) {
        Schema s = AllTypes(optional);
        WriterOptions o;
        o.codec = codec;
        o.row_group_rows = 300;
        o.data_page_bytes = 512;  // several pages per chunk
        o.column_defaults.dictionary = dict;
        o.column_defaults.dictionary_max_ratio = 1.0;
        std::string path = TempPath("rt");
        auto w = FileWriter::Open(path, s, o);
        ASSERT_TRUE(w.ok()) << w.status().ToString();
        auto rows = MakeRows(s, 1000, 42);
        ASSERT_TRUE((*w)->Write(rows).ok());
        ASSERT_TRUE((*w)->Close().ok());
        auto r = FileReader::Open(path);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        EXPECT_EQ((*r)->num_rows(), 1000);
        EXPECT_EQ((*r)->num_row_groups(), 4u);  // 300 + 300 + 300 + 100
        ASSERT_EQ((*r)->schema().columns.size(), s.columns.size());
        for (size_t c = 0; c < s.columns.size(); ++c) {
          EXPECT_EQ((*r)->schema().columns[c].logical, s.columns[c].logical);
          EXPECT_EQ((*r)->schema().columns[c].optional, optional);
          ColumnValues all;
          all.type = s.columns[c].type;
          for (size_t g = 0; g < (*r)->num_row_groups(); ++g) {
            auto v = (*r)->ReadColumn(g, c);
            ASSERT_TRUE(v.ok()) << v.status().ToString();
            all.defined.insert(all.defined.end(), v->defined.begin(), v->defined.end());
            all.bools.insert(all.bools.end(), v->bools.begin(), v->bools.end());
            all.i32.insert(all.i32.end(), v->i32.begin(), v->i32.end());
            all.i64.insert(all.i64.end(), v->i64.begin(), v->i64.end());
            all.f32.insert(all.f32.end(), v->f32.begin(), v->f32.end());
            all.f64.insert(all.f64.end(), v->f64.begin(), v->f64.end());
            all.bytes.insert(all.bytes.end(), v->bytes.begin(), v->bytes.end());
          }
          SCOPED_TRACE(s.columns[c].name);
          ExpectSame(all, rows[c]);
        }
        std::remove(path.c_str());
      }
    }
  }
}

TEST(ParquetFile, StatisticsAndBloomFilter) {
  Schema s;
  s.columns = {{"cid", PhysicalType::kByteArray, LogicalType::kString, false, 0},
               {"n", PhysicalType::kInt64, LogicalType::kNone, true, 0}};
  WriterOptions o;
  o.columns["cid"].bloom_filter = true;
  o.columns["cid"].dictionary = false;
  std::string path = TempPath("stats");
  auto w = FileWriter::Open(path, s, o);
  ASSERT_TRUE(w.ok());
  ColumnValues cid, n;
  cid.type = PhysicalType::kByteArray;
  n.type = PhysicalType::kInt64;
  for (int i = 0; i < 500; ++i) {
    cid.bytes.push_back("bafy" + std::to_string(1000 + i));
    n.defined.push_back(i % 2);
    if (i % 2) n.i64.push_back(i - 250);
  }
  ASSERT_TRUE((*w)->Write({cid, n}).ok());
  ASSERT_TRUE((*w)->Close().ok());
  auto r = FileReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& cc = (*r)->row_group(0).columns;
  EXPECT_EQ(*cc[0].stats.min, "bafy1000");
  EXPECT_EQ(*cc[0].stats.max, "bafy1499");
  EXPECT_EQ(*cc[0].stats.null_count, 0);
  EXPECT_EQ(*cc[1].stats.null_count, 250);
  int64_t mn;
  std::memcpy(&mn, cc[1].stats.min->data(), 8);
  EXPECT_EQ(mn, -249);
  EXPECT_TRUE(cc[0].has_bloom_filter);
  for (int i = 0; i < 500; ++i) {
    std::string k = "bafy" + std::to_string(1000 + i);
    EXPECT_TRUE(*(*r)->BloomMayContain(0, 0, AsBytes(k)));
  }
  int false_positives = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string k = "absent" + std::to_string(i);
    false_positives += *(*r)->BloomMayContain(0, 0, AsBytes(k));
  }
  EXPECT_LT(false_positives, 50);
  std::remove(path.c_str());
}

TEST(ParquetFile, DamagedFilesGiveErrors) {
  Schema s = AllTypes(true);
  WriterOptions o;
  o.row_group_rows = 100;
  std::string path = TempPath("good");
  {
    auto w = FileWriter::Open(path, s, o);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(MakeRows(s, 250, 7)).ok());
    ASSERT_TRUE((*w)->Close().ok());
  }
  std::ifstream in(path, std::ios::binary);
  std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string bad = TempPath("bad");
  auto read_all = [&](const std::string& bytes) -> Status {
    std::ofstream(bad, std::ios::binary | std::ios::trunc) << bytes;
    auto r = FileReader::Open(bad);
    if (!r.ok()) return r.status();
    for (size_t g = 0; g < (*r)->num_row_groups(); ++g) {
      for (size_t c = 0; c < (*r)->schema().columns.size(); ++c) {
        auto v = (*r)->ReadColumn(g, c);
        if (!v.ok()) return v.status();
      }
    }
    return Status::Ok();
  };
  ASSERT_TRUE(read_all(good).ok());
  // Every truncation fails cleanly (the magic at the end is gone).
  for (size_t len = 0; len < good.size(); len += 7) {
    Status st = read_all(good.substr(0, len));
    EXPECT_FALSE(st.ok()) << len;
  }
  // Wrong magic, footer length past the file.
  std::string m = good;
  m[0] = 'X';
  EXPECT_NE(read_all(m).message().find("magic"), std::string::npos);
  m = good;
  m[m.size() - 6] = 0x7f;
  EXPECT_NE(read_all(m).message().find("footer length"), std::string::npos);
  // Flipped bytes anywhere: an error or (for bytes inside values) different
  // data, never a crash.
  std::mt19937 rng(3);
  for (int i = 0; i < 400; ++i) {
    std::string f = good;
    f[rng() % f.size()] ^= static_cast<char>(1 + rng() % 255);
    (void)read_all(f);
  }
  std::remove(path.c_str());
  std::remove(bad.c_str());
}

}  // namespace
}  // namespace ipfs_kit::parquet
