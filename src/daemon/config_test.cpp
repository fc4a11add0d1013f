#include <gtest/gtest.h>

#include "ipfs_kit/backends/backend_config.h"
#include "ipfs_kit/daemon/config.h"

namespace ipfs_kit::daemon {
namespace {

std::string ErrorOf(const std::string& text) {
  auto c = ParseConfig(text, "config.json");
  return c.ok() ? "" : c.status().message();
}

TEST(Config, DefaultRoundTrips) {
  DaemonConfig d = DefaultConfig();
  ASSERT_EQ(d.backends.size(), 1u);
  EXPECT_EQ(d.backends[0].type, "local");
  auto back = ParseConfig(ConfigToJson(d));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ConfigToJson(*back), ConfigToJson(d));
}

TEST(Config, EmptyObjectIsDefaults) {
  auto c = ParseConfig("{}");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->replication.min, 1);
  EXPECT_TRUE(c->backends.empty());
}

TEST(Config, ErrorsNameTheKey) {
  EXPECT_EQ(ErrorOf("{"), "config.json: not valid JSON");
  EXPECT_EQ(ErrorOf(R"({"replication":{"mni":2}})"), "config.json: replication.mni: unknown key");
  EXPECT_EQ(ErrorOf(R"({"replication":{"min":-1}})"),
            "config.json: replication.min: must be between 0 and 1000, got -1");
  EXPECT_EQ(ErrorOf(R"({"replication":{"min":3,"max":2}})"),
            "config.json: replication.max: must be >= replication.min");
  EXPECT_EQ(ErrorOf(R"({"intervals":{"health_ms":"fast"}})"),
            "config.json: intervals.health_ms: must be an integer");
  EXPECT_EQ(ErrorOf(R"({"api":{"address":"localhost"}})"),
            "config.json: api.address: must be HOST:PORT");
  EXPECT_EQ(ErrorOf(R"({"logs":{"level":"loud"}})"),
            "config.json: logs.level: must be debug, info, warn or error");
  EXPECT_EQ(ErrorOf(R"({"backends":{}})"), "config.json: backends: must be an array");
  EXPECT_EQ(ErrorOf(R"({"backends":[{"name":"a","type":"ftp"}]})")
                .find("config.json: backends[0].type: unknown "
                      "backend type \"ftp\""),
            0u);
  EXPECT_EQ(ErrorOf(R"({"backends":[{"type":"local"}]})"),
            "config.json: backends[0].name: missing");
  EXPECT_EQ(ErrorOf(R"({"backends":[{"name":"Bad Name","type":"local"}]})")
                .find("config.json: backends[0].name:"),
            0u);
  EXPECT_EQ(ErrorOf(R"({"backends":[{"name":"a","type":"local"},{"name":"a","type":"local"}]})"),
            "config.json: backends[1].name: duplicate backend name \"a\"");
  EXPECT_EQ(ErrorOf(R"({"backends":[{"name":"a","type":"local","params":{"x":[1]}}]})"),
            "config.json: backends[0].params.x: must be a string, an integer or a boolean");
  EXPECT_EQ(ErrorOf(R"({"frobnicate":1})"), "config.json: frobnicate: unknown key");
  EXPECT_EQ(ErrorOf("[]"), "config.json: must be an object");
}

TEST(Config, BackendJsonRedactsSecrets) {
  backends::BackendConfig b{"s3main", "s3", {{"bucket", "b"}, {"secret_key", "hunter2"}}, {}, 0, 0};
  std::string red = backends::BackendConfigToJson(b, true);
  EXPECT_EQ(red.find("hunter2"), std::string::npos);
  EXPECT_NE(backends::BackendConfigToJson(b, false).find("hunter2"), std::string::npos);
  auto back = backends::ParseBackendConfig(backends::BackendConfigToJson(b, false));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->params.at("secret_key"), "hunter2");
}

}  // namespace
}  // namespace ipfs_kit::daemon
