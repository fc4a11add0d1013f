#include "ipfs_kit/daemon/daemon.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "api.h"
#include "context.h"
#include "ipfs_kit/backends/backend_config.h"
#include "ipfs_kit/client/spool.h"
#include "ipfs_kit/http/server.h"
#include "ipfs_kit/multiformats/cid.h"
#include "ipfs_kit/repo/repo.h"

namespace ipfs_kit::daemon {

struct Daemon::Impl {
  std::string repo;
  int lock_fd = -1;
  Context ctx;
  std::unique_ptr<state::Store> store;
  std::unique_ptr<Log> log;
  BackendRegistry registry;
  std::unique_ptr<PinQueue> pins;
  std::unique_ptr<Replicator> replicator;
  std::unique_ptr<IndexPublisher> index;
  std::unique_ptr<HealthMonitor> health;
  std::unique_ptr<http::Server> server;
  std::string api_url;
  bool stopped = false;
  std::mutex reload_mu;
  // Watches config.json: a change (mtime or size) is applied like SIGHUP.
  std::thread watcher;
  std::mutex watch_mu;
  std::condition_variable watch_cv;
  bool watch_stop = false;

  ~Impl() {
    if (lock_fd >= 0) ::close(lock_fd);
  }

  Status Apply(const DaemonConfig& c, bool write_file);
  // The one way a running daemon changes its configuration (SIGHUP, a
  // changed config.json, PUT /config): `given` or else config.json, applied
  // whole or not at all; logged as `why`.
  Status Reconfigure(const std::optional<DaemonConfig>& given, const std::string& why);
  std::pair<int64_t, int64_t>
      config_seen;  // config.json's signature once applied; guarded by reload_mu
  Status TakeInSpool();
};

namespace {

// What identifies a version of config.json: mtime (ns) and size; 0 if absent.
std::pair<int64_t, int64_t> FileSignature(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return {0, 0};
  return {static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, st.st_size};
}

Status LoadConfig(const std::string& repo, DaemonConfig* out) {
  std::string path = repo + "/config.json";
  auto text = repo::ReadSmallFile(path, 4 << 20);
  if (text.status().code() == StatusCode::kNotFound) {
    *out = DefaultConfig();
    std::string j = ConfigToJson(*out);
    return repo::WriteFileAtomic(path, AsBytes(j));
  }
  if (!text.ok()) return text.status();
  ASSIGN_OR_RETURN(*out, ParseConfig(*text, path));
  return Status::Ok();
}

}  // namespace

Result<std::string> ReadOrCreateToken(const std::string& repo_path) {
  std::string path = repo_path + "/api.token";
  auto text = repo::ReadSmallFile(path, 4096);
  if (text.ok()) {
    std::string t = *text;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    if (t.empty()) return Status::InvalidArgument(path + " is empty");
    return t;
  }
  if (text.status().code() != StatusCode::kNotFound) return text.status();
  std::string token = state::NewRequestId() + state::NewRequestId();
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + tmp);
  std::string line = token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  // link() fails if another process created the token first: use theirs.
  if (!ok || (::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST)) {
    ::unlink(tmp.c_str());
    return Status::IOError("cannot write " + path);
  }
  ::unlink(tmp.c_str());
  (void)repo::FsyncDirectory(repo_path);
  return ReadOrCreateToken(repo_path);
}

Status Daemon::Impl::Apply(const DaemonConfig& c, bool write_file) {
  RETURN_IF_ERROR(registry.SetConfigBackends(c.backends, repo));
  if (write_file) {
    std::string j = ConfigToJson(c);
    RETURN_IF_ERROR(repo::WriteFileAtomic(repo + "/config.json", AsBytes(j)));
  }
  {
    std::lock_guard<std::mutex> lock(ctx.config_mu);
    DaemonConfig::Api running = ctx.config.api;
    ctx.config = c;
    if (server) ctx.config.api = running;  // the listening address changes only on restart
  }
  LogLevel level = LogLevel::kInfo;
  ParseLogLevel(c.logs.level, &level);
  log->SetLevel(level);
  if (replicator) replicator->SetConfig(c);
  if (health) health->SetInterval(c.intervals.health_ms, c.health_history);
  if (index) index->SetIntervals(c.intervals.index_debounce_ms, c.intervals.index_publish_ms);
  return Status::Ok();
}

Status Daemon::Impl::Reconfigure(const std::optional<DaemonConfig>& given, const std::string& why) {
  std::lock_guard<std::mutex> lock(reload_mu);
  DaemonConfig next;
  Status s = given ? Status::Ok() : LoadConfig(repo, &next);
  if (s.ok()) s = Apply(given ? *given : next, given.has_value());
  config_seen = FileSignature(repo + "/config.json");
  if (!s.ok()) {
    log->Write(LogLevel::kError, "config",
               why + ": refused, the old configuration stays: " + s.ToString());
    return s;
  }
  log->Write(LogLevel::kInfo, "config", why + ": configuration applied");
  health->ProbeAll();
  replicator->Wake();
  index->MarkDirty();
  return Status::Ok();
}

