#include "replicator.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ipfs_kit/dagpb/dag_pb.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::daemon {
namespace {

using multiformats::Cid;

std::vector<std::string> JsonStrings(const std::string& text) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& x : j) {
    if (x.is_string()) out.push_back(x.get<std::string>());
  }
  return out;
}

bool IsHttpUrl(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

}  // namespace

Replicator::Replicator(state::Store& store, BackendRegistry& registry, Log& log,
                       std::string self_origin)
    : store_(store), registry_(registry), log_(log), self_origin_(std::move(self_origin)) {}

Replicator::~Replicator() { Stop(); }

void Replicator::SetConfig(const DaemonConfig& c) {
  std::lock_guard<std::mutex> lock(mu_);
  config_ = c;
}

void Replicator::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = false;
  threads_.emplace_back([this] { ReconcileLoop(); });
  threads_.emplace_back([this] { VerifyLoop(); });
  for (int i = 0; i < config_.replication.concurrency; ++i)
    threads_.emplace_back([this] { Worker(); });
}

void Replicator::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (threads_.empty()) return;
    stop_ = true;
    queue_.clear();  // their rows stay `pinning`/`removing`: resumed next start
  }
  cv_.notify_all();
  wake_cv_.notify_all();
  verify_cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  in_flight_.clear();
}

void Replicator::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  wake_cv_.notify_all();
}

void Replicator::Changed() {
  if (on_change_) on_change_();
}

ReplicationStatus Replicator::GetStatus() const {
  ReplicationStatus s;
  std::lock_guard<std::mutex> lock(mu_);
  s.queue_depth = static_cast<int64_t>(queue_.size());
  s.running.assign(running_.begin(), running_.end());
  s.jobs_done = jobs_done_;
  s.jobs_failed = jobs_failed_;
  s.blocks_copied = blocks_copied_;
  s.bytes_copied = bytes_copied_;
  s.blocks_verified = blocks_verified_;
  s.blocks_repaired = blocks_repaired_;
  return s;
}

int64_t Replicator::Backoff(int attempts) const {
  int64_t base, cap;
  {
    std::lock_guard<std::mutex> lock(mu_);
    base = config_.replication.retry_base_ms;
    cap = config_.replication.retry_max_ms;
  }
  int64_t d = base;
  for (int i = 1; i < attempts && d < cap; ++i) d *= 2;
  return std::min(d, cap);
}

void Replicator::ReconcileLoop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto interval = std::chrono::milliseconds(config_.intervals.reconcile_ms);
      wake_cv_.wait_for(lock, interval, [this] { return stop_ || woken_; });
      if (stop_) return;
      woken_ = false;
    }
    ReconcileOnce();
  }
}

void Replicator::ReconcileOnce() {
  if (auto totals = store_.LocationTotals(); totals.ok()) {
    std::map<std::string, int64_t> load;
    for (const auto& [backend, n, bytes] : *totals) load[backend] = n;
    std::lock_guard<std::mutex> lock(mu_);
    load_ = std::move(load);
  }
  // Due CIDs in batches; a CID that stays dirty is looked at again on the
  // next pass (its next_attempt_ms is pushed forward).
  for (int round = 0; round < 100; ++round) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
    }
    auto due = store_.DueCids(state::NowMs(), 500);
    if (!due.ok()) {
      log_.Write(LogLevel::kError, "replication",
                 "cannot read due pins: " + due.status().ToString());
      return;
    }
    if (due->empty()) return;
    for (const auto& c : *due) ReconcileCid(c);
    Status saved = store_.UpdateCids(outcomes_);
    if (!saved.ok())
      log_.Write(LogLevel::kError, "replication",
                 "cannot record reconcile outcomes: " + saved.ToString());
    outcomes_.clear();
    if (due->size() < 500) return;
  }
}

