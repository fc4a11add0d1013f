// ipfs-cluster backend (DESIGN §4). Placeholder so MakeBackend links; the
// implementation follows.
#include "backend_factories.h"

namespace ipfs_kit::backends {

Result<std::unique_ptr<Backend>> NewIpfsClusterBackend(const BackendConfig& c) {
  return Status::Unsupported("backends." + c.name + ": type ipfs-cluster is not implemented yet");
}

}  // namespace ipfs_kit::backends