Status Daemon::Impl::TakeInSpool() {
  std::vector<std::string> rejected;
  auto spooled = client::ReadSpool(repo, [&](const std::string& f, const std::string& err) {
    log->Write(LogLevel::kError, "spool", "spool/" + f + " rejected: " + err);
    rejected.push_back(f);
  });
  if (!spooled.ok()) return spooled.status();
  for (const auto& f : rejected) (void)client::RejectSpooled(repo, f);
  if (spooled->empty()) return Status::Ok();
  DaemonConfig cfg;
  {
    std::lock_guard<std::mutex> lock(ctx.config_mu);
    cfg = ctx.config;
  }
  std::vector<state::PinRecord> records;
  std::vector<std::string> files;
  for (const auto& s : *spooled) {
    auto parsed = multiformats::Cid::Parse(s.cid);
    if (!parsed.ok()) {
      log->Write(LogLevel::kError, "spool", "spool/" + s.file + " rejected: invalid CID " + s.cid);
      (void)client::RejectSpooled(repo, s.file);
      continue;
    }
    state::PinRecord p;
    p.cid = parsed->ToV1().ToString();
    p.name = s.name;
    p.replication_min = s.replication_min > 0 ? s.replication_min : cfg.replication.min;
    p.replication_max = std::max(p.replication_min,
                                 s.replication_max > 0 ? s.replication_max : cfg.replication.max);
    p.backends_json = nlohmann::json(s.backends).dump();
    p.created_ms = s.created_ms;
    p.source = "spool";
    p.idempotency_key =
        "spool:" + s.file;  // taken in once even if we crash before removing the file
    records.push_back(std::move(p));
    files.push_back(s.file);
  }
  ASSIGN_OR_RETURN(auto stored, store->AddPins(std::move(records)));
  RETURN_IF_ERROR(client::RemoveSpooled(repo, files));
  log->Write(LogLevel::kInfo, "spool",
             "took in " + std::to_string(stored.size()) + " spooled pin request(s)");
  return Status::Ok();
}

