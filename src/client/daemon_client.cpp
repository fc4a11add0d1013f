#include "ipfs_kit/client/daemon_client.h"

#include <chrono>
#include <thread>

#include "ipfs_kit/http/client.h"
#include "ipfs_kit/repo/repo.h"

namespace ipfs_kit::client {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

DaemonClient::DaemonClient(std::string base_url, std::string token, ClientOptions options)
    : url_(std::move(base_url)), token_(std::move(token)), options_(options) {}

Result<DaemonClient> DaemonClient::ForRepo(const std::string& repo_path, ClientOptions options) {
  auto api = repo::ReadSmallFile(repo_path + "/api", 4096);
  if (!api.ok()) {
    if (api.status().code() == StatusCode::kNotFound) {
      return Status::Unavailable("daemon unavailable: no daemon is running on " + repo_path +
                                 " (start it with `ipfs-kit daemon start`)");
    }
    return api.status();
  }
  std::string token;
  if (auto t = repo::ReadSmallFile(repo_path + "/api.token", 4096); t.ok()) token = Trim(*t);
  return DaemonClient(Trim(*api), token, options);
}

Result<std::string> DaemonClient::Call(const std::string& method, const std::string& path,
                                       const std::string& body, bool retry) const {
  http::ClientRequest req;
  req.method = method;
  req.url = url_ + path;
  req.body = body;
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  req.bearer_token = token_;
  req.timeout_ms = options_.timeout_ms;
  req.connect_timeout_ms = options_.connect_timeout_ms;
  int attempts = retry ? options_.retries + 1 : 1;
  Result<http::ClientResponse> resp = Status::Internal("no attempt");
  for (int i = 0; i < attempts; ++i) {
    resp = http::Fetch(req);
    if (resp.ok() || resp.status().code() != StatusCode::kUnavailable) break;
    if (i + 1 < attempts)
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.retry_delay_ms << i));
  }
  if (!resp.ok()) {
    if (resp.status().code() == StatusCode::kUnavailable) {
      return Status::Unavailable("daemon unavailable at " + url_ + ": " + resp.status().message());
    }
    return resp.status();
  }
  if (resp->status >= 200 && resp->status < 300) return std::move(resp->body);
  std::string details = resp->body;
  auto j = nlohmann::json::parse(resp->body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object() &&
      j["error"].contains("details") && j["error"]["details"].is_string()) {
    details = j["error"]["details"].get<std::string>();
  }
  std::string m = "daemon answered " + std::to_string(resp->status) + " to " + method + " " + path +
                  ": " + details;
  switch (resp->status) {
    case 400:
    case 413:
      return Status::InvalidArgument(m);
    case 401:
    case 403:
      return Status::PermissionDenied(m);
    case 404:
      return Status::NotFound(m);
    case 409:
      return Status::AlreadyExists(m);
    default:
      return Status::Internal(m);
  }
}

Result<nlohmann::json> DaemonClient::Get(const std::string& path) const {
  ASSIGN_OR_RETURN(std::string body, Call("GET", path, "", true));
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded())
    return Status::Corruption("daemon answered GET " + path + " with invalid JSON");
  return j;
}

Result<std::string> DaemonClient::GetText(const std::string& path) const {
  return Call("GET", path, "", true);
}

Result<nlohmann::json> DaemonClient::Send(const std::string& method, const std::string& path,
                                          const nlohmann::json& body) const {
  ASSIGN_OR_RETURN(std::string text, Call(method, path, body.is_null() ? "" : body.dump(), false));
  if (text.empty()) return nlohmann::json::object();
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded())
    return Status::Corruption("daemon answered " + method + " " + path + " with invalid JSON");
  return j;
}

Result<nlohmann::json> DaemonClient::AddPin(const std::string& cid, const std::string& name,
                                            int replication_min, int replication_max,
                                            const std::vector<std::string>& backends) const {
  nlohmann::json body = {{"cid", cid}};
  if (!name.empty()) body["name"] = name;
  if (replication_min > 0) body["replication_min"] = replication_min;
  if (replication_max > 0) body["replication_max"] = replication_max;
  if (!backends.empty()) body["backends"] = backends;
  return Send("POST", "/pins", body);
}

}  // namespace ipfs_kit::client
