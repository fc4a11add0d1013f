// The MCP server's REST API (/api/*) and site router on arbitrary requests:
// input is "METHOD\nTARGET\nHEADER: VALUE\n...\n\nBODY". The target goes
// through the server's own query parsing; the request then goes through the
// site router (Host/Origin check, routing) into RestApi on a repository with
// no daemon and no index. Every answer must be a valid HTTP status with a JSON
// body (or a stream that ends); nothing may crash, hang or throw.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>

#include <nlohmann/json.hpp>

#include "ipfs_kit/mcp_server/context.h"
#include "ipfs_kit/mcp_server/rest_api.h"
#include "ipfs_kit/mcp_server/site.h"

using namespace ipfs_kit;

namespace {

struct Fixture {
  std::unique_ptr<mcp_server::ServerContext> ctx;
  std::unique_ptr<mcp_server::RestApi> api;
  http::Handler site;
  Fixture() {
    auto dir = std::filesystem::temp_directory_path() /
               ("ipfs-kit-rest-fuzz-" + std::to_string(::getpid()));
    ctx = std::move(mcp_server::ServerContext::Open(dir.string())).value();
    api = std::make_unique<mcp_server::RestApi>(*ctx, 2);
    mcp_server::Routes routes;
    routes.api = [this](http::Request r, http::Responder respond) {
      api->Handle(std::move(r), std::move(respond));
    };
    routes.allowed = [](const http::Request& r, std::string* why) {
      auto host = r.Header("host");
      if (host && *host != "127.0.0.1") {
        *why = "foreign host";
        return false;
      }
      return true;
    };
    site = mcp_server::MakeSiteHandler(std::move(routes));
  }
};

std::string_view NextLine(std::string_view& in) {
  size_t nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  http::Request r;
  r.method = std::string(NextLine(in));
  r.target = std::string(NextLine(in));
  if (r.target.empty() || r.target[0] != '/') return 0;
  size_t q = r.target.find('?');
  auto path = http::PercentDecode(std::string_view(r.target).substr(0, q), false);
  if (!path || path->find('\0') != std::string::npos) return 0;  // the server refuses these
  r.path = *path;
  if (q != std::string::npos) {
    auto query = http::ParseQuery(std::string_view(r.target).substr(q + 1));
    if (!query) return 0;
    r.query = std::move(*query);
  }
  // Adding content writes and fsyncs the repository: not what this target is for.
  if (r.path.rfind("/api/ipfs/add", 0) == 0) return 0;
  for (std::string_view line; !(line = NextLine(in)).empty();) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) break;
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace_back(std::move(name), std::string(value));
  }
  r.body = std::string(in);

  std::promise<http::Response> answer;
  fixture.site(std::move(r), [&answer](http::Response resp) { answer.set_value(std::move(resp)); });
  http::Response resp = answer.get_future().get();
  if (resp.status < 200 || resp.status > 599) std::abort();
  if (resp.stream) {
    std::string body;
    resp.stream->ReadAll(&body);
  } else if (resp.status != 304 &&
             nlohmann::json::parse(resp.body, nullptr, false).is_discarded() &&
             resp.body.find("<!doctype html>") != 0) {
    std::abort();  // every non-streamed answer is JSON (or the dashboard page)
  }
  return 0;
}