void Replicator::ReconcileCid(const state::CidRecord& cid_record) {
  state::CidRecord c = cid_record;
  int64_t now = state::NowMs();
  DaemonConfig cfg;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cfg = config_;
  }
  auto locs = store_.Locations(c.cid);
  if (!locs.ok()) return;
  auto in_flight = [&](const std::string& backend) {
    std::lock_guard<std::mutex> lock(mu_);
    return in_flight_.count({c.cid, backend}) > 0;
  };

  // No live request: trim every location, then forget the CID.
  if (c.replication_min == 0 && c.replication_max == 0) {
    for (auto l : *locs) {
      if (l.state != "removing") {
        l.state = "removing";
        l.updated_ms = now;
        (void)store_.PutLocation(l);
      }
      if (!in_flight(l.backend)) Enqueue(Kind::kTrim, c.cid, l.backend);
    }
    if (locs->empty()) {
      (void)store_.DropCidIfUnused(c.cid);
      return;
    }
    c.next_attempt_ms = now + cfg.intervals.reconcile_ms;
    outcomes_.emplace_back(c, false);
    return;
  }

  int counted = 0, pending = 0, removing = 0;
  bool in_grace = false;  // a pinned copy sits on a backend that is unhealthy, not yet for long
  std::set<std::string> has_row;
  std::vector<state::LocationRecord> pinned;
  for (auto& l : *locs) {
    has_row.insert(l.backend);
    bool exists = registry_.Get(l.backend) != nullptr;
    if (l.state == "pinned") {
      if (exists &&
          !registry_.UnhealthyLongerThan(l.backend, cfg.replication.unhealthy_grace_ms, now)) {
        ++counted;
        pinned.push_back(l);
        if (!registry_.Usable(l.backend)) in_grace = true;
      }
    } else if (l.state == "pinning") {
      if (!exists) {
        (void)store_.DeleteLocation(l.cid, l.backend);  // the backend was removed
        has_row.erase(l.backend);
        continue;
      }
      ++pending;
      if (!in_flight(l.backend) && l.next_attempt_ms <= now) Enqueue(Kind::kCopy, c.cid, l.backend);
    } else if (l.state == "removing") {
      ++removing;
      if (!in_flight(l.backend)) Enqueue(Kind::kTrim, c.cid, l.backend);
    } else if (l.state == "failed" || l.state == "unexpectedly_unpinned") {
      if (exists && l.attempts < cfg.replication.max_attempts && l.next_attempt_ms <= now &&
          registry_.Usable(l.backend) && counted + pending < c.replication_min) {
        l.state = "pinning";
        l.updated_ms = now;
        (void)store_.PutLocation(l);
        ++pending;
        if (!in_flight(l.backend)) Enqueue(Kind::kCopy, c.cid, l.backend);
      }
    }
  }

  // Under-replicated: allocate new backends.
  int need = c.replication_min - counted - pending;
  std::string why_not;
  if (need > 0) {
    std::vector<std::string> wanted = JsonStrings(c.backends_json);
    std::vector<BackendView> candidates;
    for (auto& v : registry_.List()) {
      if (has_row.count(v.config.name)) continue;
      if (v.caps.read_only || (!v.caps.stores_blocks && !v.caps.fetches_itself)) continue;
      if (v.health.state == "unhealthy") continue;
      if (!wanted.empty() &&
          std::find(wanted.begin(), wanted.end(), v.config.name) == wanted.end()) {
        // Tags may be asked for too: "tag:ssd".
        bool tag_ok = false;
        for (const auto& w : wanted) {
          if (w.rfind("tag:", 0) == 0 && std::find(v.config.tags.begin(), v.config.tags.end(),
                                                   w.substr(4)) != v.config.tags.end()) {
            tag_ok = true;
          }
        }
        if (!tag_ok) continue;
      }
      if (c.size_bytes > 0 && v.health.bytes_free >= 0 && v.health.bytes_free < c.size_bytes)
        continue;
      candidates.push_back(std::move(v));
    }
    // Healthy before unknown/degraded, then priority, then load (locations
    // held), then free space.
    std::map<std::string, int64_t> load;
    {
      std::lock_guard<std::mutex> lock(mu_);
      load = load_;
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [&load](const BackendView& a, const BackendView& b) {
                       bool ha = a.health.state == "healthy", hb = b.health.state == "healthy";
                       if (ha != hb) return ha;
                       if (a.config.priority != b.config.priority)
                         return a.config.priority > b.config.priority;
                       int64_t la = load[a.config.name], lb = load[b.config.name];
                       if (la != lb) return la < lb;
                       return a.health.bytes_free > b.health.bytes_free;
                     });
    for (const auto& v : candidates) {
      if (need <= 0) break;
      state::LocationRecord l;
      l.cid = c.cid;
      l.backend = v.config.name;
      l.state = "pinning";
      l.updated_ms = now;
      auto inserted = store_.PutLocation(l, true);
      if (inserted.ok() && *inserted) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          load_[l.backend]++;
        }
        ++pending;
        --need;
        Enqueue(Kind::kCopy, c.cid, l.backend);
      }
    }
    if (need > 0)
      why_not =
          "not enough usable backends for replication_min " + std::to_string(c.replication_min);
  }

  // Over-replicated: trim the least preferred extra locations.
  if (counted > c.replication_max && pending == 0) {
    std::stable_sort(pinned.begin(), pinned.end(), [&](const auto& a, const auto& b) {
      auto va = registry_.View(a.backend), vb = registry_.View(b.backend);
      int pa = va ? va->config.priority : 0, pb = vb ? vb->config.priority : 0;
      bool ua = va && va->health.state == "unhealthy", ub = vb && vb->health.state == "unhealthy";
      if (ua != ub) return ua;  // unhealthy ones go first
      return pa < pb;
    });
    for (int i = 0; i < counted - c.replication_max; ++i) {
      auto l = pinned[i];
      l.state = "removing";
      l.updated_ms = now;
      (void)store_.PutLocation(l);
      ++removing;
      Enqueue(Kind::kTrim, c.cid, l.backend);
    }
  }

  std::string old_status = c.status;
  if (counted >= c.replication_min) {
    c.status = "pinned";
    c.error.clear();
  } else if (pending > 0) {
    c.status = "pinning";
  } else {
    c.attempts += 1;
    c.error = why_not.empty() ? "no copy could be made" : why_not;
    c.status = c.attempts >= cfg.replication.max_attempts ? "failed" : "queued";
  }
  bool settled = counted >= c.replication_min && counted <= c.replication_max && pending == 0 &&
                 removing == 0 && !in_grace;
  c.next_attempt_ms = settled ? 0
                              : now + (pending || removing || in_grace ? cfg.intervals.reconcile_ms
                                                                       : Backoff(c.attempts));
  outcomes_.emplace_back(c, settled);
  if (c.status != old_status) {
    log_.Write(LogLevel::kInfo, "replication",
               c.cid + ": " + old_status + " -> " + c.status +
                   (c.error.empty() ? "" : " (" + c.error + ")"));
    Changed();
  }
}

