#include "ipfs_kit/parquet/file_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "format/parquet_types.h"
#include "writer/column_chunk_writer.h"

namespace ipfs_kit::parquet {

const char* CodecName(Codec c) {
  switch (c) {
    case Codec::kUncompressed: return "UNCOMPRESSED";
    case Codec::kSnappy: return "SNAPPY";
    case Codec::kZstd: return "ZSTD";
  }
  return "UNKNOWN";
}

namespace {

constexpr char kMagic[4] = {'P', 'A', 'R', '1'};
constexpr const char* kCreatedBy = "ipfs-kit version 0.1.0";

format::SchemaElement Leaf(const Column& c) {
  format::SchemaElement e;
  e.name = c.name;
  e.type = static_cast<format::Type>(static_cast<int32_t>(c.type));
  e.repetition_type = c.optional ? format::FieldRepetitionType::OPTIONAL
                                 : format::FieldRepetitionType::REQUIRED;
  if (c.type == PhysicalType::kFixedLenByteArray) e.type_length = c.type_length;
  switch (c.logical) {
    case LogicalType::kString:
      e.converted_type = format::ConvertedType::UTF8;
      e.logical_type = format::LogicalType::String();
      break;
    case LogicalType::kTimestampMillis:
      e.converted_type = format::ConvertedType::TIMESTAMP_MILLIS;
      e.logical_type = format::LogicalType::Timestamp(true, format::TimeUnit::kMillis);
      break;
    case LogicalType::kTimestampMicros:
      e.converted_type = format::ConvertedType::TIMESTAMP_MICROS;
      e.logical_type = format::LogicalType::Timestamp(true, format::TimeUnit::kMicros);
      break;
    case LogicalType::kTimestampNanos:
      e.logical_type = format::LogicalType::Timestamp(true, format::TimeUnit::kNanos);
      break;
    default: break;
  }
  return e;
}

Status CheckSchema(const Schema& s) {
  if (s.columns.empty()) return Status::InvalidArgument("schema has no columns");
  for (const auto& c : s.columns) {
    if (c.name.empty()) return Status::InvalidArgument("column with an empty name");
    if (c.type == PhysicalType::kInt96) return Status::Unsupported("writing INT96 columns");
    if (c.type == PhysicalType::kFixedLenByteArray && c.type_length <= 0) {
      return Status::InvalidArgument("column " + c.name + ": FIXED_LEN_BYTE_ARRAY needs a type_length");
    }
    bool ts = c.logical == LogicalType::kTimestampMillis || c.logical == LogicalType::kTimestampMicros ||
              c.logical == LogicalType::kTimestampNanos;
    if (ts && c.type != PhysicalType::kInt64) {
      return Status::InvalidArgument("column " + c.name + ": timestamps must be INT64");
    }
    if (c.logical == LogicalType::kString && c.type != PhysicalType::kByteArray) {
      return Status::InvalidArgument("column " + c.name + ": STRING must be BYTE_ARRAY");
    }
    if (c.logical == LogicalType::kOther) return Status::InvalidArgument("column " + c.name + ": cannot write logical type OTHER");
  }
  return Status::Ok();
}

// Appends rows [row_begin, row_end) of `src` to `dst`. *value is the index
// of the first value of row_begin in src's value vector (values are dense, so
// nulls have none) and is advanced past the rows taken.
void AppendRows(const ColumnValues& src, size_t row_begin, size_t row_end, size_t* value,
                ColumnValues* dst) {
  size_t count = row_end - row_begin;
  if (!src.defined.empty()) {
    count = 0;
    for (size_t r = row_begin; r < row_end; ++r) {
      const bool d = src.defined[r] != 0;
      dst->defined.push_back(d);
      count += d;
    }
  }
  auto take = [&](const auto& from, auto& to) {
    if (from.empty()) return;
    to.insert(to.end(), from.begin() + *value, from.begin() + *value + count);
  };
  take(src.bools, dst->bools);
  take(src.i32, dst->i32);
  take(src.i64, dst->i64);
  take(src.f32, dst->f32);
  take(src.f64, dst->f64);
  take(src.bytes, dst->bytes);
  *value += count;
}

class FileWriterImpl : public FileWriter {
 public:
  FileWriterImpl(std::string path, Schema schema, WriterOptions options)
      : path_(std::move(path)), schema_(std::move(schema)), o_(std::move(options)) {
    for (const auto& c : schema_.columns) {
      ColumnValues v;
      v.type = c.type;
      buffered_.push_back(std::move(v));
    }
  }
  ~FileWriterImpl() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Init() {
    RETURN_IF_ERROR(CheckSchema(schema_));
    if (o_.row_group_rows == 0) return Status::InvalidArgument("row_group_rows must be positive");
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) return Status::IOError("cannot create " + path_ + ": " + std::strerror(errno));
    return WriteBytes(ByteView(reinterpret_cast<const uint8_t*>(kMagic), 4));
  }

