// Backend registry (MakeBackend) and verified reads shared by every type.
#include "ipfs_kit/backends/backend.h"

#include "backend_factories.h"

namespace ipfs_kit::backends {

using multiformats::kIdentity;

const char* PinStateName(PinState s) {
  switch (s) {
    case PinState::kAbsent:
      return "absent";
    case PinState::kQueued:
      return "queued";
    case PinState::kPinning:
      return "pinning";
    case PinState::kPinned:
      return "pinned";
    case PinState::kFailed:
      return "failed";
  }
  return "unknown";
}

const std::vector<std::string>& BackendTypes() {
  static const std::vector<std::string> kTypes = {
      "local", "s3", "kubo", "gateway", "pinning-service", "ipfs-cluster"};
  return kTypes;
}

namespace {

// [a-z0-9][a-z0-9_-]{0,62}: names appear in file names, URLs and metrics
// labels, so they stay in a set that needs no escaping anywhere.
bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '_' && c != '-'))) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<Backend>> MakeBackend(const BackendConfig& config,
                                             const std::string& repo_path) {
  if (!ValidName(config.name)) {
    return Status::InvalidArgument("backends: invalid backend name \"" + config.name +
                                   "\" (1 to 63 of a-z, 0-9, '_', '-', starting with a letter "
                                   "or digit)");
  }
  const std::string& t = config.type;
  if (t == "local") return NewLocalBackend(config, repo_path);
  if (t == "s3") return NewS3Backend(config);
  if (t == "kubo") return NewKuboBackend(config);
  if (t == "gateway") return NewGatewayBackend(config);
  if (t == "pinning-service") return NewPinningServiceBackend(config);
  if (t == "ipfs-cluster") return NewIpfsClusterBackend(config);
  std::string known;
  for (const std::string& k : BackendTypes()) known += (known.empty() ? "" : ", ") + k;
  return Status::InvalidArgument(
      "backends." + config.name +
      ".type: " + (t.empty() ? std::string("missing") : "unknown type \"" + t + "\"") +
      " (known: " + known + ")");
}

Result<Bytes> GetVerified(Backend& backend, const Cid& cid) {
  // Identity CIDs carry their bytes: nothing to ask, nothing to verify.
  if (cid.hash().code == kIdentity) return cid.hash().digest;
  Result<Bytes> data = backend.Get(cid);
  if (!data.ok()) return data.status();
  Result<bool> match = multiformats::VerifyMultihash(cid.hash(), *data);
  if (!match.ok()) {
    return match.status().WithContext("block " + cid.ToString() + " from backend " +
                                      backend.name());
  }
  if (!*match) {
    return Status::Corruption("block " + cid.ToString() + " from backend " + backend.name() +
                              " does not match its hash");
  }
  return data;
}

}  // namespace ipfs_kit::backends
