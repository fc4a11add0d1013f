// ipfs-kit: one binary, many subcommands. This file only parses arguments
// and dispatches; the work lives in the libraries (see docs/architecture.md).
#include <csignal>
#include <iostream>

#include "cli_common.h"

int main(int argc, char** argv) {
  // A closed pipe (`ipfs-kit cat X | head`) becomes a write error, not a kill.
  std::signal(SIGPIPE, SIG_IGN);
  using namespace ipfs_kit::cli;
  CLI::App app{"ipfs-kit: content-addressed storage over many backends (Kubo-compatible CIDs)",
               "ipfs-kit"};
  app.set_version_flag("--version", "ipfs-kit 0.1.0");
  app.require_subcommand(1);
  app.add_option("--repo-dir", G().repo_path,
                 "Repository path (default: $IPFS_KIT_PATH or ~/.ipfs-kit)");
  RegisterInit(app);
  RegisterAdd(app);
  RegisterRead(app);
  RegisterBlock(app);
  RegisterDag(app);
  RegisterCid(app);
  RegisterParquet(app);
  RegisterRoute(app);
  RegisterDaemon(app);
  RegisterBackend(app);
  RegisterPin(app);
  RegisterMcp(app);
  RegisterVfs(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return RunSelected(app);
}
