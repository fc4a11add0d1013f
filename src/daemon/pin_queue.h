// Group commit for pin submissions: requests arriving while a transaction is
// being committed are stored together in the next one, so durable
// submissions are not limited to one fsync each. Callbacks run on the
// committer thread after the commit (or its failure).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "ipfs_kit/state/store.h"

namespace ipfs_kit::daemon {

class PinQueue {
 public:
  using Done = std::function<void(Result<std::vector<state::PinRecord>>)>;
  explicit PinQueue(state::Store& store);
  ~PinQueue();
  void Submit(std::vector<state::PinRecord> pins, Done done);
  // Runs after every commit that stored at least one pin.
  void OnCommit(std::function<void()> fn) { on_commit_ = std::move(fn); }
  uint64_t commits() const;

 private:
  void Loop();
  struct Item {
    std::vector<state::PinRecord> pins;
    Done done;
  };
  state::Store& store_;
  std::function<void()> on_commit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> items_;
  bool stop_ = false;
  uint64_t commits_ = 0;
  std::thread thread_;
};

}  // namespace ipfs_kit::daemon
