// The MCP server's features with no daemon running: reads and adds work
// (adds spool their pin), management answers "daemon unavailable"; REST
// status codes and bodies; the site router's refusals and the dashboard.
// Tests with a running daemon are end to end (tests/interop/mcp/e2e-tools.mjs).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <future>

#include "ipfs_kit/mcp_server/dashboard.h"
#include "ipfs_kit/mcp_server/ipfs_tools.h"
#include "ipfs_kit/mcp_server/rest_api.h"
#include "ipfs_kit/mcp_server/site.h"
#include "ipfs_kit/multiformats/multibase.h"
#include "text_util.h"

namespace ipfs_kit::mcp_server {
namespace {

namespace fs = std::filesystem;
using mcp::Json;

class McpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ipfs-kit-mcp-server-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto ctx = ServerContext::Open((dir_ / "repo").string());
    ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
    ctx_ = std::move(ctx).value();
    RegisterIpfsTools(registry_, *ctx_);
    api_ = std::make_unique<RestApi>(*ctx_, 2);
  }
  void TearDown() override {
    api_.reset();
    fs::remove_all(dir_);
  }

  Result<mcp::ToolResult> Call(const std::string& name, const Json& args) {
    const mcp::Tool* t = registry_.FindTool(name);
    if (t == nullptr) return Status::NotFound(name);
    mcp::CallContext cc;
    return t->handler(args, cc);
  }

  http::Response Rest(const std::string& method, const std::string& target,
                      const std::string& body = "") {
    http::Request r;
    r.method = method;
    r.target = target;
    size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = *http::ParseQuery(target.substr(q + 1));
    r.body = body;
    std::promise<http::Response> p;
    api_->Handle(std::move(r), [&p](http::Response resp) { p.set_value(std::move(resp)); });
    http::Response resp = p.get_future().get();
    if (resp.stream) {
      EXPECT_TRUE(resp.stream->ReadAll(&resp.body));
    }
    return resp;
  }

  fs::path dir_;
  std::unique_ptr<ServerContext> ctx_;
  mcp::Registry registry_;
  std::unique_ptr<RestApi> api_;
};

TEST_F(McpServerTest, EveryToolHasSchemasAndAHandler) {
  std::vector<std::string> names;
  for (const auto& t : registry_.tools()) {
    names.push_back(t.name);
    EXPECT_TRUE(t.handler) << t.name;
    EXPECT_EQ(t.input_schema["type"], "object") << t.name;
    EXPECT_TRUE(t.input_schema["properties"].is_object()) << t.name;
    ASSERT_TRUE(t.output_schema.has_value()) << t.name;
    EXPECT_EQ((*t.output_schema)["type"], "object") << t.name;
    EXPECT_TRUE((*t.output_schema)["properties"].is_object()) << t.name;
    EXPECT_FALSE(t.description.empty()) << t.name;
  }
  for (const char* want :
       {"ipfs_add", "ipfs_cat", "ipfs_get", "ipfs_ls", "ipfs_stat", "pin_add", "pin_rm", "pin_ls",
        "pin_status", "backend_list", "backend_health", "route_lookup", "route_suggest",
        "route_stats", "daemon_status", "car_export", "car_import"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }
  ASSERT_EQ(registry_.resource_templates().size(), 1u);
  EXPECT_EQ(registry_.resource_templates()[0].uri_template, "ipfs://{cid}");
}

TEST_F(McpServerTest, AddAndCatWithoutTheDaemonSpoolThePin) {
  auto added = Call("ipfs_add", Json{{"text", "hello\n"}});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_TRUE(added->structured.has_value());
  std::string cid = (*added->structured)["cid"];
  // `ipfs add --cid-version=1` of "hello\n" (one raw leaf).
  EXPECT_EQ(cid, "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am");
  EXPECT_EQ((*added->structured)["pin_state"], "spooled");
  EXPECT_FALSE(fs::is_empty(dir_ / "repo" / "spool"));

  auto cat = Call("ipfs_cat", Json{{"path", cid}});
  ASSERT_TRUE(cat.ok());
  EXPECT_EQ((*cat->structured)["text"], "hello\n");
  EXPECT_EQ(cat->content[0]["text"], "hello\n");

  Bytes bin = {0, 0xff, 0xfe, 1};
  auto b = Call("ipfs_add", Json{{"base64", multiformats::Base64Encode(bin)}, {"pin", false}});
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE((*b->structured)["pinned"].get<bool>());
  auto cb = Call("ipfs_cat", Json{{"path", (*b->structured)["cid"]}});
  ASSERT_TRUE(cb.ok());
  EXPECT_EQ((*cb->structured)["encoding"], "base64");
  EXPECT_EQ((*cb->structured)["base64"], multiformats::Base64Encode(bin));
  auto as_text = Call("ipfs_cat", Json{{"path", (*b->structured)["cid"]}, {"encoding", "text"}});
  EXPECT_FALSE(as_text.ok());
  EXPECT_NE(as_text.status().message().find("UTF-8"), std::string::npos);
}

TEST_F(McpServerTest, BadToolInputIsAClearError) {
  auto none = Call("ipfs_add", Json::object());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("exactly one of"), std::string::npos);
  auto bad64 = Call("ipfs_add", Json{{"base64", "!!!"}});
  EXPECT_FALSE(bad64.ok());
  auto badcid = Call("ipfs_cat", Json{{"path", "nope"}});
  ASSERT_FALSE(badcid.ok());
  EXPECT_EQ(badcid.status().code(), StatusCode::kInvalidArgument);
  auto big = Call("ipfs_cat", Json{{"path", "bafkqaaa"}, {"length", 1 << 30}});
  EXPECT_FALSE(big.ok());
}

