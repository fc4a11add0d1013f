#include "log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "ipfs_kit/state/store.h"

namespace ipfs_kit::daemon {

const char* LogLevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

bool ParseLogLevel(const std::string& s, LogLevel* out) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (s == LogLevelName(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

std::string LogEntry::ToJson() const {
  nlohmann::json j = {{"ts_ms", ts_ms},
                      {"level", LogLevelName(level)},
                      {"component", component},
                      {"message", message}};
  if (!backend.empty()) j["backend"] = backend;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Log::Log(std::string dir, int64_t max_file_bytes, int keep_files, LogLevel level,
         size_t keep_in_memory)
    : dir_(std::move(dir)),
      max_file_bytes_(max_file_bytes),
      keep_files_(keep_files),
      level_(level),
      keep_in_memory_(keep_in_memory) {
  if (!dir_.empty()) {
    ::mkdir(dir_.c_str(), 0700);
    std::string path = dir_ + "/daemon.log";
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    struct stat st;
    if (fd_ >= 0 && ::fstat(fd_, &st) == 0) file_bytes_ = st.st_size;
  }
}

Log::~Log() {
  if (fd_ >= 0) ::close(fd_);
}

void Log::SetLevel(LogLevel l) {
  std::lock_guard<std::mutex> lock(mu_);
  level_ = l;
}

void Log::Write(LogLevel level, std::string component, std::string message, std::string backend) {
  LogEntry e{state::NowMs(), level, std::move(component), std::move(backend), std::move(message)};
  std::lock_guard<std::mutex> lock(mu_);
  if (level < level_) return;
  if (fd_ >= 0) {
    std::string line = e.ToJson() + "\n";
    if (file_bytes_ + static_cast<int64_t>(line.size()) > max_file_bytes_) Rotate();
    if (fd_ >= 0 && ::write(fd_, line.data(), line.size()) == static_cast<ssize_t>(line.size())) {
      file_bytes_ += static_cast<int64_t>(line.size());
    }
  }
  recent_.push_back(std::move(e));
  if (recent_.size() > keep_in_memory_) recent_.pop_front();
}

void Log::Rotate() {
  // daemon.log.(k-1) -> daemon.log.k, ..., daemon.log -> daemon.log.1
  ::close(fd_);
  std::string base = dir_ + "/daemon.log";
  for (int k = keep_files_; k >= 1; --k) {
    std::string from = k == 1 ? base : base + "." + std::to_string(k - 1);
    std::string to = base + "." + std::to_string(k);
    ::rename(from.c_str(), to.c_str());
  }
  fd_ = ::open(base.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  file_bytes_ = 0;
}

std::vector<LogEntry> Log::Tail(size_t lines, LogLevel min, int64_t since_ms,
                                const std::string& backend) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LogEntry> out;
  for (auto it = recent_.rbegin(); it != recent_.rend() && out.size() < lines; ++it) {
    if (it->level < min || it->ts_ms <= since_ms) continue;
    if (!backend.empty() && it->backend != backend) continue;
    out.push_back(*it);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace ipfs_kit::daemon
