// The /api/vfs/... handler: routes, status codes, bodies, streaming.
#include "ipfs_kit/vfs/vfs_api.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "ipfs_kit/car/car.h"
#include "vfs_test_util.h"

namespace ipfs_kit::vfs {
namespace {

using nlohmann::json;
using testing::OpenVfs;
using testing::TempDir;

struct Answer {
  int status = 0;
  std::string body;
  http::Response response;
  json Json() const { return json::parse(body, nullptr, false); }
  std::string Header(const std::string& name) const {
    for (const auto& [k, v] : response.headers) {
      if (k == name) return v;
    }
    return "";
  }
};

class VfsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    auto v = OpenVfs(dir_.path());
    vfs_ = std::shared_ptr<Vfs>(std::move(v));
  }

  Answer Call(const std::string& method, const std::string& path,
              std::vector<std::pair<std::string, std::string>> query = {},
              const std::string& body = "") {
    http::Request r;
    r.method = method;
    r.path = path;
    r.target = path;
    r.query = std::move(query);
    r.body = body;
    Answer a;
    HandleVfsApi(vfs_, r, &a.response);
    a.status = a.response.status;
    if (a.response.stream) {
      EXPECT_TRUE(a.response.stream->ReadAll(&a.body)) << "stream aborted";
    } else {
      a.body = a.response.body;
    }
    return a;
  }

  TempDir dir_;
  std::shared_ptr<Vfs> vfs_;
};

TEST_F(VfsApi, Routes) {
  using K = VfsApiRoute::Kind;
  EXPECT_EQ(ParseVfsApiPath("/api/vfs/status")->kind, K::kStatus);
  EXPECT_EQ(ParseVfsApiPath("/api/vfs/buckets")->kind, K::kBuckets);
  EXPECT_EQ(ParseVfsApiPath("/api/vfs/buckets/")->kind, K::kBuckets);
  auto b = ParseVfsApiPath("/api/vfs/buckets/docs");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->kind, K::kBucket);
  EXPECT_EQ(b->bucket, "docs");
  auto op = ParseVfsApiPath("/api/vfs/buckets/docs/ls");
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(op->operation, "ls");
  for (const char* nf : {"/api/vfsx", "/api/vfs", "/api/vfs/", "/api/vfs/nope",
                         "/api/vfs/buckets/docs/nope", "/api/vfs/buckets/docs/ls/more", "/other"}) {
    EXPECT_EQ(ParseVfsApiPath(nf).status().code(), StatusCode::kNotFound) << nf;
  }
  EXPECT_EQ(ParseVfsApiPath("/api/vfs/buckets/..").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseVfsApiPath("/api/vfs/buckets/UP").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(VfsApi, Buckets) {
  auto s = Call("GET", "/api/vfs/status");
  ASSERT_EQ(s.status, 200);
  EXPECT_EQ(s.Json()["bucket_count"], 0);
  EXPECT_EQ(Call("POST", "/api/vfs/buckets", {{"name", "docs"}}).status, 201);
  EXPECT_EQ(Call("POST", "/api/vfs/buckets", {}, R"({"name":"art"})").status, 201);
  auto dup = Call("POST", "/api/vfs/buckets/docs");
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.Json()["error"]["reason"], "CONFLICT");
  auto bad = Call("POST", "/api/vfs/buckets", {{"name", "../etc"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json()["error"]["reason"], "BAD_REQUEST");
  EXPECT_EQ(Call("POST", "/api/vfs/buckets", {}, "not json").status, 400);
  EXPECT_EQ(Call("POST", "/api/vfs/buckets").status, 400);
  EXPECT_EQ(Call("GET", "/api/vfs/buckets/UPPER").status, 400);
  auto list = Call("GET", "/api/vfs/buckets");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.Json()["buckets"].size(), 2u);
  EXPECT_EQ(list.Json()["buckets"][0]["name"], "art");
  auto one = Call("GET", "/api/vfs/buckets/docs");
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(one.Json()["dirty"], false);
  EXPECT_TRUE(one.Json()["last_commit"].is_null());
  EXPECT_EQ(Call("DELETE", "/api/vfs/buckets/art").status, 200);
  EXPECT_EQ(Call("DELETE", "/api/vfs/buckets/art").status, 404);
  EXPECT_EQ(Call("GET", "/api/vfs/buckets/art").status, 404);
  auto wrong = Call("PATCH", "/api/vfs/buckets/docs");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.Header("Allow"), "GET, POST, DELETE");
  EXPECT_EQ(Call("POST", "/api/vfs/status").status, 405);
  EXPECT_EQ(Call("GET", "/api/vfs/elsewhere").status, 404);
}

