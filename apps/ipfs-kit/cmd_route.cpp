// `route lookup|suggest|stats|generate`: answer routing questions from the
// Parquet index in $IPFS_KIT_PATH/index, never contacting the daemon.
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "ipfs_kit/ops/routing_view.h"
#include "ipfs_kit/routing/index.h"

namespace ipfs_kit::cli {
namespace {

std::string IndexDir() { return RepoPath() + "/index"; }

std::string Pad(std::string s, size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}

Status RunLookup(const std::string& cid_text, bool json) {
  if (json) {
    ASSIGN_OR_RETURN(auto out, ops::RouteLookupJson(IndexDir(), cid_text));
    return WriteStdout(out.dump() + "\n");
  }
  ASSIGN_OR_RETURN(auto reader, routing::RouteReader::Open(IndexDir()));
  ASSIGN_OR_RETURN(auto routes, reader->Lookup(cid_text));
  if (routes.empty()) {
    ASSIGN_OR_RETURN(auto cid, multiformats::Cid::Parse(cid_text));
    std::string key = cid.ToV1().ToString();
    if (key != cid_text) {
      ASSIGN_OR_RETURN(routes, reader->Lookup(key));
    }
  }
  if (routes.empty())
    return Status::NotFound("no locations for " + cid_text + " in the routing index");
  std::string out;
  for (const auto& r : routes) {
    out += Pad(r.location.backend, 20) + " " + Pad(r.location.state, 10) + " " +
           Pad(r.backend ? r.backend->state : "unknown", 10) + " " +
           (r.backend ? std::to_string(r.backend->latency_ms_p50) + " ms" : "-") + "\n";
  }
  return WriteStdout(out);
}

Status RunSuggest(int64_t size, size_t n, bool json) {
  if (size < 0) return Status::InvalidArgument("--size must not be negative");
  if (json) {
    ASSIGN_OR_RETURN(auto arr, ops::RouteSuggestJson(IndexDir(), size, n));
    return WriteStdout(arr.dump() + "\n");
  }
  ASSIGN_OR_RETURN(auto reader, routing::RouteReader::Open(IndexDir()));
  ASSIGN_OR_RETURN(auto bs, reader->Suggest(size, n));
  std::string out;
  for (const auto& b : bs) {
    out += Pad(b.name, 20) + " " + Pad(b.type, 16) + " pins=" + std::to_string(b.pin_count) +
           " free=" + std::to_string(b.bytes_free) + " priority=" + std::to_string(b.priority) +
           "\n";
  }
  return WriteStdout(out);
}

Status RunStats(bool json) {
  if (json) {
    ASSIGN_OR_RETURN(auto out, ops::RouteStatsJson(IndexDir()));
    return WriteStdout(out.dump() + "\n");
  }
  ASSIGN_OR_RETURN(auto reader, routing::RouteReader::Open(IndexDir()));
  ASSIGN_OR_RETURN(auto st, reader->Stats());
  std::string out = "generation " + std::to_string(reader->generation()) + "\n";
  for (const auto& s : st) {
    out += Pad(s.backend.name, 20) + " " + Pad(s.backend.state, 10) +
           " pins=" + std::to_string(s.pins) + " bytes=" + std::to_string(s.bytes) +
           " p50=" + std::to_string(s.backend.latency_ms_p50) + "ms\n";
  }
  return WriteStdout(out);
}

}  // namespace

void RegisterRoute(CLI::App& app) {
  auto* route = app.add_subcommand("route", "Routing index queries (read directly, no daemon)");
  route->require_subcommand(1);
  {
    struct F {
      std::string cid;
      bool json = false;
    };
    auto f = std::make_shared<F>();
    auto* cmd = route->add_subcommand("lookup", "Backends holding a CID, best first");
    cmd->add_option("cid", f->cid, "CID")->required();
    cmd->add_flag("--json", f->json, "JSON output");
    SetAction(cmd, [f] { return RunLookup(f->cid, f->json); });
  }
  {
    struct F {
      int64_t size = 0;
      size_t n = 3;
      bool json = false;
    };
    auto f = std::make_shared<F>();
    auto* cmd = route->add_subcommand("suggest", "Backends a new pin would go to");
    cmd->add_option("--size", f->size, "Size of the new pin in bytes");
    cmd->add_option("-n", f->n, "How many backends (default 3)");
    cmd->add_flag("--json", f->json, "JSON output");
    SetAction(cmd, [f] { return RunSuggest(f->size, f->n, f->json); });
  }
  {
    auto json = std::make_shared<bool>(false);
    auto* cmd = route->add_subcommand("stats", "Per backend: pins, bytes, state, latency");
    cmd->add_flag("--json", *json, "JSON output");
    SetAction(cmd, [json] { return RunStats(*json); });
  }
  {
    struct F {
      size_t pins = 1000, per = 3, backends = 8;
      uint32_t seed = 1;
    };
    auto f = std::make_shared<F>();
    auto* cmd = route->add_subcommand(
        "generate", "Write a synthetic index into the repository (tests and benchmarks)");
    cmd->add_option("--pins", f->pins, "Number of pins (default 1000)");
    cmd->add_option("--locations-per-pin", f->per, "Locations per pin (default 3)");
    cmd->add_option("--backends", f->backends, "Number of backends (default 8)");
    cmd->add_option("--seed", f->seed, "Random seed (default 1)");
    SetAction(cmd, [f]() -> Status {
      ASSIGN_OR_RETURN(auto repo, OpenRepo());  // creates the repository if needed
      ASSIGN_OR_RETURN(uint64_t gen,
                       routing::GenerateSyntheticIndex(repo->path() + "/index", f->pins, f->per,
                                                       f->backends, f->seed));
      return WriteStdout("published generation " + std::to_string(gen) + " at " + repo->path() +
                         "/index\n");
    });
  }
}

}  // namespace ipfs_kit::cli
