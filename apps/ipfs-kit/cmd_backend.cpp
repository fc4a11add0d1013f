// `backend list|add|rm|health|show` and `pin add|rm|ls|status`: management
// goes through the daemon (client::DaemonClient); `pin add` with the daemon
// down is spooled (client/spool.h) and taken in when it starts.
#include <chrono>
#include <iostream>
#include <thread>

#include "cli_common.h"
#include "ipfs_kit/client/daemon_client.h"
#include "ipfs_kit/client/spool.h"

namespace ipfs_kit::cli {
namespace {

using json = nlohmann::json;

Result<client::DaemonClient> Client() { return client::DaemonClient::ForRepo(RepoPath()); }

std::string Pad(std::string s, size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s + " ";
}

std::string Str(const json& j, const char* k) {
  if (!j.contains(k) || j[k].is_null()) return "-";
  if (j[k].is_string()) return j[k].get<std::string>();
  return j[k].dump();
}

Status BackendList(bool as_json, bool health_only) {
  ASSIGN_OR_RETURN(auto c, Client());
  ASSIGN_OR_RETURN(auto j, c.Get(health_only ? "/backends/health" : "/backends"));
  if (as_json) return WriteStdout(j.dump() + "\n");
  std::string out = Pad("NAME", 16) + Pad("TYPE", 16) + Pad("STATE", 10) + Pad("P50 MS", 8) +
                    Pad("PINS", 8) + "REASON\n";
  for (const auto& b : j["backends"]) {
    const json& h = health_only ? b : b["health"];
    char lat[32];
    std::snprintf(lat, sizeof lat, "%.1f", h.value("latency_ms_p50", 0.0));
    out += Pad(Str(b, "name"), 16) + Pad(Str(b, "type"), 16) + Pad(Str(h, "state"), 10) +
           Pad(lat, 8) + Pad(Str(h, "pin_count"), 8) +
           (h.contains("reason") && !h["reason"].is_null() ? Str(h, "reason") : "") + "\n";
  }
  return WriteStdout(out);
}

Status BackendAdd(const std::string& name, const std::string& type,
                  const std::vector<std::string>& params, const std::vector<std::string>& tags,
                  int priority, bool as_json) {
  json p = json::object();
  for (const auto& kv : params) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--param must be KEY=VALUE, got \"" + kv + "\"");
    }
    p[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  json body = {
      {"name", name}, {"type", type}, {"params", p}, {"tags", tags}, {"priority", priority}};
  ASSIGN_OR_RETURN(auto c, Client());
  ASSIGN_OR_RETURN(auto j, c.Send("POST", "/backends/" + name, body));
  if (as_json) return WriteStdout(j.dump() + "\n");
  return WriteStdout("added backend " + name + " (" + type + "): " + Str(j["health"], "state") +
                     "\n");
}

Status BackendRm(const std::string& name) {
  ASSIGN_OR_RETURN(auto c, Client());
  ASSIGN_OR_RETURN(auto j, c.Send("DELETE", "/backends/" + name, nullptr));
  (void)j;
  return WriteStdout("removed backend " + name + "\n");
}

Status BackendShow(const std::string& name, bool as_json) {
  ASSIGN_OR_RETURN(auto c, Client());
  ASSIGN_OR_RETURN(auto j, c.Get("/backends/" + name));
  if (as_json) return WriteStdout(j.dump() + "\n");
  return WriteStdout(j.dump(2) + "\n");
}

struct PinFlags {
  std::string cid, name;
  int rmin = 0, rmax = 0;
  std::vector<std::string> backends;
  bool wait = false, json = false;
  int timeout_s = 300;
  std::string status;
  int limit = 100;
};

Status PrintPin(const json& p, bool as_json) {
  if (as_json) return WriteStdout(p.dump() + "\n");
  std::string name =
      p.contains("pin") && p["pin"].contains("name") ? p["pin"]["name"].get<std::string>() : "";
  return WriteStdout(Str(p, "requestid") + " " + Str(p["pin"], "cid") + " " + Str(p, "status") +
                     (name.empty() ? "" : " " + name) + "\n");
}

Status WaitPinned(const client::DaemonClient& c, const std::string& id, int timeout_s, json* last) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  for (;;) {
    ASSIGN_OR_RETURN(*last, c.Get("/pins/" + id));
    std::string st = (*last).value("status", "");
    if (st == "pinned") return Status::Ok();
    if (st == "failed") return Status::Internal("pin " + id + " failed");
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Unavailable("pin " + id + " is still " + st + " after " +
                                 std::to_string(timeout_s) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Status PinAdd(const PinFlags& f) {
  auto cid = multiformats::Cid::Parse(f.cid);
  if (!cid.ok()) return cid.status();
  auto c = Client();
  Result<json> r =
      c.ok() ? c->AddPin(f.cid, f.name, f.rmin, f.rmax, f.backends) : Result<json>(c.status());
  if (!r.ok() && r.status().code() == StatusCode::kUnavailable) {
    client::SpooledPin s;
    s.cid = f.cid;
    s.name = f.name;
    s.replication_min = f.rmin;
    s.replication_max = f.rmax;
    s.backends = f.backends;
    ASSIGN_OR_RETURN(auto file, client::WriteSpool(RepoPath(), s));
    std::cerr << "daemon unavailable: pin request for " << f.cid << " spooled (spool/" << file
              << "); the daemon takes it in when it starts" << std::endl;
    if (f.json) return WriteStdout(json{{"spooled", file}, {"cid", f.cid}}.dump() + "\n");
    return WriteStdout("spooled " + f.cid + "\n");
  }
  if (!r.ok()) return r.status();
  json p = *r;
  if (f.wait) RETURN_IF_ERROR(WaitPinned(*c, p.value("requestid", ""), f.timeout_s, &p));
  return PrintPin(p, f.json);
}

// A request id, or a CID (every request for it).
Result<std::vector<std::string>> RequestIds(const client::DaemonClient& c, const std::string& arg) {
  if (auto cid = multiformats::Cid::Parse(arg); cid.ok()) {
    ASSIGN_OR_RETURN(auto j,
                     c.Get("/pins?status=queued,pinning,pinned,failed&limit=1000&cid=" + arg));
    std::vector<std::string> ids;
    for (const auto& p : j["results"]) ids.push_back(p.value("requestid", ""));
    if (ids.empty()) return Status::NotFound("no pin request for " + arg);
    return ids;
  }
  return std::vector<std::string>{arg};
}

Status PinRm(const std::string& arg) {
  ASSIGN_OR_RETURN(auto c, Client());
  ASSIGN_OR_RETURN(auto ids, RequestIds(c, arg));
  for (const auto& id : ids) {
    ASSIGN_OR_RETURN(auto j, c.Send("DELETE", "/pins/" + id, nullptr));
    (void)j;
    RETURN_IF_ERROR(WriteStdout("removed " + id + "\n"));
  }
  return Status::Ok();
}

Status PinLs(const PinFlags& f) {
  ASSIGN_OR_RETURN(auto c, Client());
  std::string q = "/pins?limit=" + std::to_string(f.limit) + "&status=" +
                  (f.status.empty() ? std::string("queued,pinning,pinned,failed") : f.status);
  if (!f.cid.empty()) q += "&cid=" + f.cid;
  ASSIGN_OR_RETURN(auto j, c.Get(q));
  if (f.json) return WriteStdout(j.dump() + "\n");
  for (const auto& p : j["results"]) RETURN_IF_ERROR(PrintPin(p, false));
  return Status::Ok();
}

Status PinStatus(const PinFlags& f) {
  ASSIGN_OR_RETURN(auto c, Client());
  ASSIGN_OR_RETURN(auto ids, RequestIds(c, f.cid));
  for (const auto& id : ids) {
    json p;
    if (f.wait) {
      RETURN_IF_ERROR(WaitPinned(c, id, f.timeout_s, &p));
    } else {
      ASSIGN_OR_RETURN(p, c.Get("/pins/" + id));
    }
    RETURN_IF_ERROR(PrintPin(p, f.json));
  }
  return Status::Ok();
}

}  // namespace

void RegisterBackend(CLI::App& app) {
  auto* cmd = app.add_subcommand("backend", "Manage storage backends (through the daemon)");
  auto j = std::make_shared<bool>(false);
  auto* list = cmd->add_subcommand("list", "List backends with their state");
  list->add_flag("--json", *j, "JSON output");
  SetAction(list, [j] { return BackendList(*j, false); });
  auto* health = cmd->add_subcommand("health", "Health of every backend");
  health->add_flag("--json", *j, "JSON output");
  SetAction(health, [j] { return BackendList(*j, true); });
  auto name = std::make_shared<std::string>();
  auto type = std::make_shared<std::string>();
  auto params = std::make_shared<std::vector<std::string>>();
  auto tags = std::make_shared<std::vector<std::string>>();
  auto prio = std::make_shared<int>(0);
  auto* add = cmd->add_subcommand("add", "Add a backend: add NAME TYPE [--param KEY=VALUE]...");
  add->add_option("name", *name, "Backend name")->required();
  add->add_option("type", *type, "local | s3 | kubo | gateway | pinning-service | ipfs-cluster")
      ->required();
  add->add_option("-p,--param", *params, "Type-specific parameter KEY=VALUE (docs/backends.md)");
  add->add_option("--tag", *tags, "A tag (repeatable)");
  add->add_option("--priority", *prio, "Higher is preferred (default 0)");
  add->add_flag("--json", *j, "JSON output");
  SetAction(add, [=] { return BackendAdd(*name, *type, *params, *tags, *prio, *j); });
  auto* rm = cmd->add_subcommand("rm", "Remove a backend added through the API");
  rm->add_option("name", *name, "Backend name")->required();
  SetAction(rm, [name] { return BackendRm(*name); });
  auto* show = cmd->add_subcommand("show", "One backend: config (secrets hidden), health, history");
  show->add_option("name", *name, "Backend name")->required();
  show->add_flag("--json", *j, "JSON output");
  SetAction(show, [name, j] { return BackendShow(*name, *j); });
}

void RegisterPin(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("pin", "Pin requests (through the daemon; spooled when it is down)");
  auto f = std::make_shared<PinFlags>();
  auto* add = cmd->add_subcommand("add", "Ask the daemon to keep CID replicated");
  add->add_option("cid", f->cid, "Root CID")->required();
  add->add_option("--name", f->name, "A name for the pin");
  add->add_option("--replication-min", f->rmin,
                  "Fewest locations (default: config replication.min)");
  add->add_option("--replication-max", f->rmax, "Most locations (default: config replication.max)");
  add->add_option("--backend", f->backends, "Only these backends (repeatable; tag:NAME for a tag)");
  add->add_flag("--wait", f->wait, "Wait until the pin is pinned");
  add->add_option("--timeout", f->timeout_s, "Seconds --wait waits (default 300)");
  add->add_flag("--json", f->json, "JSON output (the Pinning Service API's PinStatus)");
  SetAction(add, [f] { return PinAdd(*f); });
  auto* rm =
      cmd->add_subcommand("rm", "Remove a pin request (by request id, or every request for a CID)");
  rm->add_option("id", f->cid, "Request id or CID")->required();
  SetAction(rm, [f] { return PinRm(f->cid); });
  auto* ls = cmd->add_subcommand("ls", "List pin requests");
  ls->add_option("--cid", f->cid, "Only this CID");
  ls->add_option("--status", f->status, "Comma-separated statuses (default: all)");
  ls->add_option("--limit", f->limit, "At most this many (1-1000, default 100)");
  ls->add_flag("--json", f->json, "JSON output");
  SetAction(ls, [f] { return PinLs(*f); });
  auto* st = cmd->add_subcommand("status", "Status of a request id or of every request for a CID");
  st->add_option("id", f->cid, "Request id or CID")->required();
  st->add_flag("--wait", f->wait, "Wait until pinned (exit 1 if it fails)");
  st->add_option("--timeout", f->timeout_s, "Seconds --wait waits (default 300)");
  st->add_flag("--json", f->json, "JSON output");
  SetAction(st, [f] { return PinStatus(*f); });
}

}  // namespace ipfs_kit::cli