TEST_F(VfsApi, FileOperations) {
  ASSERT_EQ(Call("POST", "/api/vfs/buckets/docs").status, 201);
  const std::string base = "/api/vfs/buckets/docs/";
  auto w =
      Call("PUT", base + "write", {{"path", "/notes/a.txt"}, {"parents", "true"}}, "hello api");
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(w.Json()["entry"]["path"], "/notes/a.txt");
  EXPECT_EQ(w.Json()["entry"]["size"], 9);
  EXPECT_TRUE(w.Json()["root"].is_string());
  auto r = Call("GET", base + "read", {{"path", "/notes/a.txt"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello api");
  EXPECT_EQ(r.Header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(
      Call("GET", base + "read", {{"path", "/notes/a.txt"}, {"offset", "6"}, {"length", "2"}}).body,
      "ap");
  EXPECT_EQ(Call("POST", base + "write", {{"path", "/notes/a.txt"}, {"append", "1"}}, "!").status,
            200);
  EXPECT_EQ(Call("GET", base + "read", {{"path", "/notes/a.txt"}}).body, "hello api!");

  // Errors name the problem with the right status.
  auto escape = Call("GET", base + "read", {{"path", "/../../etc/passwd"}});
  EXPECT_EQ(escape.status, 400);
  EXPECT_NE(escape.Json()["error"]["details"].get<std::string>().find("escapes"),
            std::string::npos);
  EXPECT_EQ(Call("PUT", base + "write", {{"path", "relative"}}, "x").status, 400);
  EXPECT_EQ(Call("PUT", base + "write", {{"path", std::string("/a\0b", 4)}}, "x").status, 400);
  EXPECT_EQ(Call("PUT", base + "write", {{"path", "/" + std::string(300, 'n')}}, "x").status, 400);
  EXPECT_EQ(Call("PUT", base + "write", {}, "x").status, 400);  // no path
  auto missing = Call("GET", base + "read", {{"path", "/nope"}});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Json()["error"]["reason"], "NOT_FOUND");
  EXPECT_EQ(Call("GET", base + "read", {{"path", "/notes"}}).status, 400);  // a directory
  EXPECT_EQ(Call("GET", base + "read", {{"path", "/notes/a.txt"}, {"offset", "x"}}).status, 400);
  EXPECT_EQ(Call("GET", base + "read", {{"path", "/notes/a.txt"}, {"offset", "99"}}).status, 400);
  EXPECT_EQ(Call("POST", base + "write", {{"path", "/x"}, {"parents", "maybe"}}, "").status, 400);
  auto not_allowed = Call("GET", base + "write", {{"path", "/x"}});
  EXPECT_EQ(not_allowed.status, 405);
  EXPECT_EQ(not_allowed.Header("Allow"), "PUT, POST");
  EXPECT_EQ(Call("GET", "/api/vfs/buckets/none/ls").status, 404);

  // Directories, listing, stat, moves and copies.
  EXPECT_EQ(Call("POST", base + "mkdir", {{"path", "/empty"}}).status, 201);
  EXPECT_EQ(Call("POST", base + "mkdir", {{"path", "/empty"}}).status, 409);
  auto ls = Call("GET", base + "ls");
  ASSERT_EQ(ls.status, 200);
  ASSERT_EQ(ls.Json()["entries"].size(), 2u);
  EXPECT_EQ(ls.Json()["entries"][0]["name"], "empty");
  EXPECT_EQ(ls.Json()["entries"][1]["type"], "directory");
  auto st = Call("GET", base + "stat", {{"path", "/notes/a.txt"}});
  ASSERT_EQ(st.status, 200);
  EXPECT_EQ(st.Json()["type"], "file");
  EXPECT_EQ(st.Json()["size"], 10);
  auto mv = Call("POST", base + "mv", {{"from", "/notes/a.txt"}, {"to", "/empty"}});
  ASSERT_EQ(mv.status, 200) << mv.body;
  EXPECT_EQ(mv.Json()["entry"]["path"], "/empty/a.txt");
  auto cp = Call("POST", base + "cp", {{"from", "/empty/a.txt"}, {"to", "/b.txt"}});
  ASSERT_EQ(cp.status, 201) << cp.body;
  EXPECT_EQ(Call("POST", base + "cp", {{"from", "/empty/a.txt"}, {"to", "/b.txt"}}).status, 409);
  EXPECT_EQ(Call("POST", base + "mv", {{"from", "/b.txt"}}).status, 400);
  EXPECT_EQ(Call("POST", base + "rm", {{"path", "/empty"}}).status, 400);  // needs recursive
  EXPECT_EQ(Call("DELETE", base + "rm", {{"path", "/empty"}, {"recursive", "true"}}).status, 200);
  EXPECT_EQ(Call("GET", base + "stat", {{"path", "/empty"}}).status, 404);
  EXPECT_EQ(Call("POST", base + "rm", {{"path", "/"}, {"recursive", "true"}}).status, 400);
}

TEST_F(VfsApi, CommitHistoryExportPin) {
  ASSERT_EQ(Call("POST", "/api/vfs/buckets/docs").status, 201);
  const std::string base = "/api/vfs/buckets/docs/";
  ASSERT_EQ(Call("PUT", base + "write", {{"path", "/a"}}, "committed").status, 200);
  EXPECT_EQ(Call("GET", "/api/vfs/status").Json()["dirty_count"], 1);
  auto c = Call("POST", base + "commit", {}, R"({"message":"first"})");
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(c.Json()["created"], true);
  EXPECT_EQ(c.Json()["commit"]["message"], "first");
  EXPECT_EQ(Call("POST", base + "commit", {{"message", "again"}}).status, 200);  // unchanged
  EXPECT_EQ(Call("POST", base + "commit", {}, "[1]").status, 400);
  auto h = Call("GET", base + "history");
  ASSERT_EQ(h.status, 200);
  ASSERT_EQ(h.Json()["commits"].size(), 1u);
  const std::string cid = c.Json()["commit"]["cid"];
  EXPECT_EQ(h.Json()["commits"][0]["cid"], cid);
  auto status = Call("GET", "/api/vfs/status").Json();
  EXPECT_EQ(status["dirty_count"], 0);
  EXPECT_EQ(status["buckets"][0]["last_commit"]["cid"], cid);

  auto car = Call("GET", base + "export");
  ASSERT_EQ(car.status, 200);
  EXPECT_EQ(car.Header("Content-Type"), "application/vnd.ipld.car; version=1");
  const std::string path = dir_.path() + "/api.car";
  {
    std::ofstream f(path, std::ios::binary);
    f << car.body;
  }
  auto reader = car::CarReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->roots()[0].ToString(), cid);
  EXPECT_EQ(Call("GET", base + "export", {{"root", "bafkqaaa"}}).status, 404);
  EXPECT_EQ(Call("GET", base + "export", {{"root", "zzz"}}).status, 400);

  auto down = Call("POST", base + "pin");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.Json()["error"]["reason"], "DAEMON_UNAVAILABLE");
  auto spooled = Call("POST", base + "pin", {{"spool", "true"}});
  EXPECT_EQ(spooled.status, 202);
  EXPECT_EQ(spooled.Json()["spooled"], true);
  EXPECT_EQ(spooled.Json()["cid"], cid);
}

TEST_F(VfsApi, LargeReadsAreStreamed) {
  ASSERT_EQ(Call("POST", "/api/vfs/buckets/big").status, 201);
  std::string data(kMaxInlineBytes + 12345, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 % 251);
  ASSERT_EQ(Call("PUT", "/api/vfs/buckets/big/write", {{"path", "/f"}}, data).status, 200);
  http::Request r;
  r.method = "GET";
  r.path = "/api/vfs/buckets/big/read";
  r.query = {{"path", "/f"}};
  http::Response resp;
  HandleVfsApi(vfs_, r, &resp);
  ASSERT_EQ(resp.status, 200);
  ASSERT_TRUE(resp.stream);
  std::string body;
  ASSERT_TRUE(resp.stream->ReadAll(&body));
  EXPECT_TRUE(body == data);
  // A client that goes away stops the producer.
  http::Response gone;
  HandleVfsApi(vfs_, r, &gone);
  ASSERT_TRUE(gone.stream);
  gone.stream->Cancel();
  // The producer notices, ends the stream as aborted, and stops.
  std::string chunk;
  http::BodyStream::Pop end;
  while ((end = gone.stream->WaitPop(&chunk)) == http::BodyStream::Pop::kChunk) {
  }
  EXPECT_EQ(end, http::BodyStream::Pop::kAborted);
}

}  // namespace
}  // namespace ipfs_kit::vfs
