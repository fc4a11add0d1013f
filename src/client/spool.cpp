#include "ipfs_kit/client/spool.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>

#include "ipfs_kit/repo/repo.h"

namespace ipfs_kit::client {
namespace {

using json = nlohmann::json;

std::string SpoolDir(const std::string& repo) { return repo + "/spool"; }

Status EnsureDir(const std::string& d) {
  if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST)
    return Status::IOError("cannot create " + d);
  return Status::Ok();
}

}  // namespace

Result<std::string> WriteSpool(const std::string& repo_path, const SpooledPin& pin) {
  RETURN_IF_ERROR(EnsureDir(SpoolDir(repo_path)));
  static std::atomic<uint64_t> seq{0};
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  char name[96];
  std::snprintf(name, sizeof name, "%013lld-%d-%llu.json", static_cast<long long>(now),
                static_cast<int>(::getpid()), static_cast<unsigned long long>(seq++));
  json j = {{"cid", pin.cid},
            {"name", pin.name},
            {"replication_min", pin.replication_min},
            {"replication_max", pin.replication_max},
            {"backends", pin.backends},
            {"created_ms", pin.created_ms ? pin.created_ms : now}};
  std::string text = j.dump() + "\n";
  RETURN_IF_ERROR(repo::WriteFileAtomic(SpoolDir(repo_path) + "/" + name, AsBytes(text)));
  return std::string(name);
}

Result<std::vector<SpooledPin>> ReadSpool(
    const std::string& repo_path,
    const std::function<void(const std::string&, const std::string&)>& bad) {
  std::vector<SpooledPin> out;
  std::string dir = SpoolDir(repo_path);
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;  // no spool yet
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n.compare(n.size() - 5, 5, ".json") == 0 &&
        n.find(".tmp-") == std::string::npos) {
      names.push_back(n);
    }
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    auto text = repo::ReadSmallFile(dir + "/" + n, 1 << 20);
    if (!text.ok()) {
      bad(n, text.status().ToString());
      continue;
    }
    json j = json::parse(*text, nullptr, false);
    if (!j.is_object() || !j.contains("cid") || !j["cid"].is_string()) {
      bad(n, "not a spooled pin (no cid)");
      continue;
    }
    SpooledPin p;
    p.file = n;
    p.cid = j["cid"].get<std::string>();
    if (j.contains("name") && j["name"].is_string()) p.name = j["name"].get<std::string>();
    if (j.contains("replication_min") && j["replication_min"].is_number_integer()) {
      p.replication_min = j["replication_min"].get<int>();
    }
    if (j.contains("replication_max") && j["replication_max"].is_number_integer()) {
      p.replication_max = j["replication_max"].get<int>();
    }
    if (j.contains("backends") && j["backends"].is_array()) {
      for (const auto& b : j["backends"]) {
        if (b.is_string()) p.backends.push_back(b.get<std::string>());
      }
    }
    if (j.contains("created_ms") && j["created_ms"].is_number_integer())
      p.created_ms = j["created_ms"].get<int64_t>();
    out.push_back(std::move(p));
  }
  return out;
}

Status RemoveSpooled(const std::string& repo_path, const std::vector<std::string>& files) {
  std::string dir = SpoolDir(repo_path);
  for (const auto& f : files) {
    if (::unlink((dir + "/" + f).c_str()) != 0 && errno != ENOENT)
      return Status::IOError("cannot remove " + f);
  }
  return repo::FsyncDirectory(dir);
}

Status RejectSpooled(const std::string& repo_path, const std::string& file) {
  std::string dir = SpoolDir(repo_path);
  RETURN_IF_ERROR(EnsureDir(dir + "/rejected"));
  if (::rename((dir + "/" + file).c_str(), (dir + "/rejected/" + file).c_str()) != 0) {
    return Status::IOError("cannot move " + file + " to spool/rejected");
  }
  return repo::FsyncDirectory(dir);
}

}  // namespace ipfs_kit::client