  Status Write(const std::vector<ColumnValues>& batch) override {
    if (closed_) return Status::InvalidArgument(path_ + ": writer already closed");
    if (batch.size() != schema_.columns.size()) {
      return Status::InvalidArgument("batch has " + std::to_string(batch.size()) +
                                     " columns, the schema " + std::to_string(schema_.columns.size()));
    }
    size_t rows = batch.empty() ? 0 : batch[0].num_rows();
    for (size_t i = 0; i < batch.size(); ++i) {
      const auto& c = schema_.columns[i];
      const auto& v = batch[i];
      if (v.type != c.type) {
        return Status::InvalidArgument("column " + c.name + ": values of type " +
                                       PhysicalTypeName(v.type) + ", schema says " +
                                       PhysicalTypeName(c.type));
      }
      if (!c.optional && !v.defined.empty()) {
        return Status::InvalidArgument("column " + c.name + " is REQUIRED but has a null mask");
      }
      if (c.optional && v.defined.empty() && v.value_count() > 0) {
        return Status::InvalidArgument("column " + c.name + " is OPTIONAL: give `defined` per row");
      }
      if (c.optional) {
        size_t def = 0;
        for (uint8_t d : v.defined) def += d != 0;
        if (def != v.value_count()) {
          return Status::InvalidArgument("column " + c.name + ": " + std::to_string(def) +
                                         " defined rows but " + std::to_string(v.value_count()) +
                                         " values");
        }
      }
      if (v.num_rows() != rows) {
        return Status::InvalidArgument("column " + c.name + " has " + std::to_string(v.num_rows()) +
                                       " rows, column " + schema_.columns[0].name + " " +
                                       std::to_string(rows));
      }
      if (c.type == PhysicalType::kFixedLenByteArray) {
        for (const auto& s : v.bytes) {
          if (s.size() != static_cast<size_t>(c.type_length)) {
            return Status::InvalidArgument("column " + c.name + ": value of " + std::to_string(s.size()) +
                                           " bytes, type_length is " + std::to_string(c.type_length));
          }
        }
      }
    }
    // Take the batch in slices that fill the current row group, so the
    // buffer never holds more than one row group.
    std::vector<size_t> value(batch.size(), 0);
    for (size_t row = 0; row < rows;) {
      const size_t room = o_.row_group_rows - buffered_rows_;  // row_group_rows may be SIZE_MAX
      const size_t end = rows - row <= room ? rows : row + room;
      for (size_t i = 0; i < batch.size(); ++i) AppendRows(batch[i], row, end, &value[i], &buffered_[i]);
      buffered_rows_ += end - row;
      row = end;
      if (buffered_rows_ == o_.row_group_rows) RETURN_IF_ERROR(FlushRowGroup());
    }
    return Status::Ok();
  }

  Status FlushRowGroup() override {
    if (closed_) return Status::InvalidArgument(path_ + ": writer already closed");
    if (buffered_rows_ == 0) return Status::Ok();
    return FlushBuffered();
  }

