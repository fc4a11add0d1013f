// The daemon's log: JSON lines in $IPFS_KIT_PATH/logs/daemon.log (rotated by
// size, `keep_files` old files kept) and the newest entries in memory for
// GET /logs and GET /backends/{name}/logs. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace ipfs_kit::daemon {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
const char* LogLevelName(LogLevel l);
// "debug" | "info" | "warn" | "error"; false when unknown.
bool ParseLogLevel(const std::string& s, LogLevel* out);

struct LogEntry {
  int64_t ts_ms = 0;
  LogLevel level = LogLevel::kInfo;
  std::string component;  // "health", "replication", "api", ...
  std::string backend;    // set when the entry is about one backend
  std::string message;
  std::string ToJson() const;
};

class Log {
 public:
  // `dir` empty: memory only (tests).
  Log(std::string dir, int64_t max_file_bytes, int keep_files, LogLevel level,
      size_t keep_in_memory = 20000);
  ~Log();
  void SetLevel(LogLevel l);
  void Write(LogLevel level, std::string component, std::string message, std::string backend = "");
  // Newest `lines` entries at or above `min`, newer than `since_ms`, for one
  // backend when `backend` is non-empty; oldest first.
  std::vector<LogEntry> Tail(size_t lines, LogLevel min, int64_t since_ms,
                             const std::string& backend) const;

 private:
  void Rotate();
  std::string dir_;
  int64_t max_file_bytes_;
  int keep_files_;
  LogLevel level_;
  size_t keep_in_memory_;
  mutable std::mutex mu_;
  std::deque<LogEntry> recent_;
  int fd_ = -1;
  int64_t file_bytes_ = 0;
};

}  // namespace ipfs_kit::daemon
