// The daemon in-process, driven through its real HTTP API: the Pinning
// Service API (auth, validation, pagination, filters), replication across
// two local backends, trimming, the index it publishes, backends and config
// through the API, the spool, verify + repair, and the one-daemon lock.
#include "ipfs_kit/daemon/daemon.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "ipfs_kit/client/daemon_client.h"
#include "ipfs_kit/client/spool.h"
#include "ipfs_kit/http/client.h"
#include "ipfs_kit/repo/repo.h"
#include "ipfs_kit/routing/index.h"
#include "ipfs_kit/unixfs/importer.h"

namespace ipfs_kit::daemon {
namespace {

using json = nlohmann::json;

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ipfs-kit-daemon-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    repo_ = dir_ + "/repo";
    std::filesystem::create_directories(repo_);
    json cfg = {
        {"api", {{"address", "127.0.0.1:0"}, {"max_body_bytes", 4096}}},
        {"replication",
         {{"min", 1}, {"max", 1}, {"retry_base_ms", 50}, {"unhealthy_grace_ms", 200}}},
        {"intervals",
         {{"health_ms", 100},
          {"reconcile_ms", 50},
          {"verify_ms", 100},
          {"index_publish_ms", 1000},
          {"index_debounce_ms", 20}}},
        {"verify", {{"locations_per_round", 16}}},
        {"backends",
         {{{"name", "local"}, {"type", "local"}},
          {{"name", "second"}, {"type", "local"}, {"params", {{"path", dir_ + "/second"}}}}}},
    };
    std::ofstream(repo_ + "/config.json") << cfg.dump(2);
    StartDaemon();
  }
  void TearDown() override {
    daemon_.reset();
    std::filesystem::remove_all(dir_);
  }
  void StartDaemon() {
    auto d = Daemon::Start({repo_, ""});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    daemon_ = std::move(d).value();
    url_ = daemon_->api_url();
    auto t = repo::ReadSmallFile(repo_ + "/api.token");
    ASSERT_TRUE(t.ok());
    token_ = t->substr(0, t->find('\n'));
  }
  http::ClientResponse Call(const std::string& method, const std::string& path,
                            const std::string& body = "", bool auth = true) {
    http::ClientRequest r;
    r.method = method;
    r.url = url_ + path;
    r.body = body;
    if (auth) r.bearer_token = token_;
    if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
    auto resp = http::Fetch(r);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() ? *resp : http::ClientResponse{};
  }
  static json J(const http::ClientResponse& r) { return json::parse(r.body, nullptr, false); }
  static std::string Reason(const http::ClientResponse& r) {
    json j = J(r);
    return j.is_object() && j.contains("error") ? j["error"].value("details", "") : r.body;
  }
  // Imports `data` into the repository's block store; returns the root CID (v1 text).
  std::string Import(const std::string& data) {
    auto repo = repo::Repo::Open(repo_);
    EXPECT_TRUE(repo.ok());
    std::string path = dir_ + "/input-" + std::to_string(counter_++);
    std::ofstream(path, std::ios::binary) << data;
    unixfs::ImportOptions o;
    o.chunk_size = 1024;  // several blocks
    unixfs::Importer imp(&(*repo)->blocks(), o);
    EXPECT_TRUE(imp.AddPath(path).ok());
    auto root = imp.Finish();
    EXPECT_TRUE(root.ok());
    EXPECT_TRUE((*repo)->blocks().Sync().ok());
    return root->ToV1().ToString();
  }
  // Polls GET path until pred(json) holds (or 30 s pass: then the test fails).
  json WaitFor(const std::string& path, const std::function<bool(const json&)>& pred) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    json last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = Call("GET", path);
      last = J(r);
      if (r.status == 200 && pred(last)) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "condition on " << path << " never held; last answer: " << last.dump();
    return last;
  }
  std::string dir_, repo_, url_, token_;
  std::unique_ptr<Daemon> daemon_;
  int counter_ = 0;
};

