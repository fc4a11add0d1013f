#include "index_publisher.h"

#include <algorithm>
#include <map>

#include "ipfs_kit/backends/backend_config.h"
#include "ipfs_kit/daemon/config.h"
#include "ipfs_kit/repo/repo.h"
#include "ipfs_kit/routing/index.h"

namespace ipfs_kit::daemon {

IndexPublisher::IndexPublisher(std::string index_dir, state::Store& store,
                               BackendRegistry& registry, Log& log)
    : dir_(std::move(index_dir)), store_(store), registry_(registry), log_(log) {}

IndexPublisher::~IndexPublisher() { Stop(); }

void IndexPublisher::SetIntervals(int64_t debounce_ms, int64_t every_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  debounce_ms_ = debounce_ms;
  every_ms_ = every_ms;
}

void IndexPublisher::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void IndexPublisher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  bool dirty;
  {
    std::lock_guard<std::mutex> lock(mu_);
    dirty = dirty_;
  }
  if (dirty) (void)PublishNow();
}

void IndexPublisher::MarkDirty() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    dirty_ = true;
  }
  cv_.notify_all();
}

uint64_t IndexPublisher::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

void IndexPublisher::Loop() {
  auto last = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Wait for a change (or the periodic republish), then let changes
      // settle for the debounce time so a burst publishes once.
      cv_.wait_until(lock, last + std::chrono::milliseconds(every_ms_),
                     [this] { return stop_ || dirty_; });
      if (stop_) return;
      if (dirty_) {
        cv_.wait_for(lock, std::chrono::milliseconds(debounce_ms_), [this] { return stop_; });
        if (stop_) return;
      }
    }
    Status s = PublishNow();
    if (!s.ok()) log_.Write(LogLevel::kError, "index", "publish failed: " + s.ToString());
    last = std::chrono::steady_clock::now();
  }
}

Status IndexPublisher::PublishNow() {
  std::lock_guard<std::mutex> publishing(publish_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    dirty_ = false;  // changes from now on ask for the next publish
  }
  std::map<std::string, std::pair<int64_t, int64_t>> totals;
  if (auto t = store_.LocationTotals(); t.ok()) {
    for (const auto& [b, n, bytes] : *t) totals[b] = {n, bytes};
  }
  std::vector<routing::BackendRow> backends;
  for (const auto& v : registry_.List()) {
    routing::BackendRow b;
    b.name = v.config.name;
    b.type = v.config.type;
    b.state = v.health.state;
    if (!v.health.reason.empty()) b.reason = v.health.reason;
    b.latency_ms_p50 = v.health.latency_p50_ms;
    b.latency_ms_p99 = v.health.latency_p99_ms;
    b.error_rate = v.health.error_rate;
    b.bytes_used = v.health.bytes_used >= 0 ? v.health.bytes_used : totals[b.name].second;
    b.bytes_free = v.health.bytes_free >= 0 ? v.health.bytes_free : 0;
    b.pin_count = totals[b.name].first;
    b.priority = v.config.priority;
    b.checked_at_ms = v.health.checked_ms;
    backends.push_back(std::move(b));
  }
  // Clients reading the index make backends from these configs (secrets
  // included, hence 0600 beside api.token); written before the index names
  // the backends.
  std::string configs = "{\"backends\":[";
  bool first = true;
  for (const auto& v : registry_.List()) {
    if (!first) configs += ',';
    configs += backends::BackendConfigToJson(v.config, false);
    first = false;
  }
  configs += "]}\n";
  std::string repo_dir = dir_.substr(0, dir_.rfind('/'));
  if (configs != backends_written_) {  // rewritten (and fsynced) only when a config changed
    RETURN_IF_ERROR(repo::WriteFileAtomic(repo_dir + "/backends.json", AsBytes(configs)));
    backends_written_ = std::move(configs);
  }
  // Streamed from the store a page at a time, in CID order, so memory stays
  // about one row group whatever the number of pins (docs/benchmarks.md).
  constexpr int kPage = 4096;
  std::string pin_cid, pin_id;
  auto pins = [&](std::vector<routing::PinRow>* out) -> Result<bool> {
    ASSIGN_OR_RETURN(auto page, store_.PinsByCid(pin_cid, pin_id, kPage));
    for (auto& p : page) {
      routing::PinRow r;
      r.cid = std::move(p.cid);
      if (!p.name.empty()) r.name = std::move(p.name);
      r.status = std::move(p.status);
      r.replication_min = p.replication_min;
      r.replication_max = p.replication_max;
      r.replicas = p.replicas;
      r.size_bytes = p.size_bytes;
      r.created_at_ms = p.created_ms;
      r.updated_at_ms = p.created_ms;
      out->push_back(std::move(r));
    }
    if (!page.empty()) {
      pin_cid = out->back().cid;
      pin_id = page.back().request_id;
    }
    return static_cast<int>(page.size()) == kPage;
  };
  std::string loc_cid, loc_backend;
  auto locations = [&](std::vector<routing::LocationRow>* out) -> Result<bool> {
    ASSIGN_OR_RETURN(auto page, store_.LocationsAfter(loc_cid, loc_backend, kPage));
    for (auto& l : page) {
      routing::LocationRow r;
      r.cid = std::move(l.cid);
      r.backend = std::move(l.backend);
      r.state = l.state == "removing" ? "pinned" : l.state;  // still there until the unpin is done
      r.size_bytes = l.size_bytes;
      if (l.verified_ms > 0) r.verified_at_ms = l.verified_ms;
      out->push_back(std::move(r));
    }
    if (!page.empty()) {
      loc_cid = out->back().cid;
      loc_backend = out->back().backend;
    }
    return static_cast<int>(page.size()) == kPage;
  };
  routing::IndexWriter writer(dir_);
  ASSIGN_OR_RETURN(uint64_t gen, writer.PublishSorted(pins, locations, std::move(backends)));
  std::lock_guard<std::mutex> lock(mu_);
  generation_ = gen;
  return Status::Ok();
}

}  // namespace ipfs_kit::daemon
