#include "produced_stream.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ipfs_kit::vfs {

Result<std::unique_ptr<ProducedStream>> ProducedStream::Start(Producer producer) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return Status::IOError(std::string("socketpair: ") + std::strerror(errno));
  }
  std::unique_ptr<ProducedStream> s(new ProducedStream());
  s->read_fd_ = fds[0];
  const int write_fd = fds[1];
  ::shutdown(fds[0], SHUT_WR);
  s->thread_ = std::thread([self = s.get(), write_fd, producer = std::move(producer)] {
    Write write = [write_fd](ByteView b) -> Status {
      size_t done = 0;
      while (done < b.size()) {
        ssize_t n = ::send(write_fd, b.data() + done, b.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
          return Status::IOError(std::string("stream closed by its reader: ") +
                                 std::strerror(errno));
        done += static_cast<size_t>(n);
      }
      return Status::Ok();
    };
    self->result_ = producer(write);
    ::close(write_fd);  // EOF for the reader
  });
  return s;
}

Status ProducedStream::Finish() {
  if (finished_) return result_;
  finished_ = true;
  ::close(read_fd_);  // a producer still writing gets EPIPE and stops
  read_fd_ = -1;
  thread_.join();
  return result_;
}

ProducedStream::~ProducedStream() { Finish(); }

}  // namespace ipfs_kit::vfs
