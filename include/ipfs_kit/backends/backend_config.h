// A backend's configuration as JSON: the form of config.json's `backends[]`
// entries, of POST /backends/{name} bodies, of state.db's API backends and of
// $IPFS_KIT_PATH/backends.json (docs/config.md). One parser for all of them:
// strict (unknown keys, wrong types and bad names are kInvalidArgument naming
// the key, e.g. "backends[2].type: unknown backend type \"ftp\" ...").
#pragma once

#include <string>
#include <string_view>

#include "ipfs_kit/backends/backend.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::backends {

// `key` prefixes error messages ("backend", "backends[0]").
Result<BackendConfig> ParseBackendConfig(std::string_view json_text,
                                         const std::string& key = "backend");
// `redact_secrets` shows secret_key, token and password as "********".
std::string BackendConfigToJson(const BackendConfig& config, bool redact_secrets);
// [a-z0-9][a-z0-9_-]{0,62}
Status ValidateBackendName(const std::string& name);

}  // namespace ipfs_kit::backends
