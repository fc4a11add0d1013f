#include "manifest.h"

#include <nlohmann/json.hpp>

#include "ipfs_kit/repo/repo.h"

namespace ipfs_kit::routing {

std::string FileName(const char* kind, uint64_t generation) {
  return std::string(kind) + "-" + std::to_string(generation) + ".parquet";
}

namespace {

// A file name from the manifest must stay inside the index directory.
bool SafeName(const std::string& n) {
  return !n.empty() && n.size() < 256 && n.find('/') == std::string::npos && n != "." &&
         n != ".." && n.find('\0') == std::string::npos;
}

}  // namespace

Result<Manifest> ReadManifest(const std::string& dir) {
  std::string path = dir + "/manifest.json";
  auto read = repo::ReadSmallFile(path);
  if (!read.ok()) {
    if (read.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("no routing index at " + dir + " (no manifest.json)");
    }
    return read.status();
  }
  const std::string& text = *read;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption(path + ": not a JSON object");
  Manifest m;
  try {
    m.generation = j.at("generation").get<uint64_t>();
    const auto& f = j.at("files");
    m.pins = f.at("pins").get<std::string>();
    m.locations = f.at("locations").get<std::string>();
    m.backends = f.at("backends").get<std::string>();
    m.created_at_ms = j.value("created_at_ms", int64_t{0});
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(path + ": " + e.what());
  }
  if (!SafeName(m.pins) || !SafeName(m.locations) || !SafeName(m.backends)) {
    return Status::Corruption(path + ": file names must be plain names inside the index directory");
  }
  return m;
}

Status WriteManifest(const std::string& dir, const Manifest& m) {
  nlohmann::json j{{"generation", m.generation},
                   {"created_at_ms", m.created_at_ms},
                   {"files", {{"pins", m.pins}, {"locations", m.locations}, {"backends", m.backends}}}};
  std::string s = j.dump(2) + "\n";
  return repo::WriteFileAtomic(dir + "/manifest.json", AsBytes(s));
}

}  // namespace ipfs_kit::routing