TEST_F(DaemonTest, HealthAndAuth) {
  auto h = Call("GET", "/health", "", false);
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(J(h)["status"], "ok");
  EXPECT_EQ(Call("GET", "/pins", "", false).status, 401);
  EXPECT_EQ(Call("POST", "/pins", R"({"cid":"bafkqaaa"})", false).status, 401);
  http::ClientRequest r;
  r.method = "GET";
  r.url = url_ + "/pins";
  r.bearer_token = "wrong" + token_;
  EXPECT_EQ(http::Fetch(r)->status, 401);
  EXPECT_EQ(Call("GET", "/config", "", false).status, 401);
  EXPECT_EQ(Call("DELETE", "/backends/second", "", false).status, 401);
  EXPECT_EQ(Call("GET", "/nope").status, 404);
  EXPECT_EQ(J(Call("GET", "/nope"))["error"]["reason"], "NOT_FOUND");
  // The token file is private.
  struct stat st;
  ASSERT_EQ(stat((repo_ + "/api.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(DaemonTest, BadPinRequestsAre400WithTheReason) {
  auto bad = [&](const std::string& body, const std::string& want) {
    auto r = Call("POST", "/pins", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_NE(Reason(r).find(want), std::string::npos) << body << " -> " << Reason(r);
  };
  bad("{not json", "not valid JSON");
  bad("[]", "JSON object");
  bad(R"({"name":"x"})", "cid: required");
  bad(R"({"cid":"bafyNOTACID"})", "cid: invalid CID");
  bad(R"({"cid":"bafkqaaa","colour":"red"})", "unknown field \"colour\"");
  bad(R"({"cid":"bafkqaaa","origins":"x"})", "origins");
  bad(R"({"cid":"bafkqaaa","meta":{"a":1}})", "meta.a");
  bad(R"({"cid":"bafkqaaa","name":")" + std::string(300, 'n') + "\"}", "name");
  bad(R"({"cid":"bafkqaaa","replication_min":3,"replication_max":2})", "replication_max");
  bad(R"({"cid":"bafkqaaa","backends":["nope"]})", "no backend named \"nope\"");
  auto big =
      Call("POST", "/pins", R"({"cid":"bafkqaaa","name":")" + std::string(8000, 'x') + "\"}");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(Call("GET", "/pins?limit=0").status, 400);
  EXPECT_EQ(Call("GET", "/pins?status=done").status, 400);
  EXPECT_EQ(Call("GET", "/pins?before=yesterday").status, 400);
  EXPECT_EQ(Call("GET", "/pins?cid=notacid").status, 400);
  EXPECT_EQ(Call("GET", "/pins?match=fuzzy&name=a").status, 400);
  EXPECT_EQ(Call("GET", "/pins?frob=1").status, 400);
  EXPECT_EQ(Call("GET", "/pins/0123").status, 404);
  EXPECT_EQ(Call("DELETE", "/pins/0123").status, 404);
}

TEST_F(DaemonTest, PinReplicatesTrimsAndPublishesTheIndex) {
  std::string data(5000, 'a');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i * 7 % 26);
  std::string cid = Import(data);
  auto r =
      Call("POST", "/pins", json{{"cid", cid}, {"name", "Doc-1"}, {"replication_min", 2}}.dump());
  ASSERT_EQ(r.status, 202) << r.body;
  std::string id = J(r)["requestid"];
  EXPECT_EQ(J(r)["pin"]["cid"], cid);
  EXPECT_FALSE(J(r)["delegates"].empty());
  auto pinned =
      WaitFor("/pins/" + id, [](const json& j) { return j.value("status", "") == "pinned"; });
  EXPECT_EQ(pinned["pin"]["name"], "Doc-1");

  // Both backends hold it, and the published index says so.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  size_t routes = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    auto reader = routing::RouteReader::Open(repo_ + "/index");
    if (reader.ok()) {
      auto found = (*reader)->Lookup(cid);
      if (found.ok()) routes = found->size();
      if (routes == 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(routes, 2u);

  // Filters and pagination (the spec's default status filter is "pinned").
  EXPECT_EQ(J(Call("GET", "/pins"))["count"], 1);
  EXPECT_EQ(J(Call("GET", "/pins?name=doc&match=ipartial"))["count"], 1);
  EXPECT_EQ(J(Call("GET", "/pins?name=doc&match=partial"))["count"], 0);
  EXPECT_EQ(J(Call("GET", "/pins?name=doc-1&match=iexact"))["count"], 1);
  EXPECT_EQ(J(Call("GET", "/pins?name=doc-1&match=exact"))["count"], 0);
  EXPECT_EQ(J(Call("GET", "/pins?status=queued"))["count"], 0);
  EXPECT_EQ(J(Call("GET", "/pins?cid=" + cid))["count"], 1);
  EXPECT_EQ(J(Call("GET", "/pins?before=2000-01-01T00:00:00Z"))["count"], 0);
  EXPECT_EQ(J(Call("GET", "/pins?after=2000-01-01T00:00:00Z"))["count"], 1);

  // Verify finds a corrupted block on `second` and repairs it from `local`.
  size_t corrupted = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/second")) {
    if (e.is_regular_file() && e.path().extension() == ".data" && corrupted == 0) {
      std::ofstream(e.path(), std::ios::binary | std::ios::trunc) << "garbage";
      ++corrupted;
    }
  }
  ASSERT_EQ(corrupted, 1u);
  WaitFor("/replication",
          [](const json& j) { return j["totals"].value("blocks_repaired", 0) >= 1; });

  // Removing the request trims every location.
  EXPECT_EQ(Call("DELETE", "/pins/" + id).status, 202);
  EXPECT_EQ(Call("GET", "/pins/" + id).status, 404);
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto reader = routing::RouteReader::Open(repo_ + "/index");
    if (reader.ok() && (*reader)->Lookup(cid).ok() && (*reader)->Lookup(cid)->empty()) {
      routes = 0;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(routes, 0u);
}

TEST_F(DaemonTest, BackendsAndConfigThroughTheApi) {
  auto bad = Call("POST", "/backends/third", R"({"name":"third","type":"ftp"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(Reason(bad).find("backend.type"), std::string::npos) << Reason(bad);
  json b = {{"name", "third"}, {"type", "local"}, {"params", {{"path", dir_ + "/third"}}}};
  auto added = Call("POST", "/backends/third", b.dump());
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(Call("POST", "/backends/third", b.dump()).status, 409);
  auto list = J(Call("GET", "/backends"));
  EXPECT_EQ(list["backends"].size(), 3u);
  EXPECT_EQ(J(Call("GET", "/backends/health"))["backends"].size(), 3u);
  EXPECT_EQ(Call("GET", "/backends/third/logs?lines=5").status, 200);
  EXPECT_EQ(Call("GET", "/backends/nope").status, 404);
  EXPECT_EQ(Call("DELETE", "/backends/local").status, 409);  // from config.json
  EXPECT_EQ(Call("DELETE", "/backends/third").status, 200);
  EXPECT_EQ(Call("DELETE", "/backends/third").status, 404);

  // A config with an error is refused, naming the key; the old one stays.
  auto cfg = J(Call("GET", "/config"));
  ASSERT_TRUE(cfg.is_object());
  json broken = cfg;
  broken["replication"]["min"] = -3;
  auto r = Call("PUT", "/config", broken.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(Reason(r).find("replication.min"), std::string::npos) << Reason(r);
  EXPECT_EQ(J(Call("GET", "/config"))["replication"]["min"], 1);
  json changed = cfg;
  changed["replication"]["max"] = 2;
  EXPECT_EQ(Call("PUT", "/config", changed.dump()).status, 200);
  EXPECT_EQ(J(Call("GET", "/config"))["replication"]["max"], 2);

  EXPECT_EQ(Call("GET", "/logs?level=loud").status, 400);
  EXPECT_EQ(Call("GET", "/logs?lines=abc").status, 400);
  EXPECT_GE(J(Call("GET", "/logs?lines=3"))["lines"].size(), 1u);
  auto m = Call("GET", "/metrics");
  EXPECT_NE(m.body.find("ipfs_kit_backend_up{backend=\"local\""), std::string::npos);
  EXPECT_EQ(J(Call("GET", "/replication"))["queue_depth"], 0);
}

TEST_F(DaemonTest, OneDaemonPerRepositoryAndSpoolIntake) {
  auto second = Daemon::Start({repo_, ""});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists);

  std::string cid = Import("spooled content");
  daemon_->Stop();
  daemon_.reset();
  auto down = client::DaemonClient::ForRepo(repo_);
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  client::SpooledPin p;
  p.cid = cid;
  p.name = "from-spool";
  ASSERT_TRUE(client::WriteSpool(repo_, p).ok());
  std::ofstream(repo_ + "/spool/zzz-broken.json") << "{";
  StartDaemon();
  auto j = WaitFor("/pins?name=from-spool", [](const json& x) { return x.value("count", 0) == 1; });
  EXPECT_EQ(j["results"][0]["pin"]["cid"], cid);
  EXPECT_TRUE(std::filesystem::exists(repo_ + "/spool/rejected/zzz-broken.json"));
  size_t left = 0;
  for (auto& e : std::filesystem::directory_iterator(repo_ + "/spool")) left += e.is_regular_file();
  EXPECT_EQ(left, 0u);
}

TEST_F(DaemonTest, BlocksServedForOrigins) {
  std::string cid = Import("served to a pinning service");
  auto r = Call("GET", "/ipfs/" + cid + "?format=raw", "", false);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type").value_or(""), "application/vnd.ipld.raw");
  EXPECT_EQ(Call("GET", "/ipfs/" + cid, "", false).status, 406);
  EXPECT_EQ(Call("GET", "/ipfs/notacid?format=raw", "", false).status, 400);
  EXPECT_EQ(
      Call("GET", "/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy?format=raw",
           "", false)
          .status,
      404);
}

}  // namespace
}  // namespace ipfs_kit::daemon

namespace ipfs_kit::daemon {
namespace {

TEST_F(DaemonTest, ConfigFileChangesAreAppliedAndErrorsKeepTheOldOne) {
  auto cfg = J(Call("GET", "/config"));
  ASSERT_TRUE(cfg.is_object());
  // A bad edit: refused by Reload (SIGHUP's path) and by the watcher; the old config stays.
  json broken = cfg;
  broken["intervals"]["health_ms"] = "often";
  std::ofstream(repo_ + "/config.json") << broken.dump(2);
  Status s = daemon_->Reload();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("intervals.health_ms"), std::string::npos) << s.ToString();
  EXPECT_EQ(J(Call("GET", "/config"))["intervals"]["health_ms"], cfg["intervals"]["health_ms"]);
  WaitFor("/logs?level=error", [](const json& j) {
    for (const auto& l : j["lines"]) {
      if (l.value("message", "").find("intervals.health_ms") != std::string::npos) return true;
    }
    return false;
  });
  // A good edit is picked up without a signal.
  json good = cfg;
  good["replication"]["max"] = 3;
  std::ofstream(repo_ + "/config.json") << good.dump(2);
  WaitFor("/config", [](const json& j) { return j["replication"]["max"] == 3; });
}

}  // namespace
}  // namespace ipfs_kit::daemon
