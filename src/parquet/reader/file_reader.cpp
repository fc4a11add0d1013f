#include "ipfs_kit/parquet/file_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bloom/split_block_bloom.h"
#include "format/parquet_types.h"
#include "reader/column_chunk_reader.h"

namespace ipfs_kit::parquet {
namespace {

constexpr char kMagic[4] = {'P', 'A', 'R', '1'};
// A footer larger than this is refused rather than decoded (ours are KiBs).
constexpr uint64_t kMaxFooterBytes = 64ull << 20;

LogicalType MapLogical(const format::SchemaElement& e) {
  if (e.logical_type) {
    const auto& lt = *e.logical_type;
    switch (lt.kind) {
      case format::LogicalType::Kind::kString: return LogicalType::kString;
      case format::LogicalType::Kind::kTimestamp:
        if (lt.unit == format::TimeUnit::kMillis) return LogicalType::kTimestampMillis;
        if (lt.unit == format::TimeUnit::kMicros) return LogicalType::kTimestampMicros;
        return LogicalType::kTimestampNanos;
      case format::LogicalType::Kind::kInteger:
        // Signed integers of the physical width read as plain integers.
        if (lt.is_signed) return LogicalType::kNone;
        return LogicalType::kOther;
      case format::LogicalType::Kind::kNone: break;
      default: return LogicalType::kOther;
    }
  }
  if (e.converted_type) {
    switch (*e.converted_type) {
      case format::ConvertedType::UTF8: return LogicalType::kString;
      case format::ConvertedType::TIMESTAMP_MILLIS: return LogicalType::kTimestampMillis;
      case format::ConvertedType::TIMESTAMP_MICROS: return LogicalType::kTimestampMicros;
      case format::ConvertedType::INT_8:
      case format::ConvertedType::INT_16:
      case format::ConvertedType::INT_32:
      case format::ConvertedType::INT_64: return LogicalType::kNone;
      default: return LogicalType::kOther;
    }
  }
  return LogicalType::kNone;
}

class MappedFileReader : public FileReader {
 public:
  ~MappedFileReader() override {
    if (map_ != nullptr) ::munmap(map_, size_);
  }

  Status Init(const std::string& path) {
    path_ = path;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int e = errno;
      ::close(fd);
      return Status::IOError("cannot stat " + path + ": " + std::strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      return Status::InvalidArgument(path + " is not a regular file");
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ < 12) {
      ::close(fd);
      return Fail("file of " + std::to_string(size_) + " bytes is too small to be Parquet");
    }
    map_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    ::close(fd);
    if (map_ == MAP_FAILED) {
      map_ = nullptr;
      return Status::IOError("cannot map " + path + ": " + std::strerror(e));
    }
    ByteView file = bytes();
    if (std::memcmp(file.data(), kMagic, 4) != 0) return Fail("wrong magic at the start (not PAR1)");
    if (std::memcmp(file.data() + size_ - 4, kMagic, 4) != 0) {
      return Fail("wrong magic at the end (not PAR1; truncated or encrypted file?)");
    }
    const uint8_t* p = file.data() + size_ - 8;
    uint64_t footer_len = uint64_t(p[0]) | uint64_t(p[1]) << 8 | uint64_t(p[2]) << 16 |
                          uint64_t(p[3]) << 24;
    if (footer_len > size_ - 12) {
      return Fail("footer length " + std::to_string(footer_len) + " runs past the start of the " +
                  std::to_string(size_) + "-byte file");
    }
    if (footer_len > kMaxFooterBytes) return Fail("footer larger than 64 MiB");
    auto md = format::DecodeFileMetaData(file.subspan(size_ - 8 - footer_len, footer_len));
    if (!md.ok()) return Fail("corrupt footer: " + md.status().message());
    md_ = std::move(md).value();
    data_end_ = size_ - 8 - footer_len;
    RETURN_IF_ERROR(BuildSchema());
    return BuildRowGroups();
  }

  const std::string& path() const override { return path_; }
  const Schema& schema() const override { return schema_; }
  int64_t num_rows() const override { return md_.num_rows; }
  size_t num_row_groups() const override { return groups_.size(); }
  const RowGroupInfo& row_group(size_t i) const override { return groups_.at(i); }
  std::string created_by() const override { return md_.created_by.value_or(""); }
  std::vector<std::pair<std::string, std::string>> key_value_metadata() const override {
    std::vector<std::pair<std::string, std::string>> out;
    if (md_.key_value_metadata) {
      for (const auto& kv : *md_.key_value_metadata) out.emplace_back(kv.key, kv.value.value_or(""));
    }
    return out;
  }

  Result<ColumnValues> ReadColumn(size_t rg, size_t col) const override {
    RETURN_IF_ERROR(CheckIndex(rg, col));
    const auto& md = *md_.row_groups[rg].columns[col].meta_data;
    std::string where = path_ + ": row group " + std::to_string(rg) + ", column " +
                        schema_.columns[col].name;
    // Pages live before the footer.
    return ReadColumnChunk(bytes().subspan(0, data_end_), md, schema_.columns[col], where);
  }

