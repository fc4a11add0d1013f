#include "cli_common.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>

namespace ipfs_kit::cli {

Globals& G() {
  static Globals g;
  return g;
}

namespace {
std::map<CLI::App*, Action>& Actions() {
  static std::map<CLI::App*, Action> m;
  return m;
}
}  // namespace

void SetAction(CLI::App* cmd, Action action) { Actions()[cmd] = std::move(action); }

int RunSelected(CLI::App& app) {
  // The deepest selected subcommand with an action runs.
  CLI::App* cur = &app;
  Action* act = nullptr;
  for (;;) {
    auto it = Actions().find(cur);
    if (it != Actions().end()) act = &it->second;
    auto subs = cur->get_subcommands();
    if (subs.empty()) break;
    cur = subs.front();
  }
  if (!act) {
    std::cerr << (cur == &app ? app.help() : cur->help());
    return kExitUsage;
  }
  Status s = (*act)();
  if (!s.ok()) {
    std::cerr << "Error: " << s.message() << "\n";
    return kExitError;
  }
  return kExitOk;
}

std::string RepoPath() { return G().repo_path.empty() ? repo::DefaultRepoPath() : G().repo_path; }

Result<std::unique_ptr<repo::Repo>> OpenRepo() { return repo::Repo::Open(RepoPath()); }

Status WriteStdout(ByteView data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(STDOUT_FILENO, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      // The reader went away (`| head`): stop quietly, as with SIGPIPE.
      if (errno == EPIPE) std::_Exit(kExitError);
      return Status::IOError(std::string("cannot write to stdout: ") + std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status WriteStdout(const std::string& s) { return WriteStdout(AsBytes(s)); }

}  // namespace ipfs_kit::cli