TEST_F(McpServerTest, ManagementToolsSayDaemonUnavailable) {
  for (const char* name : {"pin_ls", "backend_list", "backend_health", "daemon_status"}) {
    auto r = Call(name, Json::object());
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << name;
    EXPECT_NE(r.status().message().find("daemon unavailable"), std::string::npos) << name;
  }
  auto pin = Call("pin_add", Json{{"cid", "bafkqaaa"}});
  EXPECT_EQ(pin.status().code(), StatusCode::kUnavailable);
}

TEST_F(McpServerTest, IpfsResourceReadsFilesAndDirectories) {
  auto added = Call("ipfs_add", Json{{"text", "resource text"}, {"pin", false}});
  ASSERT_TRUE(added.ok());
  const auto& t = registry_.resource_templates()[0];
  mcp::CallContext cc;
  std::string uri = "ipfs://" + (*added->structured)["cid"].get<std::string>();
  auto r = t.read(uri, {}, cc);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].text, "resource text");
  EXPECT_EQ((*r)[0].uri, uri);
  auto missing =
      t.read("ipfs://bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6aa", {}, cc);
  EXPECT_FALSE(missing.ok());
}

TEST_F(McpServerTest, RestHealthAndDaemonDown) {
  auto h = Rest("GET", "/api/health");
  EXPECT_EQ(h.status, 200);
  auto hj = Json::parse(h.body);
  EXPECT_FALSE(hj["daemon"]["available"].get<bool>());
  auto d = Rest("GET", "/api/daemon/status");
  EXPECT_EQ(d.status, 503);
  EXPECT_EQ(Json::parse(d.body)["error"]["reason"], "DAEMON_UNAVAILABLE");
  auto b = Rest("GET", "/api/backends/health");
  EXPECT_EQ(b.status, 503);
  EXPECT_EQ(Json::parse(b.body)["source"], "index");
  auto o = Rest("GET", "/api/overview");
  EXPECT_EQ(o.status, 200);
  EXPECT_FALSE(Json::parse(o.body)["daemon"]["available"].get<bool>());
}

TEST_F(McpServerTest, RestAddThenCatStreamsTheBytes) {
  std::string data(700000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 23);
  auto a = Rest("POST", "/api/ipfs/add?pin=false", data);
  ASSERT_EQ(a.status, 200) << a.body;
  std::string cid = Json::parse(a.body)["cid"];
  auto c = Rest("GET", "/api/ipfs/cat/" + cid);
  EXPECT_EQ(c.status, 200);
  EXPECT_TRUE(c.body == data);
  auto part = Rest("GET", "/api/ipfs/cat/" + cid + "?offset=10&length=5");
  EXPECT_EQ(part.body, data.substr(10, 5));
}

