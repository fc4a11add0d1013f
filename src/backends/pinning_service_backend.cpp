// pinning-service backend (DESIGN §4). Placeholder so MakeBackend links; the
// implementation follows.
#include "backend_factories.h"

namespace ipfs_kit::backends {

Result<std::unique_ptr<Backend>> NewPinningServiceBackend(const BackendConfig& c) {
  return Status::Unsupported("backends." + c.name + ": type pinning-service is not implemented yet");
}

}  // namespace ipfs_kit::backends
