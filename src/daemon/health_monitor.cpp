#include "health_monitor.h"

#include <chrono>

namespace ipfs_kit::daemon {

HealthMonitor::HealthMonitor(BackendRegistry& registry, state::Store& store, Log& log)
    : registry_(registry), store_(store), log_(log) {}

HealthMonitor::~HealthMonitor() { Stop(); }

void HealthMonitor::SetInterval(int64_t ms, int history) {
  std::lock_guard<std::mutex> lock(mu_);
  interval_ms_ = ms;
  history_ = history;
}

void HealthMonitor::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void HealthMonitor::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void HealthMonitor::Loop() {
  for (;;) {
    ProbeAll();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stop_; });
    if (stop_) return;
  }
}

void HealthMonitor::ProbeAll() {
  std::vector<std::thread> probes;
  for (const auto& v : registry_.List()) {
    probes.emplace_back([this, name = v.config.name] { ProbeOne(name); });
  }
  for (auto& t : probes) t.join();
}

void HealthMonitor::ProbeOne(const std::string& name) {
  auto b = registry_.Get(name);
  if (!b) return;
  auto t0 = std::chrono::steady_clock::now();
  auto probe = b->Check();
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::string reason = probe.ok() ? "" : probe.status().ToString();
  auto prev =
      registry_.RecordProbe(name, probe.ok(), ms, probe.ok() ? *probe : backends::Probe{}, reason);
  auto view = registry_.View(name);
  if (!view) return;
  state::HealthRecord h;
  h.backend = name;
  h.at_ms = state::NowMs();
  h.state = view->health.state;
  h.reason = view->health.reason;
  h.latency_ms = ms;
  h.ok = probe.ok();
  h.bytes_used = view->health.bytes_used;
  h.bytes_free = view->health.bytes_free;
  h.pin_count = view->health.pin_count;
  int history;
  {
    std::lock_guard<std::mutex> lock(mu_);
    history = history_;
  }
  (void)store_.AddHealth(h, history);
  if (prev) {
    LogLevel level = view->health.state == "unhealthy" ? LogLevel::kWarn : LogLevel::kInfo;
    log_.Write(level, "health",
               "backend " + name + ": " + *prev + " -> " + view->health.state +
                   (view->health.reason.empty() ? "" : " (" + view->health.reason + ")"),
               name);
    auto cids = store_.CidsOnBackend(name);
    if (cids.ok() && !cids->empty()) (void)store_.MarkDirty(*cids);
    if (on_transition_) on_transition_();
  }
}

}  // namespace ipfs_kit::daemon
