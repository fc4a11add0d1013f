#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iterator>

#include "ipfs_kit/parquet/file_writer.h"
#include "ipfs_kit/repo/repo.h"
#include "ipfs_kit/routing/index.h"
#include "manifest.h"
#include "schemas.h"

namespace ipfs_kit::routing {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Writes `rows` in row groups of about `per_group` rows, never splitting the
// rows of one CID across two groups (so a lookup reads one group).
template <typename Row, typename ToColumns>
Status WriteFile(const std::string& path, const parquet::Schema& schema, parquet::WriterOptions wo,
                 const std::vector<Row>& rows, size_t per_group, ToColumns to_columns,
                 bool cid_groups) {
  std::string tmp = path + ".tmp";
  wo.row_group_rows = SIZE_MAX;  // we cut the groups ourselves
  wo.fsync = true;
  ASSIGN_OR_RETURN(auto w, parquet::FileWriter::Open(tmp, schema, wo));
  size_t begin = 0;
  while (begin < rows.size()) {
    size_t end = std::min(rows.size(), begin + per_group);
    if constexpr (requires { rows[0].cid; }) {
      if (cid_groups) {
        while (end < rows.size() && rows[end].cid == rows[end - 1].cid) ++end;
      }
    }
    RETURN_IF_ERROR(w->Write(to_columns(rows, begin, end)));
    RETURN_IF_ERROR(w->FlushRowGroup());
    begin = end;
  }
  RETURN_IF_ERROR(w->Close());
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IOError("cannot rename " + tmp + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// Streaming form of WriteFile: pulls sorted rows from `source` and writes a
// row group whenever more than `per_group` rows (ending on a CID boundary)
// are buffered. `before(a, b)` is the sort order, checked as rows arrive.
template <typename Row, typename Source, typename ToColumns, typename Before>
Status WriteFileStream(const std::string& path, const parquet::Schema& schema,
                       parquet::WriterOptions wo, const Source& source, size_t per_group,
                       ToColumns to_columns, Before before) {
  std::string tmp = path + ".tmp";
  wo.row_group_rows = SIZE_MAX;
  wo.fsync = true;
  ASSIGN_OR_RETURN(auto w, parquet::FileWriter::Open(tmp, schema, wo));
  std::vector<Row> buf;
  bool more = true;
  bool need_more = false;  // the buffered rows end inside one CID's rows
  size_t checked = 0;      // rows of buf already checked for order
  for (;;) {
    while (more && (buf.size() <= per_group || need_more)) {
      size_t had = buf.size();
      ASSIGN_OR_RETURN(more, source(&buf));
      if (buf.size() > had) need_more = false;
    }
    for (size_t i = checked == 0 ? 1 : checked; i < buf.size(); ++i) {
      if (before(buf[i], buf[i - 1])) {
        ::unlink(tmp.c_str());
        return Status::InvalidArgument(path + ": rows are not sorted (" + buf[i].cid + " after " +
                                       buf[i - 1].cid + ")");
      }
    }
    checked = buf.size();
    if (buf.empty()) break;
    size_t end = std::min(buf.size(), per_group);
    while (end < buf.size() && buf[end].cid == buf[end - 1].cid) ++end;
    if (end == buf.size() && more) {  // the cut may fall inside one CID's rows: read on
      need_more = true;
      continue;
    }
    RETURN_IF_ERROR(w->Write(to_columns(buf, 0, end)));
    RETURN_IF_ERROR(w->FlushRowGroup());
    buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(end));
    checked = buf.size();
    if (buf.empty() && !more) break;
  }
  RETURN_IF_ERROR(w->Close());
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IOError("cannot rename " + tmp + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

IndexWriter::IndexWriter(std::string index_dir, IndexWriterOptions options)
    : dir_(std::move(index_dir)), o_(options) {}

Result<uint64_t> IndexWriter::Publish(std::vector<PinRow> pins, std::vector<LocationRow> locations,
                                      std::vector<BackendRow> backends) {
  std::sort(pins.begin(), pins.end(),
            [](const PinRow& a, const PinRow& b) { return a.cid < b.cid; });
  std::sort(locations.begin(), locations.end(), [](const LocationRow& a, const LocationRow& b) {
    return a.cid != b.cid ? a.cid < b.cid : a.backend < b.backend;
  });
  // Hand the sorted vectors over as one batch each.
  bool pins_given = false, locations_given = false;
  return PublishSorted(
      [&](std::vector<PinRow>* out) -> Result<bool> {
        if (!pins_given) {
          pins_given = true;
          if (out->empty()) {
            out->swap(pins);
          } else {
            std::move(pins.begin(), pins.end(), std::back_inserter(*out));
          }
        }
        return false;
      },
      [&](std::vector<LocationRow>* out) -> Result<bool> {
        if (!locations_given) {
          locations_given = true;
          if (out->empty()) {
            out->swap(locations);
          } else {
            std::move(locations.begin(), locations.end(), std::back_inserter(*out));
          }
        }
        return false;
      },
      std::move(backends));
}

Result<uint64_t> IndexWriter::PublishSorted(const PinSource& pins, const LocationSource& locations,
                                            std::vector<BackendRow> backends) {
  if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::IOError("cannot create " + dir_ + ": " + std::strerror(errno));
  }
  uint64_t gen = 1;
  auto cur = ReadManifest(dir_);
  if (cur.ok()) {
    gen = cur->generation + 1;
  } else if (cur.status().code() != StatusCode::kNotFound) {
    return cur.status();
  }
  std::sort(backends.begin(), backends.end(),
            [](const BackendRow& a, const BackendRow& b) { return a.name < b.name; });

  parquet::WriterOptions wo;
  wo.codec = parquet::Codec::kZstd;
  wo.key_value_metadata = {{"ipfs-kit.generation", std::to_string(gen)}};
  // The CID column is unique (pins) or nearly so: PLAIN, with a bloom filter.
  parquet::ColumnOptions cid_opts;
  cid_opts.dictionary = false;
  cid_opts.bloom_filter = true;
  cid_opts.bloom_fpp = o_.bloom_fpp;
  wo.columns["cid"] = cid_opts;

  Manifest m;
  m.generation = gen;
  m.pins = FileName("pins", gen);
  m.locations = FileName("locations", gen);
  m.backends = FileName("backends", gen);
  m.created_at_ms = NowMs();
  const size_t per = std::max<size_t>(1, o_.rows_per_group);
  RETURN_IF_ERROR(
      WriteFileStream<PinRow>(dir_ + "/" + m.pins, PinsSchema(), wo, pins, per, PinColumns,
                              [](const PinRow& a, const PinRow& b) { return a.cid < b.cid; }));
  RETURN_IF_ERROR(
      WriteFileStream<LocationRow>(dir_ + "/" + m.locations, LocationsSchema(), wo, locations, per,
                                   LocationColumns, [](const LocationRow& a, const LocationRow& b) {
                                     return a.cid != b.cid ? a.cid < b.cid : a.backend < b.backend;
                                   }));
  parquet::WriterOptions bo = wo;
  bo.columns.clear();
  RETURN_IF_ERROR(WriteFile(
      dir_ + "/" + m.backends, BackendsSchema(), bo, backends, per,
      [](const std::vector<BackendRow>& rows, size_t b, size_t e) {
        return BackendColumns(std::vector<BackendRow>(rows.begin() + b, rows.begin() + e));
      },
      false));
  // The data files' directory entries are durable before the manifest names them.
  RETURN_IF_ERROR(repo::FsyncDirectory(dir_));
  RETURN_IF_ERROR(WriteManifest(dir_, m));

  // Old generations: keep a few so a reader that just read the previous
  // manifest can still open its files; readers retry on a vanished file.
  if (DIR* d = ::opendir(dir_.c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      size_t dash = n.find('-'), dot = n.find(".parquet");
      if (dash == std::string::npos || dot == std::string::npos || dot <= dash + 1) continue;
      uint64_t g = std::strtoull(n.substr(dash + 1, dot - dash - 1).c_str(), nullptr, 10);
      bool tmp = n.size() > 4 && n.compare(n.size() - 4, 4, ".tmp") == 0;
      if (g + static_cast<uint64_t>(o_.keep_generations) < gen || (tmp && g < gen)) {
        ::unlink((dir_ + "/" + n).c_str());
      }
    }
    ::closedir(d);
  }
  return gen;
}

}  // namespace ipfs_kit::routing
