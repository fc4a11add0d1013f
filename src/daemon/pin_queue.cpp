#include "pin_queue.h"

namespace ipfs_kit::daemon {

PinQueue::PinQueue(state::Store& store) : store_(store) {
  thread_ = std::thread([this] { Loop(); });
}

PinQueue::~PinQueue() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t PinQueue::commits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return commits_;
}

void PinQueue::Submit(std::vector<state::PinRecord> pins, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    items_.push_back(Item{std::move(pins), std::move(done)});
  }
  cv_.notify_one();
}

void PinQueue::Loop() {
  for (;;) {
    std::deque<Item> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !items_.empty(); });
      if (items_.empty() && stop_) return;  // drained: every submission was answered
      batch.swap(items_);
    }
    std::vector<state::PinRecord> all;
    for (auto& it : batch) all.insert(all.end(), it.pins.begin(), it.pins.end());
    auto stored = store_.AddPins(std::move(all));
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++commits_;
    }
    size_t pos = 0;
    for (auto& it : batch) {
      if (!stored.ok()) {
        it.done(stored.status());
        continue;
      }
      std::vector<state::PinRecord> mine(stored->begin() + pos,
                                         stored->begin() + pos + it.pins.size());
      pos += it.pins.size();
      it.done(std::move(mine));
    }
    if (stored.ok() && on_commit_) on_commit_();
  }
}

}  // namespace ipfs_kit::daemon
