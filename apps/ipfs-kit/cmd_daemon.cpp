// `daemon` (foreground), `daemon start|stop|status|logs`. Wiring only: the
// daemon itself is src/daemon (include/ipfs_kit/daemon/daemon.h).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "cli_common.h"
#include "ipfs_kit/client/daemon_client.h"
#include "ipfs_kit/daemon/daemon.h"

namespace ipfs_kit::cli {
namespace {

Status RunForeground(const std::string& api) {
  // Signals are taken synchronously by this thread (sigwait), so every other
  // thread runs with them blocked.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ASSIGN_OR_RETURN(auto repo, OpenRepo());  // creates the repository on first use
  daemon::DaemonOptions o;
  o.repo_path = repo->path();
  o.api_address = api;
  ASSIGN_OR_RETURN(auto d, daemon::Daemon::Start(o));
  std::cout << "ipfs-kit daemon: API " << d->api_url() << " (repository " << o.repo_path << ")"
            << std::endl;
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      Status s = d->Reload();
      std::cerr << (s.ok() ? "config reloaded" : "config reload refused: " + s.ToString())
                << std::endl;
      continue;
    }
    std::cerr << "ipfs-kit daemon: stopping (" << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ")"
              << std::endl;
    d->Stop();
    return Status::Ok();
  }
}

Result<pid_t> RunningPid(const std::string& repo) {
  auto text = repo::ReadSmallFile(repo + "/daemon.pid", 64);
  if (!text.ok()) return Status::NotFound("no daemon is running on " + repo);
  pid_t pid = static_cast<pid_t>(std::strtol(text->c_str(), nullptr, 10));
  if (pid <= 0 || ::kill(pid, 0) != 0)
    return Status::NotFound("no daemon is running on " + repo + " (stale pid file)");
  return pid;
}