void Replicator::Enqueue(Kind kind, const std::string& cid, const std::string& backend) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ || !in_flight_.insert({cid, backend}).second) return;
    queue_.push_back(Job{kind, cid, backend});
  }
  cv_.notify_one();
}

void Replicator::Worker() {
  for (;;) {
    Job j;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      j = std::move(queue_.front());
      queue_.pop_front();
      running_.insert({j.cid, j.backend});
    }
    if (j.kind == Kind::kCopy) {
      RunCopy(j);
    } else {
      RunTrim(j);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      running_.erase({j.cid, j.backend});
      in_flight_.erase({j.cid, j.backend});
    }
    (void)store_.MarkDirty({j.cid});
    Wake();
  }
}

std::shared_ptr<backends::Backend> Replicator::FindSource(const std::string& cid,
                                                          const std::string& exclude,
                                                          const std::vector<std::string>& origins) {
  auto root = Cid::Parse(cid);
  if (!root.ok()) return nullptr;
  // 1. A backend where the CID is pinned and blocks can be read.
  auto locs = store_.Locations(cid);
  std::vector<std::string> tried;
  if (locs.ok()) {
    std::vector<state::LocationRecord> ordered = *locs;
    // The local store first: it is the cheapest to read.
    std::stable_sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
      auto va = registry_.View(a.backend), vb = registry_.View(b.backend);
      return (va && va->config.type == "local") > (vb && vb->config.type == "local");
    });
    for (const auto& l : ordered) {
      if (l.state != "pinned" || l.backend == exclude || !registry_.Usable(l.backend)) continue;
      auto b = registry_.Get(l.backend);
      if (b && b->capabilities().stores_blocks) return b;
    }
  }
  // 2. Any block-reading backend that has the root (e.g. the local store
  //    after `ipfs-kit add`, before the daemon placed the pin).
  for (const auto& v : registry_.List()) {
    if (v.config.name == exclude || v.health.state == "unhealthy" || !v.caps.stores_blocks)
      continue;
    auto b = registry_.Get(v.config.name);
    if (!b) continue;
    auto has = b->Has(*root);
    if (has.ok() && *has) return b;
  }
  // 3. Origins that are trustless gateways (http URLs).
  for (const auto& o : origins) {
    if (!IsHttpUrl(o)) continue;
    backends::BackendConfig g;
    g.name = "origin";
    g.type = "gateway";
    g.params["url"] = o;
    auto b = backends::MakeBackend(g, "");
    if (!b.ok()) continue;
    auto has = (*b)->Has(*root);
    if (has.ok() && *has) return std::shared_ptr<backends::Backend>(std::move(b).value());
  }
  return nullptr;
}

