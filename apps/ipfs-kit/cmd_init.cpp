#include "cli_common.h"

namespace ipfs_kit::cli {

void RegisterInit(CLI::App& app) {
  auto* cmd = app.add_subcommand("init", "Create the repository ($IPFS_KIT_PATH) if missing");
  SetAction(cmd, [] {
    std::string path = RepoPath();
    bool created = false;
    auto r = repo::Repo::Open(path, &created);
    if (!r.ok()) return r.status();
    return WriteStdout((created ? "initialized ipfs-kit repository at " : "repository exists at ") +
                       path + "\n");
  });
}

}  // namespace ipfs_kit::cli