  Result<bool> BloomMayContain(size_t rg, size_t col, ByteView plain_value) const override {
    RETURN_IF_ERROR(CheckIndex(rg, col));
    const auto& md = *md_.row_groups[rg].columns[col].meta_data;
    if (!md.bloom_filter_offset) return true;
    int64_t off = *md.bloom_filter_offset;
    if (off < 4 || static_cast<uint64_t>(off) >= data_end_) {
      return Fail("bloom filter offset outside the file");
    }
    ByteView rest = bytes().subspan(off, data_end_ - off);
    size_t hlen = 0;
    auto h = format::DecodeBloomFilterHeader(rest, &hlen);
    if (!h.ok()) return Fail("corrupt bloom filter header: " + h.status().message());
    if (h->num_bytes < 0 || static_cast<size_t>(h->num_bytes) > rest.size() - hlen) {
      return Fail("bloom filter runs past the file");
    }
    auto f = SplitBlockBloomFilter::FromBytes(rest.subspan(hlen, h->num_bytes));
    if (!f.ok()) return Fail("bad bloom filter: " + f.status().message());
    return f->MayContainHash(SplitBlockBloomFilter::Hash(plain_value));
  }

 private:
  ByteView bytes() const { return ByteView(static_cast<const uint8_t*>(map_), size_); }
  Status Fail(const std::string& what) const { return Status::Corruption(path_ + ": " + what); }

  Status CheckIndex(size_t rg, size_t col) const {
    if (rg >= groups_.size()) return Status::InvalidArgument(path_ + ": no row group " + std::to_string(rg));
    if (col >= schema_.columns.size()) return Status::InvalidArgument(path_ + ": no column " + std::to_string(col));
    return Status::Ok();
  }

  Status BuildSchema() {
    const auto& s = md_.schema;
    if (s.empty()) return Fail("empty schema");
    const int32_t children = s[0].num_children.value_or(0);
    if (children < 0 || static_cast<size_t>(children) != s.size() - 1) {
      return Fail("nested or malformed schema (root has " + std::to_string(children) +
                  " children, " + std::to_string(s.size() - 1) + " elements follow); only flat schemas are supported");
    }
    for (size_t i = 1; i < s.size(); ++i) {
      const auto& e = s[i];
      if (e.num_children.value_or(0) != 0 || !e.type) {
        return Status::Unsupported(path_ + ": column " + e.name + " is a group; only flat schemas are supported");
      }
      auto rep = e.repetition_type.value_or(format::FieldRepetitionType::REQUIRED);
      if (rep == format::FieldRepetitionType::REPEATED) {
        return Status::Unsupported(path_ + ": column " + e.name + " is REPEATED");
      }
      Column c;
      c.name = e.name;
      int32_t t = static_cast<int32_t>(*e.type);
      if (t < 0 || t > 7) return Fail("column " + e.name + " has unknown type " + std::to_string(t));
      c.type = static_cast<PhysicalType>(t);
      c.optional = rep == format::FieldRepetitionType::OPTIONAL;
      c.logical = MapLogical(e);
      if (c.type == PhysicalType::kFixedLenByteArray) {
        c.type_length = e.type_length.value_or(0);
        if (c.type_length <= 0) return Fail("column " + e.name + " has no valid type_length");
      }
      schema_.columns.push_back(std::move(c));
    }
    return Status::Ok();
  }

  Status BuildRowGroups() {
    int64_t total = 0;
    for (size_t g = 0; g < md_.row_groups.size(); ++g) {
      const auto& rg = md_.row_groups[g];
      if (rg.columns.size() != schema_.columns.size()) {
        return Fail("row group " + std::to_string(g) + " has " + std::to_string(rg.columns.size()) +
                    " columns, the schema " + std::to_string(schema_.columns.size()));
      }
      if (rg.num_rows < 0) return Fail("row group " + std::to_string(g) + " has a negative row count");
      total += rg.num_rows;
      RowGroupInfo info;
      info.num_rows = rg.num_rows;
      info.total_bytes = rg.total_byte_size;
      for (size_t c = 0; c < rg.columns.size(); ++c) {
        const auto& cc = rg.columns[c];
        if (cc.file_path) return Status::Unsupported(path_ + ": column chunks in other files");
        if (!cc.meta_data) return Fail("row group " + std::to_string(g) + " column " + std::to_string(c) + " has no metadata");
        const auto& m = *cc.meta_data;
        ColumnChunkInfo ci;
        ci.codec = format::CodecName(m.codec);
        for (auto e : m.encodings) ci.encodings.push_back(format::EncodingName(e));
        ci.num_values = m.num_values;
        ci.compressed_bytes = m.total_compressed_size;
        ci.uncompressed_bytes = m.total_uncompressed_size;
        if (m.statistics) {
          const auto& st = *m.statistics;
          // Prefer the newer fields (well-defined sort order).
          ci.stats.min = st.min_value ? st.min_value : st.min;
          ci.stats.max = st.max_value ? st.max_value : st.max;
          ci.stats.null_count = st.null_count;
        }
        ci.has_bloom_filter = m.bloom_filter_offset.has_value();
        info.columns.push_back(std::move(ci));
      }
      groups_.push_back(std::move(info));
    }
    if (total != md_.num_rows) {
      return Fail("row groups hold " + std::to_string(total) + " rows, the footer says " +
                  std::to_string(md_.num_rows));
    }
    return Status::Ok();
  }

  std::string path_;
  void* map_ = nullptr;
  size_t size_ = 0;
  size_t data_end_ = 0;
  format::FileMetaData md_;
  Schema schema_;
  std::vector<RowGroupInfo> groups_;
};

}  // namespace

Result<std::unique_ptr<FileReader>> FileReader::Open(const std::string& path) {
  auto r = std::make_unique<MappedFileReader>();
  RETURN_IF_ERROR(r->Init(path));
  return std::unique_ptr<FileReader>(std::move(r));
}

}  // namespace ipfs_kit::parquet
