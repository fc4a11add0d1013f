// Root file and history log of a bucket. Format: docs/formats/vfs.md.
#include "bucket_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "unique_fd.h"

namespace ipfs_kit::vfs {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxRootFileBytes = 64 * 1024;
constexpr size_t kMaxHistoryBytes = 256u << 20;
constexpr size_t kTailBytes = 64 * 1024;  // far more than one line (message <= 1 KiB)

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Status PreadAll(int fd, char* buf, size_t n, off_t off, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, buf + done, n - done, off + static_cast<off_t>(done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Status::IOError("read " + path + ": " + std::strerror(errno));
    if (r == 0) return Status::IOError("read " + path + ": file shrank while reading");
    done += static_cast<size_t>(r);
  }
  return Status::Ok();
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t w = ::write(fd, data.data() + done, data.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return Status::IOError("write " + path + ": " + std::strerror(errno));
    done += static_cast<size_t>(w);
  }
  return Status::Ok();
}

}  // namespace

std::string BucketFiles::EncodeRoot(const RootRecord& r) {
  return Dump(json{{"version", 1}, {"root", r.root.ToString()}, {"updated_ms", r.updated_ms}}) +
         "\n";
}

std::string BucketFiles::EncodeCommit(const CommitRecord& c) {
  json j{{"seq", c.seq},
         {"cid", c.cid.ToString()},
         {"time_ms", c.time_ms},
         {"message", c.message},
         {"parent", c.parent ? json(c.parent->ToString()) : json(nullptr)}};
  return Dump(j) + "\n";
}

Result<CommitRecord> BucketFiles::DecodeCommit(std::string_view line) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption("not a JSON object");
  CommitRecord c;
  if (!j.contains("seq") || !j["seq"].is_number_unsigned() || !j.contains("cid") ||
      !j["cid"].is_string() || !j.contains("time_ms") || !j["time_ms"].is_number_integer()) {
    return Status::Corruption("missing seq, cid or time_ms");
  }
  c.seq = j["seq"].get<uint64_t>();
  auto cid = Cid::Parse(j["cid"].get<std::string>());
  if (!cid.ok()) return Status::Corruption("bad cid: " + cid.status().message());
  c.cid = *cid;
  c.time_ms = j["time_ms"].get<int64_t>();
  if (j.contains("message") && j["message"].is_string())
    c.message = j["message"].get<std::string>();
  if (j.contains("parent") && j["parent"].is_string()) {
    auto p = Cid::Parse(j["parent"].get<std::string>());
    if (!p.ok()) return Status::Corruption("bad parent: " + p.status().message());
    c.parent = *p;
  }
  return c;
}

Result<RootRecord> BucketFiles::ReadRoot() const {
  auto text = repo::ReadSmallFile(RootPath(), kMaxRootFileBytes);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("no bucket named \"" + bucket_ + "\"");
    }
    return text.status();
  }
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("root") || !j["root"].is_string()) {
    return Status::Corruption(RootPath() + " is not a bucket root record");
  }
  auto cid = Cid::Parse(j["root"].get<std::string>());
  if (!cid.ok()) return Status::Corruption(RootPath() + ": " + cid.status().message());
  RootRecord r;
  r.root = *cid;
  if (j.contains("updated_ms") && j["updated_ms"].is_number_integer()) {
    r.updated_ms = j["updated_ms"].get<int64_t>();
  }
  return r;
}

Status BucketFiles::WriteRoot(const RootRecord& record) const {
  return repo::WriteFileAtomic(RootPath(), AsBytes(EncodeRoot(record)));
}

Result<std::vector<CommitRecord>> BucketFiles::ParseLines(std::string_view text,
                                                          size_t first_line) const {
  std::vector<CommitRecord> out;
  size_t line_no = first_line;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;  // torn append: not a commit
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.empty()) continue;
    auto c = DecodeCommit(line);
    if (!c.ok()) {
      return Status::Corruption(HistoryPath() + " line " + std::to_string(line_no) + ": " +
                                c.status().message());
    }
    out.push_back(std::move(c).value());
  }
  return out;
}

