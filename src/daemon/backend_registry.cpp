#include "backend_registry.h"

#include <algorithm>

#include "ipfs_kit/state/store.h"

namespace ipfs_kit::daemon {
namespace {

constexpr size_t kWindow = 50;

bool SameConfig(const backends::BackendConfig& a, const backends::BackendConfig& b) {
  return a.name == b.name && a.type == b.type && a.params == b.params && a.tags == b.tags &&
         a.priority == b.priority && a.capacity_bytes == b.capacity_bytes;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

Status BackendRegistry::SetConfigBackends(const std::vector<backends::BackendConfig>& configs,
                                          const std::string& repo) {
  // Make every new backend first, so a bad config changes nothing.
  std::map<std::string, std::shared_ptr<backends::Backend>> made;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& c : configs) {
      auto it = entries_.find(c.name);
      if (it != entries_.end() && it->second.from_api) {
        return Status::InvalidArgument("backend " + c.name +
                                       " is defined both in the config and through the API");
      }
      if (it != entries_.end() && SameConfig(it->second.config, c))
        made[c.name] = it->second.backend;
    }
  }
  for (const auto& c : configs) {
    if (made.count(c.name)) continue;
    ASSIGN_OR_RETURN(auto b, backends::MakeBackend(c, repo));
    made[c.name] = std::shared_ptr<backends::Backend>(std::move(b));
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (!it->second.from_api && !made.count(it->first)) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& c : configs) {
    auto& e = entries_[c.name];
    if (e.backend != made[c.name]) {
      e = Entry{};
      e.health.since_ms = state::NowMs();
    }
    e.backend = made[c.name];
    e.config = c;
  }
  return Status::Ok();
}

Status BackendRegistry::AddApiBackend(const backends::BackendConfig& config,
                                      const std::string& repo) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.count(config.name))
      return Status::AlreadyExists("a backend named " + config.name + " exists");
  }
  ASSIGN_OR_RETURN(auto b, backends::MakeBackend(config, repo));
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.count(config.name))
    return Status::AlreadyExists("a backend named " + config.name + " exists");
  Entry e;
  e.backend = std::shared_ptr<backends::Backend>(std::move(b));
  e.config = config;
  e.from_api = true;
  e.health.since_ms = state::NowMs();
  entries_[config.name] = std::move(e);
  return Status::Ok();
}

Status BackendRegistry::Remove(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!entries_.erase(name)) return Status::NotFound("no backend named " + name);
  return Status::Ok();
}

std::shared_ptr<backends::Backend> BackendRegistry::Get(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : it->second.backend;
}

std::vector<BackendView> BackendRegistry::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<BackendView> out;
  for (const auto& [name, e] : entries_) {
    out.push_back(BackendView{e.config, e.backend->capabilities(), e.from_api, e.health});
  }
  return out;
}

std::optional<BackendView> BackendRegistry::View(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  return BackendView{it->second.config, it->second.backend->capabilities(), it->second.from_api,
                     it->second.health};
}

void BackendRegistry::Recompute(Entry& e) {
  std::vector<double> l(e.latencies.begin(), e.latencies.end());
  e.health.latency_p50_ms = Percentile(l, 0.5);
  e.health.latency_p99_ms = Percentile(l, 0.99);
  size_t bad = std::count(e.outcomes.begin(), e.outcomes.end(), false);
  e.health.error_rate =
      e.outcomes.empty() ? 0 : static_cast<double>(bad) / static_cast<double>(e.outcomes.size());
}

std::optional<std::string> BackendRegistry::RecordProbe(const std::string& name, bool ok,
                                                        double latency_ms,
                                                        const backends::Probe& probe,
                                                        const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  Entry& e = it->second;
  int64_t now = state::NowMs();
  if (ok) {
    e.latencies.push_back(latency_ms);
    if (e.latencies.size() > kWindow) e.latencies.pop_front();
  }
  e.outcomes.push_back(ok);
  if (e.outcomes.size() > kWindow) e.outcomes.pop_front();
  Recompute(e);
  std::string next, why;
  if (!ok) {
    next = "unhealthy";
    why = reason;
  } else if (e.health.error_rate >= 0.2) {
    next = "degraded";
    why = "error rate " + std::to_string(static_cast<int>(e.health.error_rate * 100)) +
          "% over recent operations";
  } else {
    next = "healthy";
  }
  e.health.checked_ms = now;
  if (ok) {
    if (probe.bytes_used) e.health.bytes_used = *probe.bytes_used;
    if (probe.bytes_free) e.health.bytes_free = *probe.bytes_free;
    if (probe.pin_count) e.health.pin_count = *probe.pin_count;
    e.health.detail = probe.detail;
  }
  if (e.config.capacity_bytes > 0 && e.health.bytes_used >= 0) {
    e.health.bytes_free = std::max<int64_t>(0, e.config.capacity_bytes - e.health.bytes_used);
  }
  e.health.reason = why;
  if (next == e.health.state) return std::nullopt;
  std::string prev = e.health.state;
  e.health.state = next;
  e.health.since_ms = now;
  return prev;
}

void BackendRegistry::RecordOp(const std::string& name, bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return;
  it->second.outcomes.push_back(ok);
  if (it->second.outcomes.size() > kWindow) it->second.outcomes.pop_front();
  Recompute(it->second);
}

bool BackendRegistry::Usable(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  return it != entries_.end() && it->second.health.state != "unhealthy";
}

bool BackendRegistry::UnhealthyLongerThan(const std::string& name, int64_t grace_ms,
                                          int64_t now_ms) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return true;  // removed backends hold nothing we can count on
  return it->second.health.state == "unhealthy" && now_ms - it->second.health.since_ms >= grace_ms;
}

}  // namespace ipfs_kit::daemon
