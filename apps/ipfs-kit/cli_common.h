// Shared plumbing for the ipfs-kit subcommands: output, errors, repository.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/repo/repo.h"

namespace ipfs_kit::cli {

// Exit codes (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// Global options, filled by main before a subcommand runs.
struct Globals {
  std::string repo_path;  // --repo-dir / $IPFS_KIT_PATH / ~/.ipfs-kit
  bool json = false;      // --json (also accepted per command)
};
Globals& G();

// A subcommand's action returns a Status; main maps it to an exit code.
using Action = std::function<Status()>;
void SetAction(CLI::App* cmd, Action action);
// Runs the action registered for the chosen subcommand; prints errors.
int RunSelected(CLI::App& app);

// --repo-dir, else $IPFS_KIT_PATH, else ~/.ipfs-kit.
std::string RepoPath();
Result<std::unique_ptr<repo::Repo>> OpenRepo();

// Writes to stdout, unbuffered large writes; kIOError on failure (EPIPE too).
Status WriteStdout(ByteView data);
Status WriteStdout(const std::string& s);

// Registration functions, one per command file.
void RegisterInit(CLI::App& app);
void RegisterAdd(CLI::App& app);
void RegisterRead(CLI::App& app);  // cat, get, ls
void RegisterBlock(CLI::App& app);
void RegisterDag(CLI::App& app);
void RegisterCid(CLI::App& app);
void RegisterParquet(CLI::App& app);  // schema, meta, cat
void RegisterRoute(CLI::App& app);    // lookup, suggest, stats, generate
void RegisterDaemon(CLI::App& app);   // daemon [start|stop|status|logs]
void RegisterBackend(CLI::App& app);  // backend list|add|rm|health|show
void RegisterPin(CLI::App& app);      // pin add|rm|ls|status
void RegisterMcp(CLI::App& app);      // mcp serve
void RegisterVfs(CLI::App& app);      // vfs bucket|mkdir|write|read|ls|stat|rm|mv|cp|commit|...

}  // namespace ipfs_kit::cli
