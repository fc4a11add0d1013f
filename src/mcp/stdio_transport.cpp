#include "ipfs_kit/mcp/stdio_transport.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ipfs_kit/base/worker_pool.h"

namespace ipfs_kit::mcp {

StdioTransport::StdioTransport(const Registry& registry, StdioTransportOptions options)
    : options_(std::move(options)),
      session_(registry, options_.session),
      workers_(std::make_unique<WorkerPool>(options_.max_concurrent_calls,
                                                      options_.max_queued_calls)) {
  if (::pipe2(stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) stop_pipe_[0] = stop_pipe_[1] = -1;
  session_.SetUnrelatedSink([this](const Json& m) { return Write(SerializeMessage(m)); });
}

StdioTransport::~StdioTransport() {
  session_.CancelAll();
  workers_->Stop();
  for (int fd : stop_pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

void StdioTransport::Stop() {
  if (stop_pipe_[1] >= 0) {
    char c = 1;
    [[maybe_unused]] ssize_t n = ::write(stop_pipe_[1], &c, 1);
  }
}

void StdioTransport::NotifyResourceUpdated(const std::string& uri) {
  session_.NotifyResourceUpdated(uri);
}

bool StdioTransport::Write(const std::string& line) {
  std::lock_guard lock(write_mu_);
  if (output_broken_) return false;
  std::string out = line + "\n";
  size_t off = 0;
  while (off < out.size()) {
    ssize_t n = ::write(options_.out_fd, out.data() + off, out.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        pollfd p{options_.out_fd, POLLOUT, 0};
        ::poll(&p, 1, -1);
        continue;
      }
      output_broken_ = true;
      if (options_.log)
        options_.log(std::string("mcp stdio: output closed: ") + std::strerror(errno));
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

void StdioTransport::HandleLine(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.find_first_not_of(" \t") == std::string::npos) return;  // blank lines are ignored
  Outbound out = [this](const Json& m) { return Write(SerializeMessage(m)); };
  // Only messages that may block go to a worker; the rest (including the
  // client's answers that a blocked handler waits for) are handled here.
  auto parsed = ParseMessage(line);
  bool blocking = false;
  if (parsed.ok()) {
    const Json& j = *parsed;
    auto check = [&](const Json& m) {
      if (Classify(m) == MessageKind::kRequest && MayBlock(m["method"].get<std::string>())) {
        blocking = true;
      }
    };
    if (j.is_array()) {
      for (const auto& m : j) check(m);
    } else {
      check(j);
    }
  }
  if (!blocking) {
    std::string answer = session_.HandleText(line, out);
    if (!answer.empty()) Write(answer);
    return;
  }
  auto text = std::make_shared<std::string>(std::move(line));
  bool queued = workers_->Submit([this, text, out] {
    std::string answer = session_.HandleText(*text, out);
    if (!answer.empty()) Write(answer);
  });
  if (!queued) {
    const Json& j = *parsed;
    Json id = j.is_object() && j.contains("id") ? j["id"] : Json();
    Write(SerializeMessage(
        ErrorMessage(id, kInternalError, "server busy: too many calls in progress")));
  }
}

Status StdioTransport::Run() {
  std::string pending;
  bool skipping = false;  // inside an over-long line: drop bytes until its newline
  char buf[65536];
  Status result;
  bool stopped = false;
  for (;;) {
    pollfd fds[2] = {{options_.in_fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    int nfds = stop_pipe_[0] >= 0 ? 2 : 1;
    int pr = ::poll(fds, nfds, -1);
    if (pr < 0) {
      if (errno == EINTR) continue;
      result = Status::IOError(std::string("mcp stdio: poll failed: ") + std::strerror(errno));
      break;
    }
    if (nfds == 2 && (fds[1].revents & POLLIN)) {  // Stop()
      stopped = true;
      break;
    }
    if (fds[0].revents == 0) continue;
    ssize_t n = ::read(options_.in_fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      result = Status::IOError(std::string("mcp stdio: read failed: ") + std::strerror(errno));
      break;
    }
    if (n == 0) {
      // EOF: a final line without its newline is still a message.
      if (!skipping && !pending.empty()) HandleLine(std::move(pending));
      break;
    }
    size_t start = 0;
    for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
      if (buf[i] != '\n') continue;
      if (skipping) {
        skipping = false;
      } else {
        pending.append(buf + start, i - start);
        HandleLine(std::move(pending));
      }
      pending.clear();
      start = i + 1;
    }
    if (!skipping) {
      pending.append(buf + start, static_cast<size_t>(n) - start);
      if (pending.size() > options_.max_line_bytes) {
        Write(
            SerializeMessage(ErrorMessage(nullptr, kParseError,
                                          "Parse error: message longer than " +
                                              std::to_string(options_.max_line_bytes) + " bytes")));
        pending.clear();
        skipping = true;
      }
    }
  }
  // At EOF nobody will answer a server-to-client request any more, but calls
  // in flight still finish and answer (a piped script reads them). Stop()
  // also cancels them.
  if (stopped) {
    session_.CancelAll();
  } else {
    session_.CloseClientChannel();
  }
  workers_->Stop();
  return result;
}

}  // namespace ipfs_kit::mcp
