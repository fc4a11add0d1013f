#include "ipfs_kit/client/routed_blockstore.h"

#include <nlohmann/json.hpp>

#include "ipfs_kit/backends/backend.h"
#include "ipfs_kit/backends/backend_config.h"
#include "ipfs_kit/repo/repo.h"
#include "ipfs_kit/routing/index.h"

namespace ipfs_kit::client {
namespace {

using multiformats::Cid;

class RoutedBlockstore : public blockstore::Blockstore {
 public:
  RoutedBlockstore(blockstore::Blockstore& local,
                   std::vector<std::unique_ptr<backends::Backend>> remotes)
      : local_(local), remotes_(std::move(remotes)) {}

  Result<bool> Has(const Cid& cid) override {
    ASSIGN_OR_RETURN(bool here, local_.Has(cid));
    if (here) return true;
    for (auto& b : remotes_) {
      auto has = b->Has(cid);
      if (has.ok() && *has) return true;
    }
    return false;
  }
  Result<Bytes> Get(const Cid& cid) override {
    auto here = local_.Get(cid);
    if (here.ok() || here.status().code() != StatusCode::kNotFound) return here;
    std::string tried;
    for (auto& b : remotes_) {
      auto got = backends::GetVerified(*b, cid);
      if (got.ok()) return got;
      tried += (tried.empty() ? "" : "; ") + b->name() + ": " + got.status().ToString();
    }
    return Status::NotFound(
        "block " + cid.ToString() + " is not in the local store" +
        (tried.empty() ? " and no backend holds its DAG" : " nor on any backend (" + tried + ")"));
  }
  Result<uint64_t> Size(const Cid& cid) override {
    auto s = local_.Size(cid);
    if (s.ok() || s.status().code() != StatusCode::kNotFound) return s;
    ASSIGN_OR_RETURN(Bytes b, Get(cid));
    return static_cast<uint64_t>(b.size());
  }
  Status PutParts(const Cid& cid, std::span<const ByteView> parts) override {
    return local_.PutParts(cid, parts);
  }
  Status Delete(const Cid& cid) override { return local_.Delete(cid); }
  Status List(const std::function<bool(const Cid&)>& fn) override { return local_.List(fn); }
  Status Sync() override { return local_.Sync(); }

 private:
  blockstore::Blockstore& local_;
  std::vector<std::unique_ptr<backends::Backend>> remotes_;
};

// Backend configs the daemon published (secrets included).
std::map<std::string, backends::BackendConfig> ReadConfigs(const std::string& repo_path) {
  std::map<std::string, backends::BackendConfig> out;
  auto text = repo::ReadSmallFile(repo_path + "/backends.json", 16 << 20);
  if (!text.ok()) return out;
  // {"backends": [config, ...]}, each entry in the one backend-config form.
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("backends") || !j["backends"].is_array()) return out;
  for (const auto& entry : j["backends"]) {
    auto c = backends::ParseBackendConfig(entry.dump(), "backends.json");
    if (c.ok()) out[c->name] = std::move(c).value();
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<blockstore::Blockstore>> OpenRoutedBlockstore(const std::string& repo_path,
                                                                     blockstore::Blockstore& local,
                                                                     const Cid& root) {
  std::vector<std::unique_ptr<backends::Backend>> remotes;
  // Only when the root is not here: a local read never touches the index.
  auto here = local.Has(root);
  if (!here.ok() || !*here) {
    auto reader =
        routing::RouteReader::Open(repo_path + "/index", routing::RouteReader::Options{200, 2});
    if (reader.ok()) {
      auto routes = (*reader)->Lookup(root.ToV1().ToString());
      if (routes.ok()) {
        auto configs = ReadConfigs(repo_path);
        for (const auto& r : *routes) {
          if (r.location.state != "pinned") continue;
          auto it = configs.find(r.location.backend);
          if (it == configs.end()) continue;
          // The repository's own store is `local` already.
          if (it->second.type == "local" && !it->second.params.count("path")) continue;
          auto b = backends::MakeBackend(it->second, repo_path);
          if (b.ok() && !(*b)->capabilities().fetches_itself)
            remotes.push_back(std::move(b).value());
        }
      }
    }
  }
  return std::unique_ptr<blockstore::Blockstore>(new RoutedBlockstore(local, std::move(remotes)));
}

}  // namespace ipfs_kit::client