  Status Close() override {
    if (closed_) return Status::InvalidArgument(path_ + ": writer already closed");
    RETURN_IF_ERROR(FlushRowGroup());
    closed_ = true;
    format::FileMetaData md;
    md.version = 1;
    format::SchemaElement root;
    root.name = "schema";
    root.num_children = static_cast<int32_t>(schema_.columns.size());
    md.schema.push_back(root);
    for (const auto& c : schema_.columns) md.schema.push_back(Leaf(c));
    md.num_rows = total_rows_;
    md.row_groups = std::move(row_groups_);
    if (!o_.key_value_metadata.empty()) {
      std::vector<format::KeyValue> kvs;
      for (const auto& [k, v] : o_.key_value_metadata) kvs.push_back(format::KeyValue{k, v});
      md.key_value_metadata = kvs;
    }
    md.created_by = kCreatedBy;
    md.column_orders = format::TypeDefinedOrders(schema_.columns.size());
    Bytes footer = format::EncodeFileMetaData(md);
    uint32_t len = static_cast<uint32_t>(footer.size());
    for (int i = 0; i < 4; ++i) footer.push_back(static_cast<uint8_t>(len >> (8 * i)));
    footer.insert(footer.end(), kMagic, kMagic + 4);
    RETURN_IF_ERROR(WriteBytes(footer));
    if (o_.fsync && ::fsync(fd_) != 0) return Status::IOError("fsync " + path_ + ": " + std::strerror(errno));
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Status::IOError("close " + path_ + ": " + std::strerror(errno));
    return Status::Ok();
  }

 private:
  Status WriteBytes(ByteView b) {
    size_t off = 0;
    while (off < b.size()) {
      ssize_t n = ::write(fd_, b.data() + off, b.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IOError("write " + path_ + ": " + std::strerror(errno));
      }
      off += static_cast<size_t>(n);
    }
    offset_ += static_cast<int64_t>(b.size());
    return Status::Ok();
  }

  const ColumnOptions& OptionsFor(const Column& c) const {
    auto it = o_.columns.find(c.name);
    return it == o_.columns.end() ? o_.column_defaults : it->second;
  }

  // Writes the buffered rows as one row group and empties the buffer.
  Status FlushBuffered() {
    const size_t rows = buffered_rows_;
    format::RowGroup rg;
    rg.num_rows = static_cast<int64_t>(rows);
    rg.file_offset = offset_;
    int64_t compressed = 0, uncompressed = 0;
    for (size_t i = 0; i < schema_.columns.size(); ++i) {
      const auto& c = schema_.columns[i];
      ASSIGN_OR_RETURN(ChunkWriteResult chunk,
                       EncodeColumnChunk(c, buffered_[i], OptionsFor(c), o_.codec, o_.zstd_level,
                                         o_.data_page_bytes, offset_));
      format::ColumnChunk cc;
      cc.file_offset = offset_;
      RETURN_IF_ERROR(WriteBytes(chunk.pages));
      if (!chunk.bloom.empty()) RETURN_IF_ERROR(WriteBytes(chunk.bloom));
      compressed += chunk.md.total_compressed_size;
      uncompressed += chunk.md.total_uncompressed_size;
      cc.meta_data = std::move(chunk.md);
      rg.columns.push_back(std::move(cc));
      buffered_[i].Clear();
    }
    rg.total_byte_size = uncompressed;
    rg.total_compressed_size = compressed;
    rg.ordinal = static_cast<int16_t>(row_groups_.size());
    row_groups_.push_back(std::move(rg));
    buffered_rows_ = 0;
    total_rows_ += static_cast<int64_t>(rows);
    return Status::Ok();
  }

  std::string path_;
  Schema schema_;
  WriterOptions o_;
  int fd_ = -1;
  int64_t offset_ = 0;
  bool closed_ = false;
  std::vector<ColumnValues> buffered_;
  size_t buffered_rows_ = 0;
  int64_t total_rows_ = 0;
  std::vector<format::RowGroup> row_groups_;
};

}  // namespace

Result<std::unique_ptr<FileWriter>> FileWriter::Open(const std::string& path, Schema schema,
                                                     WriterOptions options) {
  auto w = std::make_unique<FileWriterImpl>(path, std::move(schema), std::move(options));
  RETURN_IF_ERROR(w->Init());
  return std::unique_ptr<FileWriter>(std::move(w));
}

}  // namespace ipfs_kit::parquet