void Replicator::FailLocation(state::LocationRecord l, const std::string& error) {
  l.state = "failed";
  l.attempts += 1;
  l.error = error;
  l.next_attempt_ms = state::NowMs() + Backoff(l.attempts);
  l.updated_ms = state::NowMs();
  (void)store_.PutLocation(l);
  registry_.RecordOp(l.backend, false);
  jobs_failed_++;
  log_.Write(LogLevel::kWarn, "replication",
             "copy of " + l.cid + " to " + l.backend + " failed (attempt " +
                 std::to_string(l.attempts) + "): " + error,
             l.backend);
}

void Replicator::RunCopy(const Job& j) {
  auto locs = store_.Locations(j.cid);
  if (!locs.ok()) return;
  std::optional<state::LocationRecord> loc;
  for (const auto& l : *locs) {
    if (l.backend == j.backend) loc = l;
  }
  if (!loc || loc->state != "pinning") return;  // changed meanwhile
  auto dst = registry_.Get(j.backend);
  if (!dst) {
    (void)store_.DeleteLocation(j.cid, j.backend);
    return;
  }
  auto root = Cid::Parse(j.cid);
  if (!root.ok()) {
    FailLocation(*loc, "invalid CID: " + root.status().ToString());
    return;
  }
  auto cid_rec = store_.GetCid(j.cid);
  std::vector<std::string> origins;
  if (cid_rec.ok() && *cid_rec) origins = JsonStrings((*cid_rec)->origins_json);
  auto caps = dst->capabilities();

  // An asynchronous pin already asked for: poll it.
  if (caps.async_pins && loc->attempts > 0 && loc->error.empty()) {
    auto st = dst->PinStatus(*root);
    if (st.ok() && st->state == backends::PinState::kPinned) {
      loc->state = "pinned";
      loc->verified_ms = state::NowMs();
      loc->updated_ms = state::NowMs();
      (void)store_.PutLocation(*loc);
      jobs_done_++;
      log_.Write(LogLevel::kInfo, "replication", j.cid + " pinned on " + j.backend, j.backend);
      Changed();
      return;
    }
    if (!st.ok() || st->state == backends::PinState::kFailed ||
        st->state == backends::PinState::kAbsent) {
      FailLocation(*loc, st.ok() ? "the service reports the pin " +
                                       std::string(backends::PinStateName(st->state)) +
                                       (st->reason.empty() ? "" : ": " + st->reason)
                                 : st.status().ToString());
      return;
    }
    loc->next_attempt_ms = state::NowMs() + 500;  // still queued/pinning there: look again soon
    (void)store_.PutLocation(*loc);
    return;
  }

  backends::PinRequest req;
  req.origins = origins;
  if (!self_origin_.empty()) req.origins.push_back(self_origin_);
  std::shared_ptr<backends::Backend> src;
  if (!caps.fetches_itself) {
    // The destination may hold the blocks already (`ipfs-kit add` writes
    // them to the local store): then the copy only checks the DAG is whole.
    if (caps.stores_blocks) {
      auto has = dst->Has(*root);
      if (has.ok() && *has) src = dst;
    }
    if (!src) src = FindSource(j.cid, j.backend, origins);
    if (!src) {
      FailLocation(*loc, "no backend or origin holds " + j.cid);
      return;
    }
  }
  backends::CopyStats stats;
  Status s = backends::CopyDag(src ? *src : *dst, *dst, *root, req, &stats);
  if (!s.ok()) {
    FailLocation(*loc, s.ToString());
    return;
  }
  registry_.RecordOp(j.backend, true);
  blocks_copied_ += static_cast<int64_t>(stats.blocks);
  bytes_copied_ += static_cast<int64_t>(stats.bytes);
  loc->error.clear();
  loc->updated_ms = state::NowMs();
  if (caps.async_pins) {
    loc->attempts += 1;  // asked; the next run polls
    loc->next_attempt_ms = state::NowMs() + 200;
    (void)store_.PutLocation(*loc);
    return;
  }
  loc->state = "pinned";
  loc->size_bytes = static_cast<int64_t>(stats.bytes);
  loc->verified_ms = state::NowMs();
  (void)store_.PutLocation(*loc);
  if (cid_rec.ok() && *cid_rec && (*cid_rec)->size_bytes == 0 && loc->size_bytes > 0) {
    state::CidRecord c = **cid_rec;
    c.size_bytes = loc->size_bytes;
    (void)store_.UpdateCid(c, false);
  }
  jobs_done_++;
  log_.Write(LogLevel::kInfo, "replication",
             j.cid + " pinned on " + j.backend + " (" + std::to_string(stats.blocks) +
                 " blocks copied, " + std::to_string(stats.skipped) + " present)",
             j.backend);
  Changed();
}