Result<std::vector<CommitRecord>> BucketFiles::ReadHistory() const {
  auto text = repo::ReadSmallFile(HistoryPath(), kMaxHistoryBytes);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      // The history file is made with the bucket: no root, no bucket.
      RETURN_IF_ERROR(ReadRoot().status());
      return std::vector<CommitRecord>{};
    }
    return text.status();
  }
  return ParseLines(*text, 0);
}

Result<std::optional<CommitRecord>> BucketFiles::LastCommit() const {
  const std::string path = HistoryPath();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      RETURN_IF_ERROR(ReadRoot().status());
      return std::optional<CommitRecord>();
    }
    return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  }
  UniqueFd guard(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::IOError("stat " + path + ": " + std::strerror(errno));
  const size_t size = static_cast<size_t>(st.st_size);
  const size_t take = std::min(size, kTailBytes);
  std::string tail(take, '\0');
  RETURN_IF_ERROR(PreadAll(fd, tail.data(), take, static_cast<off_t>(size - take), path));
  // Drop a torn last line, then find the start of the last whole one.
  size_t end = tail.rfind('\n');
  if (end == std::string::npos) {
    if (take == size) return std::optional<CommitRecord>();  // nothing whole yet
    return Status::Corruption(path + ": last line longer than " + std::to_string(kTailBytes) +
                              " bytes");
  }
  while (true) {
    size_t start = end == 0 ? std::string::npos : tail.rfind('\n', end - 1);
    if (start == std::string::npos && take < size) {
      return Status::Corruption(path + ": last line longer than " + std::to_string(kTailBytes) +
                                " bytes");
    }
    size_t from = start == std::string::npos ? 0 : start + 1;
    std::string_view line(tail.data() + from, end - from);
    if (!line.empty()) {
      auto c = DecodeCommit(line);
      if (!c.ok()) return Status::Corruption(path + " last line: " + c.status().message());
      return std::optional<CommitRecord>(std::move(c).value());
    }
    if (start == std::string::npos) return std::optional<CommitRecord>();
    end = start;  // skip an empty line
  }
}

Status BucketFiles::AppendCommit(const CommitRecord& record) const {
  const std::string path = HistoryPath();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  UniqueFd guard(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::IOError("stat " + path + ": " + std::strerror(errno));
  // A crash mid-append can leave a line without its newline; cut it off so
  // the new line starts on a line of its own.
  off_t size = st.st_size;
  if (size > 0) {
    char last = 0;
    RETURN_IF_ERROR(PreadAll(fd, &last, 1, size - 1, path));
    if (last != '\n') {
      off_t keep = size;
      std::string buf;
      while (keep > 0) {
        size_t take = static_cast<size_t>(std::min<off_t>(keep, 4096));
        buf.assign(take, '\0');
        RETURN_IF_ERROR(PreadAll(fd, buf.data(), take, keep - static_cast<off_t>(take), path));
        size_t nl = buf.rfind('\n');
        if (nl != std::string::npos) {
          keep = keep - static_cast<off_t>(take) + static_cast<off_t>(nl) + 1;
          break;
        }
        keep -= static_cast<off_t>(take);
      }
      if (::ftruncate(fd, keep) != 0) {
        return Status::IOError("truncate " + path + ": " + std::strerror(errno));
      }
      size = keep;
    }
  }
  if (::lseek(fd, size, SEEK_SET) < 0) {
    return Status::IOError("seek " + path + ": " + std::strerror(errno));
  }
  RETURN_IF_ERROR(WriteAll(fd, EncodeCommit(record), path));
  if (::fdatasync(fd) != 0) return Status::IOError("fsync " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

Status BucketFiles::Initialize(const std::string& dir, const RootRecord& record) {
  const std::string lock = dir + "/lock";
  int fd = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create " + lock + ": " + std::strerror(errno));
  ::close(fd);
  RETURN_IF_ERROR(repo::WriteFileAtomic(dir + "/history", ByteView()));
  return repo::WriteFileAtomic(dir + "/root", AsBytes(EncodeRoot(record)));
}

}  // namespace ipfs_kit::vfs
