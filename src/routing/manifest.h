// index/manifest.json: names the files of the current generation.
#pragma once

#include <cstdint>
#include <string>

#include "ipfs_kit/base/status.h"

namespace ipfs_kit::routing {

struct Manifest {
  uint64_t generation = 0;
  std::string pins, locations, backends;  // file names inside the index directory
  int64_t created_at_ms = 0;
};

// kNotFound when there is no manifest yet.
Result<Manifest> ReadManifest(const std::string& index_dir);
Status WriteManifest(const std::string& index_dir, const Manifest& m);
std::string FileName(const char* kind, uint64_t generation);

}  // namespace ipfs_kit::routing