void Replicator::RunTrim(const Job& j) {
  auto b = registry_.Get(j.backend);
  if (b) {
    auto root = Cid::Parse(j.cid);
    if (root.ok()) {
      Status s = b->Unpin(*root);
      if (!s.ok()) {
        registry_.RecordOp(j.backend, false);
        log_.Write(LogLevel::kWarn, "replication",
                   "unpin of " + j.cid + " on " + j.backend + " failed: " + s.ToString(),
                   j.backend);
        return;  // the row stays `removing`: retried on the next pass
      }
    }
  }
  (void)store_.DeleteLocation(j.cid, j.backend);
  jobs_done_++;
  log_.Write(LogLevel::kInfo, "replication", j.cid + " removed from " + j.backend, j.backend);
  Changed();
}

void Replicator::VerifyLoop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      verify_cv_.wait_for(lock, std::chrono::milliseconds(config_.intervals.verify_ms),
                          [this] { return stop_; });
      if (stop_) return;
    }
    VerifyOnce();
  }
}

int64_t Replicator::VerifyOnce() {
  int n;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = config_.verify.locations_per_round;
  }
  auto locs = store_.LeastRecentlyVerified(n);
  if (!locs.ok()) return 0;
  int64_t repaired = 0;
  for (const auto& l : *locs) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) break;
    }
    if (!registry_.Usable(l.backend)) continue;
    auto b = registry_.Get(l.backend);
    if (!b || !b->capabilities().stores_blocks) {
      auto copy = l;
      copy.verified_ms = state::NowMs();  // nothing to re-hash there: move on
      (void)store_.PutLocation(copy);
      continue;
    }
    if (VerifyLocation(l, &repaired)) {
      auto copy = l;
      copy.verified_ms = state::NowMs();
      (void)store_.PutLocation(copy);
    }
  }
  if (repaired) blocks_repaired_ += repaired;
  return repaired;
}

// Walks the DAG on the location's backend, re-hashing each block; a block
// that is missing or corrupt is fetched (verified) from another replica and
// written back. Returns false when the walk could not finish.
bool Replicator::VerifyLocation(const state::LocationRecord& l, int64_t* repaired) {
  auto b = registry_.Get(l.backend);
  auto root = Cid::Parse(l.cid);
  if (!b || !root.ok()) return false;
  int max_blocks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    max_blocks = config_.verify.max_blocks_per_location;
  }
  std::vector<Cid> stack{*root};
  std::set<std::string> seen;
  int visited = 0;
  while (!stack.empty() && visited < max_blocks) {
    Cid c = stack.back();
    stack.pop_back();
    if (!seen.insert(c.ToString()).second) continue;
    ++visited;
    auto bytes = backends::GetVerified(*b, c);
    blocks_verified_++;
    if (!bytes.ok()) {
      log_.Write(LogLevel::kWarn, "verify",
                 "block " + c.ToString() + " of " + l.cid + " on " + l.backend + ": " +
                     bytes.status().ToString(),
                 l.backend);
      auto src = FindSource(l.cid, l.backend, {});
      if (!src) return false;
      auto good = backends::GetVerified(*src, c);
      if (!good.ok()) return false;
      Status put = b->Put(c, *good);
      if (!put.ok()) {
        log_.Write(LogLevel::kError, "verify",
                   "repair of " + c.ToString() + " on " + l.backend + " failed: " + put.ToString(),
                   l.backend);
        return false;
      }
      ++*repaired;
      log_.Write(LogLevel::kInfo, "verify",
                 "repaired block " + c.ToString() + " of " + l.cid + " on " + l.backend + " from " +
                     src->name(),
                 l.backend);
      bytes = std::move(good);
    }
    if (c.codec() == multiformats::kCodecDagPb) {
      auto node = dagpb::DecodeView(*bytes);
      if (!node.ok()) return false;
      for (auto it = node->links.rbegin(); it != node->links.rend(); ++it)
        stack.push_back(it->hash);
    }
  }
  return true;
}

}  // namespace ipfs_kit::daemon
