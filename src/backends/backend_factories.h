// One factory per backend type (each defined in its <type>_backend.cpp);
// MakeBackend (backend.cpp) dispatches on BackendConfig::type. Each validates
// its params and answers kInvalidArgument naming the key.
#pragma once

#include <memory>
#include <string>

#include "ipfs_kit/backends/backend.h"

namespace ipfs_kit::backends {

Result<std::unique_ptr<Backend>> NewLocalBackend(const BackendConfig& c, const std::string& repo_path);
Result<std::unique_ptr<Backend>> NewS3Backend(const BackendConfig& c);
Result<std::unique_ptr<Backend>> NewGatewayBackend(const BackendConfig& c);
Result<std::unique_ptr<Backend>> NewKuboBackend(const BackendConfig& c);
Result<std::unique_ptr<Backend>> NewPinningServiceBackend(const BackendConfig& c);
Result<std::unique_ptr<Backend>> NewIpfsClusterBackend(const BackendConfig& c);

}  // namespace ipfs_kit::backends
