// A file descriptor whose bytes a function produces on its own thread: the
// importer reads a file from an fd, and an append or a write at an offset
// is old content + new bytes + old tail, composed while it is read. Memory
// stays bounded by the socket buffer; nothing is spooled to disk.
//
// The producer writes through a Unix socket pair with MSG_NOSIGNAL, so a
// reader that stops early makes its writes fail (EPIPE) instead of raising
// SIGPIPE; Finish() closes the read end, joins the thread and returns what
// the producer returned.
#pragma once

#include <functional>
#include <memory>
#include <thread>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::vfs {

class ProducedStream {
 public:
  using Write = std::function<Status(ByteView)>;
  using Producer = std::function<Status(const Write& write)>;

  static Result<std::unique_ptr<ProducedStream>> Start(Producer producer);
  ~ProducedStream();  // Finish() when not called
  ProducedStream(const ProducedStream&) = delete;
  ProducedStream& operator=(const ProducedStream&) = delete;

  int fd() const { return read_fd_; }  // read end; EOF when the producer is done
  // The producer's status. A reader that got EOF must check it: a producer
  // that failed part-way also ends the stream.
  Status Finish();

 private:
  ProducedStream() = default;
  int read_fd_ = -1;
  std::thread thread_;
  Status result_;
  bool finished_ = false;
};

}  // namespace ipfs_kit::vfs