Status RunStart(const std::string& api, int wait_s) {
  std::string repo = RepoPath();
  if (auto pid = RunningPid(repo); pid.ok()) {
    return Status::AlreadyExists("a daemon is already running on " + repo + " (pid " +
                                 std::to_string(*pid) + ")");
  }
  ASSIGN_OR_RETURN(auto r, OpenRepo());
  (void)r;
  std::string self = "/proc/self/exe";
  char exe[4096];
  ssize_t n = ::readlink(self.c_str(), exe, sizeof exe - 1);
  if (n <= 0) return Status::IOError("cannot find this executable");
  exe[n] = 0;
  ::unlink((repo + "/api").c_str());
  pid_t child = ::fork();
  if (child < 0) return Status::IOError("fork failed");
  if (child == 0) {
    ::setsid();
    std::string out = repo + "/logs";
    ::mkdir(out.c_str(), 0700);
    out += "/daemon.out";
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<std::string> args = {exe, "--repo-dir", repo, "daemon"};
    if (!api.empty()) {
      args.push_back("--api");
      args.push_back(api);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(exe, argv.data());
    _exit(127);
  }
  // Ready when the API answers /health.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
  while (std::chrono::steady_clock::now() < deadline) {
    int st = 0;
    if (::waitpid(child, &st, WNOHANG) == child) {
      return Status::Internal("the daemon exited at start; see " + repo + "/logs/daemon.out");
    }
    auto c = client::DaemonClient::ForRepo(repo, {1000, 500, 0, 0});
    if (c.ok() && c->Get("/health").ok()) {
      std::cout << "ipfs-kit daemon started: pid " << child << ", API " << c->base_url()
                << std::endl;
      return Status::Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Unavailable("the daemon did not answer within " + std::to_string(wait_s) +
                             " s; see " + repo + "/logs/daemon.out");
}

Status RunStop(int wait_s) {
  std::string repo = RepoPath();
  ASSIGN_OR_RETURN(pid_t pid, RunningPid(repo));
  if (::kill(pid, SIGTERM) != 0) return Status::IOError("cannot signal pid " + std::to_string(pid));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (::kill(pid, 0) != 0) {
      std::cout << "ipfs-kit daemon stopped (pid " << pid << ")" << std::endl;
      return Status::Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Unavailable("the daemon (pid " + std::to_string(pid) + ") did not stop within " +
                             std::to_string(wait_s) + " s");
}

Status RunStatus(bool json) {
  std::string repo = RepoPath();
  auto c = client::DaemonClient::ForRepo(repo, {2000, 1000, 0, 0});
  Result<nlohmann::json> health = c.ok() ? c->Get("/health") : Result<nlohmann::json>(c.status());
  auto pid = RunningPid(repo);
  bool running = health.ok();
  if (json) {
    nlohmann::json j = {{"running", running}, {"repository", repo}};
    if (c.ok()) j["api"] = c->base_url();
    if (pid.ok()) j["pid"] = *pid;
    if (running) {
      auto r = c->Get("/replication");
      if (r.ok()) j["replication"] = *r;
    } else {
      j["error"] = health.status().message();
    }
    RETURN_IF_ERROR(WriteStdout(j.dump() + "\n"));
  } else if (running) {
    RETURN_IF_ERROR(WriteStdout("running: pid " +
                                (pid.ok() ? std::to_string(*pid) : std::string("?")) + ", API " +
                                c->base_url() + "\n"));
  } else {
    RETURN_IF_ERROR(WriteStdout("not running (" + health.status().message() + ")\n"));
  }
  return running ? Status::Ok() : Status::Unavailable("daemon unavailable");
}

Status RunLogs(int lines, const std::string& level, bool json) {
  ASSIGN_OR_RETURN(auto c, client::DaemonClient::ForRepo(RepoPath()));
  std::string q = "/logs?lines=" + std::to_string(lines);
  if (!level.empty()) q += "&level=" + level;
  ASSIGN_OR_RETURN(auto j, c.Get(q));
  if (json) return WriteStdout(j.dump() + "\n");
  std::string out;
  for (const auto& e : j["lines"]) {
    out += e.value("time", "") + " " + e.value("level", "") + " [" + e.value("component", "") +
           "] " + e.value("message", "") + "\n";
  }
  return WriteStdout(out);
}

}  // namespace

void RegisterDaemon(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "daemon", "Run the management daemon (foreground), or start|stop|status|logs");
  auto api = std::make_shared<std::string>();
  cmd->add_option("--api", *api,
                  "Listen address HOST:PORT (default: config api.address, 127.0.0.1:8887)");
  SetAction(cmd, [api] { return RunForeground(*api); });

  auto* start =
      cmd->add_subcommand("start", "Start the daemon in the background and wait until it answers");
  auto wait = std::make_shared<int>(30);
  start->add_option("--wait", *wait, "Seconds to wait for the API (default 30)");
  start->add_option("--api", *api, "Listen address HOST:PORT (default: config api.address)");
  SetAction(start, [api, wait] { return RunStart(*api, *wait); });

  auto* stop =
      cmd->add_subcommand("stop", "Stop the daemon gracefully (SIGTERM) and wait until it exits");
  auto stop_wait = std::make_shared<int>(60);
  stop->add_option("--wait", *stop_wait, "Seconds to wait (default 60)");
  SetAction(stop, [stop_wait] { return RunStop(*stop_wait); });

  auto* status = cmd->add_subcommand("status", "Is the daemon running? (exit 0 yes, 1 no)");
  auto sj = std::make_shared<bool>(false);
  status->add_flag("--json", *sj, "JSON output");
  SetAction(status, [sj] { return RunStatus(*sj); });

  auto* logs = cmd->add_subcommand("logs", "Show the daemon's recent log lines");
  auto lines = std::make_shared<int>(100);
  auto level = std::make_shared<std::string>();
  auto lj = std::make_shared<bool>(false);
  logs->add_option("-n,--lines", *lines, "How many lines (default 100)");
  logs->add_option("--level", *level, "Minimum level: debug, info, warn, error");
  logs->add_flag("--json", *lj, "JSON output");
  SetAction(logs, [lines, level, lj] { return RunLogs(*lines, *level, *lj); });
}

}  // namespace ipfs_kit::cli
