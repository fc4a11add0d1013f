// MCP stdio transport: newline-delimited JSON-RPC on a pair of file
// descriptors (stdin/stdout when launched by a client). Each input line is one
// message (or a batch, in 2025-03-26); each output line is one message. Nothing
// but protocol messages is ever written to the output: diagnostics go to the
// `log` callback (stderr in `ipfs-kit mcp serve --stdio`).
//
// Requests that run a handler (tools/call, resources/read, ...) run on worker
// threads, so calls proceed concurrently and the reader keeps taking messages
// (cancellations, the client's answers to sampling/elicitation requests).
// A line that is not JSON gets a -32700 error with id null; a line longer than
// max_line_bytes is skipped whole with the same error.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/mcp/registry.h"
#include "ipfs_kit/mcp/session.h"

namespace ipfs_kit {
class WorkerPool;
}

namespace ipfs_kit::mcp {

struct StdioTransportOptions {
  int in_fd = 0;
  int out_fd = 1;
  size_t max_line_bytes = 16 << 20;
  int max_concurrent_calls = 16;
  size_t max_queued_calls = 1024;
  SessionOptions session;
  std::function<void(const std::string&)> log;  // diagnostics; default: none
};

class StdioTransport {
 public:
  StdioTransport(const Registry& registry, StdioTransportOptions options);
  ~StdioTransport();
  StdioTransport(const StdioTransport&) = delete;
  StdioTransport& operator=(const StdioTransport&) = delete;

  // Serves until the input ends (EOF) or Stop() is called. At EOF, calls in
  // flight finish and answer (server-to-client requests fail at once: nobody
  // can answer them); after Stop() they are cancelled (CallContext::cancelled).
  // Returns once the workers are done; kIOError when reading fails. Call once.
  Status Run();
  // Makes Run return soon; safe from any thread (not from a signal handler).
  void Stop();

  // Sends notifications/resources/updated if the client subscribed to uri.
  void NotifyResourceUpdated(const std::string& uri);

 private:
  bool Write(const std::string& line);
  void HandleLine(std::string line);

  const StdioTransportOptions options_;
  Session session_;
  std::unique_ptr<WorkerPool> workers_;
  std::mutex write_mu_;
  bool output_broken_ = false;
  int stop_pipe_[2] = {-1, -1};
};

}  // namespace ipfs_kit::mcp