Result<std::unique_ptr<Daemon>> Daemon::Start(const DaemonOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->repo = options.repo_path;
  ASSIGN_OR_RETURN(auto repo_handle, repo::Repo::Open(options.repo_path));
  (void)repo_handle;
  const std::string& repo = impl->repo;

  // One daemon per repository.
  std::string lock_path = repo + "/daemon.lock";
  impl->lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (impl->lock_fd < 0) return Status::IOError("cannot open " + lock_path);
  if (::flock(impl->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    auto pid = repo::ReadSmallFile(repo + "/daemon.pid", 64);
    std::string who = pid.ok() ? " (pid " + std::string(pid->substr(0, pid->find('\n'))) + ")" : "";
    return Status::AlreadyExists("another daemon is running on " + repo + who);
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  RETURN_IF_ERROR(repo::WriteFileAtomic(repo + "/daemon.pid", AsBytes(pid)));

  DaemonConfig cfg;
  RETURN_IF_ERROR(LoadConfig(repo, &cfg));
  if (!options.api_address.empty()) cfg.api.address = options.api_address;
  LogLevel level = LogLevel::kInfo;
  ParseLogLevel(cfg.logs.level, &level);
  impl->log =
      std::make_unique<Log>(repo + "/logs", cfg.logs.max_file_bytes, cfg.logs.keep_files, level);
  ASSIGN_OR_RETURN(impl->ctx.token, ReadOrCreateToken(repo));
  ASSIGN_OR_RETURN(impl->store, state::Store::Open(repo + "/state.db"));

  // API backends from the store, then the config's.
  ASSIGN_OR_RETURN(auto api_backends, impl->store->Backends());
  for (const auto& b : api_backends) {
    auto c = backends::ParseBackendConfig(b.config_json, "state.db backends." + b.name);
    Status s = c.ok() ? impl->registry.AddApiBackend(*c, repo) : c.status();
    if (!s.ok())
      impl->log->Write(LogLevel::kError, "backends",
                       "backend " + b.name + " not loaded: " + s.ToString());
  }
  RETURN_IF_ERROR(impl->Apply(cfg, false));

  // The API's address: bind first, so the origin we give out is real.
  std::string host = cfg.api.address.substr(0, cfg.api.address.rfind(':'));
  std::string port_text = cfg.api.address.substr(cfg.api.address.rfind(':') + 1);
  char* end = nullptr;
  long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end || port < 0 || port > 65535) {
    return Status::InvalidArgument("api.address: bad port \"" + port_text + "\"");
  }

  Impl* raw = impl.get();
  impl->ctx.repo_path = repo;
  impl->ctx.started_ms = state::NowMs();
  impl->ctx.store = impl->store.get();
  impl->ctx.registry = &impl->registry;
  impl->ctx.log = impl->log.get();
  impl->pins = std::make_unique<PinQueue>(*impl->store);
  impl->ctx.pins = impl->pins.get();
  impl->index =
      std::make_unique<IndexPublisher>(repo + "/index", *impl->store, impl->registry, *impl->log);
  impl->ctx.index = impl->index.get();
  impl->health = std::make_unique<HealthMonitor>(impl->registry, *impl->store, *impl->log);
  impl->ctx.health = impl->health.get();
  impl->ctx.apply_config = [raw](const DaemonConfig& c) {
    return raw->Reconfigure(c, "PUT /config");
  };

  http::ServerOptions so;
  so.address = host;
  so.port = static_cast<uint16_t>(port);
  so.threads = cfg.api.threads;
  so.max_body_bytes = static_cast<size_t>(cfg.api.max_body_bytes);
  Context* ctx = &impl->ctx;
  ASSIGN_OR_RETURN(impl->server,
                   http::Server::Start(so, [ctx](http::Request req, http::Responder respond) {
                     HandleApi(*ctx, std::move(req), std::move(respond));
                   }));
  impl->api_url = "http://" + host + ":" + std::to_string(impl->server->port());
  impl->ctx.origin = impl->api_url;

  impl->replicator =
      std::make_unique<Replicator>(*impl->store, impl->registry, *impl->log, impl->api_url);
  impl->ctx.replicator = impl->replicator.get();
  impl->replicator->SetConfig(cfg);
  impl->health->SetInterval(cfg.intervals.health_ms, cfg.health_history);
  impl->index->SetIntervals(cfg.intervals.index_debounce_ms, cfg.intervals.index_publish_ms);
  impl->replicator->OnChange([raw] { raw->index->MarkDirty(); });
  impl->health->OnTransition([raw] {
    raw->index->MarkDirty();
    raw->replicator->Wake();
  });
  impl->pins->OnCommit([raw] {
    raw->replicator->Wake();
    raw->index->MarkDirty();
  });

  // Spool, then resume: what the last daemon left in motion (`pinning` and
  // `removing` rows are its unfinished jobs), what is not pinned yet, and
  // what sits on a backend that is gone are looked at again.
  Status spool = impl->TakeInSpool();
  if (!spool.ok())
    impl->log->Write(LogLevel::kError, "spool", "cannot take in the spool: " + spool.ToString());
  std::vector<std::string> known;
  for (const auto& v : impl->registry.List()) known.push_back(v.config.name);
  RETURN_IF_ERROR(impl->store->MarkUnsettled(known));
  impl->health->ProbeAll();
  impl->health->Start();
  impl->replicator->Start();
  impl->index->Start();
  impl->replicator->Wake();

  std::string api_line = impl->api_url + "\n";
  RETURN_IF_ERROR(repo::WriteFileAtomic(repo + "/api", AsBytes(api_line)));
  impl->log->Write(LogLevel::kInfo, "daemon",
                   "listening on " + impl->api_url + " (repository " + repo + ")");
  // config.json edited by hand is picked up without a SIGHUP (checked every
  // second); a file with an error is refused and logged, the old config stays.
  {
    std::lock_guard<std::mutex> lock(impl->reload_mu);
    impl->config_seen = FileSignature(repo + "/config.json");
  }
  impl->watcher = std::thread([raw] {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(raw->watch_mu);
        raw->watch_cv.wait_for(lock, std::chrono::seconds(1), [raw] { return raw->watch_stop; });
        if (raw->watch_stop) return;
      }
      auto now = FileSignature(raw->repo + "/config.json");
      {
        std::lock_guard<std::mutex> lock(raw->reload_mu);
        if (now == raw->config_seen) continue;  // unchanged, or written by PUT /config
      }
      (void)raw->Reconfigure(std::nullopt, "config.json changed");
    }
  });

  return std::unique_ptr<Daemon>(new Daemon(std::move(impl)));
}

Daemon::Daemon(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Daemon::~Daemon() { Stop(); }

std::string Daemon::api_url() const { return impl_->api_url; }

Status Daemon::Reload() { return impl_->Reconfigure(std::nullopt, "reload (SIGHUP)"); }

void Daemon::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->log->Write(LogLevel::kInfo, "daemon", "stopping");
  {
    std::lock_guard<std::mutex> lock(impl_->watch_mu);
    impl_->watch_stop = true;
  }
  impl_->watch_cv.notify_all();
  if (impl_->watcher.joinable()) impl_->watcher.join();
  ::unlink((impl_->repo + "/api").c_str());
  impl_->server->Stop();
  impl_->health->Stop();
  impl_->replicator->Stop();
  impl_->index->Stop();  // publishes the last changes
  impl_->pins.reset();   // answers every queued submission
  ::unlink((impl_->repo + "/daemon.pid").c_str());
  impl_->log->Write(LogLevel::kInfo, "daemon", "stopped");
}

}  // namespace ipfs_kit::daemon
