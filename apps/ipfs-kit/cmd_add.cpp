// `ipfs-kit add`: Kubo's `ipfs add` flags and output.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli_common.h"
#include "ipfs_kit/client/pin_submit.h"
#include "ipfs_kit/unixfs/importer.h"

namespace ipfs_kit::cli {
namespace {

// `add` pins through the daemon like `ipfs add` pins in Kubo; with the daemon
// down the request is spooled and taken in when it starts.
struct AddFlags {
  std::vector<std::string> paths;
  bool recursive = false, wrap = false, hidden = false, quieter = false, quiet = false;
  bool only_hash = false, trickle = false, json = false, progress = false;
  bool raw_leaves = false;
  bool pin = true;
  int cid_version = 0;
  unsigned hash_threads = 0;
  std::string chunker, profile, pin_name;
  CLI::Option *raw_leaves_opt = nullptr, *cid_version_opt = nullptr, *chunker_opt = nullptr;
};

// Draws "  12.0 MiB / 1.0 GiB  1%" on stderr, at most a few times a second.
class ProgressBar {
 public:
  explicit ProgressBar(uint64_t total) : total_(total) {}
  void Update(uint64_t done) {
    auto now = std::chrono::steady_clock::now();
    if (done < total_ && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    double pct = total_ ? 100.0 * done / total_ : 100.0;
    std::fprintf(stderr, "\r %8.1f MiB / %.1f MiB  %3.0f%%", done / 1048576.0, total_ / 1048576.0,
                 pct);
    std::fflush(stderr);
    shown_ = true;
  }
  ~ProgressBar() {
    if (shown_) std::fprintf(stderr, "\n");
  }

 private:
  uint64_t total_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

uint64_t TotalSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  if (S_ISREG(st.st_mode)) return st.st_size;
  return 0;  // directories: progress counts bytes without a total
}

Status RunAdd(AddFlags& f) {
  unixfs::ImportOptions o;
  if (!f.profile.empty()) {
    ASSIGN_OR_RETURN(o, unixfs::ProfileOptions(f.profile));
  }
  if (f.cid_version_opt->count()) {
    if (f.cid_version != 0 && f.cid_version != 1) {
      return Status::InvalidArgument("--cid-version must be 0 or 1");
    }
    o.cid_version = f.cid_version;
    // Kubo: CIDv1 implies raw leaves unless --raw-leaves says otherwise.
    if (f.cid_version == 1 && !f.raw_leaves_opt->count()) o.raw_leaves = true;
    if (f.cid_version == 0 && !f.raw_leaves_opt->count() && f.profile.empty()) o.raw_leaves = false;
  }
  if (f.raw_leaves_opt->count()) o.raw_leaves = f.raw_leaves;
  if (f.chunker_opt->count()) {
    ASSIGN_OR_RETURN(o.chunk_size, unixfs::ParseChunker(f.chunker));
  }
  if (f.trickle) o.layout = unixfs::Layout::kTrickle;
  o.wrap = f.wrap;
  o.hidden = f.hidden;
  o.recursive = f.recursive;
  o.hash_threads = f.hash_threads;
  if (f.paths.empty()) f.paths.push_back("-");

  std::unique_ptr<repo::Repo> repo;
  blockstore::Blockstore* store = nullptr;
  if (!f.only_hash) {
    ASSIGN_OR_RETURN(repo, OpenRepo());
    store = &repo->blocks();
  }

  uint64_t total = 0;
  for (const auto& p : f.paths) total += p == "-" ? 0 : TotalSize(p);
  std::optional<ProgressBar> bar;
  const bool want_bar =
      (f.progress || (::isatty(STDERR_FILENO) && total >= (64ull << 20))) && !f.quieter && !f.json;
  if (want_bar) bar.emplace(total);

  std::string out;
  Status write_status;
  unixfs::ImportCallbacks cb;
  cb.on_entry = [&](const unixfs::AddedEntry& e) {
    if (f.quieter) return;
    std::string line;
    if (f.json) {
      nlohmann::json j{
          {"Name", e.path}, {"Hash", e.cid.ToString()}, {"Size", std::to_string(e.size)}};
      line = j.dump() + "\n";
    } else if (f.quiet) {
      line = e.cid.ToString() + "\n";
    } else {
      line = "added " + e.cid.ToString() + (e.path.empty() ? "" : " " + e.path) + "\n";
    }
    if (write_status.ok()) write_status = WriteStdout(line);
  };
  if (bar) cb.on_bytes = [&](uint64_t n) { bar->Update(n); };

  unixfs::Importer importer(store, o, cb);
  for (const auto& p : f.paths) {
    if (p == "-") {
      RETURN_IF_ERROR(importer.AddStream(STDIN_FILENO));
    } else {
      RETURN_IF_ERROR(importer.AddPath(p));
    }
  }
  ASSIGN_OR_RETURN(multiformats::Cid root, importer.Finish());
  bar.reset();
  RETURN_IF_ERROR(write_status);
  if (repo) {
    // Blocks become durable before the pin that refers to them.
    RETURN_IF_ERROR(repo->blocks().Sync());
    if (f.pin) {
      RETURN_IF_ERROR(repo->AddPin(root, f.pin_name));
      RETURN_IF_ERROR(client::SubmitPinOrSpool(repo->path(), root.ToString(), f.pin_name).status());
    }
  }
  if (f.quieter) {
    RETURN_IF_ERROR(WriteStdout(f.json ? nlohmann::json{{"Hash", root.ToString()}}.dump() + "\n"
                                       : root.ToString() + "\n"));
  }
  return Status::Ok();
}

}  // namespace

void RegisterAdd(CLI::App& app) {
  auto f = std::make_shared<AddFlags>();
  auto* cmd =
      app.add_subcommand("add", "Add files or directories (or stdin) as UnixFS, like `ipfs add`");
  cmd->add_option("paths", f->paths, "Files or directories to add; '-' or nothing reads stdin");
  cmd->add_flag("-r,--recursive", f->recursive, "Add directories recursively");
  cmd->add_flag("-w,--wrap-with-directory", f->wrap, "Wrap the added paths in a directory");
  cmd->add_flag("-H,--hidden", f->hidden, "Include files whose names start with '.'");
  cmd->add_flag("-Q,--quieter", f->quieter, "Print only the final root CID");
  cmd->add_flag("-q,--quiet", f->quiet, "Print only CIDs");
  cmd->add_flag("-n,--only-hash", f->only_hash, "Compute CIDs without storing blocks");
  f->cid_version_opt = cmd->add_option("--cid-version", f->cid_version,
                                       "CID version: 0 or 1 (1 implies --raw-leaves)");
  f->raw_leaves_opt = cmd->add_flag("--raw-leaves", f->raw_leaves,
                                    "Leaves as raw blocks (--raw-leaves=false to disable)");
  f->chunker_opt = cmd->add_option("-s,--chunker", f->chunker, "Chunker: size-N (N <= 1048576)");
  cmd->add_flag("-t,--trickle", f->trickle, "Trickle DAG layout instead of balanced");
  cmd->add_option("--profile", f->profile,
                  "unixfs-v0-2015 (Kubo default) or unixfs-v1-2025 (IPIP-499)");
  cmd->add_flag(
      "--pin", f->pin,
      "Pin the root: recorded locally and registered with the daemon, or spooled when it is down "
      "(default true; --pin=false to skip)");
  cmd->add_option("--pin-name", f->pin_name, "Name to record with the pin");
  cmd->add_flag("--progress", f->progress, "Always show a progress bar on stderr");
  cmd->add_flag("--json", f->json, "One JSON object per added entry");
  cmd->add_option("--hash-threads", f->hash_threads,
                  "Threads hashing leaves (default 0: one per core, at most 4; 1: no pool)");
  SetAction(cmd, [f] { return RunAdd(*f); });
}

}  // namespace ipfs_kit::cli