TEST_F(McpServerTest, RestRefusesBadInput) {
  EXPECT_EQ(Rest("GET", "/api/ipfs/cat/not-a-cid").status, 400);
  EXPECT_EQ(Rest("GET", "/api/ipfs/cat/bafkqaaa?offset=-1").status, 400);
  EXPECT_EQ(Rest("GET", "/api/routing/suggest?n=0").status, 400);
  EXPECT_EQ(Rest("GET", "/api/nope").status, 404);
  auto m = Rest("DELETE", "/api/health");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(Rest("POST", "/api/pins", "{").status, 400);
  EXPECT_EQ(Rest("POST", "/api/ipfs/add?cid_version=7", "x").status, 400);
  // A path that is not UTF-8 is echoed in the error with U+FFFD, not thrown on
  // (found by mcp_rest_fuzzer).
  auto odd = Rest("GET", "/api/routing/sugg\xb0&t");
  EXPECT_EQ(odd.status, 404);
  EXPECT_NE(odd.body.find("\xef\xbf\xbd"), std::string::npos);
}

TEST(McpServerSite, RoutesRefusesAndServesTheDashboard) {
  std::vector<std::string> hits;
  Routes routes;
  routes.mcp = [&](http::Request, http::Responder r) {
    hits.push_back("mcp");
    r(http::Response::Text(200, "mcp"));
  };
  routes.gateway = [&](http::Request, http::Responder r) {
    hits.push_back("gateway");
    r(http::Response::Text(200, "gw"));
  };
  routes.api = [&](http::Request, http::Responder r) {
    hits.push_back("api");
    r(http::Response::Text(200, "api"));
  };
  routes.allowed = [](const http::Request& req, std::string* why) {
    auto host = req.Header("host");
    if (host && *host == "evil.example") {
      *why = "Host evil.example is not allowed";
      return false;
    }
    return true;
  };
  auto handler = MakeSiteHandler(routes);
  auto get = [&](const std::string& path, const std::string& host = "127.0.0.1:8888") {
    http::Request r;
    r.method = "GET";
    r.path = path;
    r.target = path;
    r.headers.emplace_back("host", host);
    http::Response out;
    handler(std::move(r), [&out](http::Response resp) { out = std::move(resp); });
    return out;
  };
  EXPECT_EQ(get("/mcp").body, "mcp");
  EXPECT_EQ(get("/ipfs/bafkqaaa").body, "gw");
  EXPECT_EQ(get("/api/health").body, "api");
  EXPECT_EQ(get("/api/vfs/status").status, 404);  // no VFS route given
  EXPECT_EQ(get("/etc/passwd").status, 404);
  auto forbidden = get("/", "evil.example");
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_NE(forbidden.body.find("evil.example"), std::string::npos);
  auto page = get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<title>ipfs-kit dashboard</title>"), std::string::npos);
  std::string etag;
  for (const auto& [k, v] : page.headers) {
    if (k == "ETag") etag = v;
  }
  ASSERT_FALSE(etag.empty());
  http::Request again;
  again.method = "GET";
  again.path = "/";
  again.headers = {{"host", "127.0.0.1"}, {"if-none-match", etag}};
  http::Response cached;
  handler(std::move(again), [&](http::Response r) { cached = std::move(r); });
  EXPECT_EQ(cached.status, 304);
  EXPECT_EQ(hits, (std::vector<std::string>{"mcp", "gateway", "api"}));
}

TEST(McpServerText, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain ✓ 𝄞"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_EQ(MimeTypeFor("a/b/INDEX.HTML", ""), "text/html; charset=utf-8");
  EXPECT_EQ(MimeTypeFor("x", std::string("\xff", 1)), "application/octet-stream");
}

}  // namespace
}  // namespace ipfs_kit::mcp_server
