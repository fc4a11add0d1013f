// gateway_interop_server: a test-only executable that serves a repository's
// blocks through Gateway on 127.0.0.1 (tests/interop/gateway and
// bench/gateway_bench.sh), until `ipfs-kit mcp serve --http` routes /ipfs/.
//
// usage: gateway_interop_server REPO_PATH [PORT] [--threads N] [--hash-on-read]
// Prints "listening http://127.0.0.1:PORT" once serving; stops on SIGINT/SIGTERM.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ipfs_kit/client/routed_blockstore.h"
#include "ipfs_kit/gateway/gateway.h"
#include "ipfs_kit/http/server.h"
#include "ipfs_kit/repo/repo.h"

using namespace ipfs_kit;

int main(int argc, char** argv) {
  std::string repo_path;
  int port = 0, threads = 1;
  bool hash_on_read = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (a == "--hash-on-read") {
      hash_on_read = true;
    } else if (repo_path.empty()) {
      repo_path = a;
    } else {
      port = std::atoi(a.c_str());
    }
  }
  if (repo_path.empty() || port < 0 || port > 65535 || threads < 1) {
    std::fprintf(stderr, "usage: %s REPO_PATH [PORT] [--threads N] [--hash-on-read]\n", argv[0]);
    return 2;
  }
  auto repo = repo::Repo::Open(repo_path);
  if (!repo.ok()) {
    std::fprintf(stderr, "error: %s\n", repo.status().ToString().c_str());
    return 1;
  }
  blockstore::Blockstore& local = (*repo)->blocks();
  gateway::GatewayOptions options;
  options.local = &local;
  options.hash_on_read = hash_on_read;
  gateway::Gateway gw(
      [repo_path, &local](const multiformats::Cid& root) {
        return client::OpenRoutedBlockstore(repo_path, local, root);
      },
      options);

  // Block the signals in every thread; this one waits for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  http::ServerOptions so;
  so.address = "127.0.0.1";
  so.port = static_cast<uint16_t>(port);
  so.threads = threads;
  auto server = http::Server::Start(so, gw.AsHandler());
  if (!server.ok()) {
    std::fprintf(stderr, "error: %s\n", server.status().ToString().c_str());
    return 1;
  }
  std::printf("listening http://127.0.0.1:%u\n", (*server)->port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  (*server)->Stop();
  return 0;
}
