// The vfs_* MCP tools and the vfs:// resource template, called through the
// Registry as the protocol layer calls them.
#include "ipfs_kit/vfs/vfs_tools.h"

#include <gtest/gtest.h>

#include <fstream>

#include "ipfs_kit/multiformats/multibase.h"
#include "vfs_test_util.h"

namespace ipfs_kit::vfs {
namespace {

using mcp::Json;
using testing::OpenVfs;
using testing::TempDir;

class VfsTools : public ::testing::Test {
 protected:
  void SetUp() override {
    vfs_ = std::shared_ptr<Vfs>(OpenVfs(dir_.path()));
    RegisterVfsTools(registry_, vfs_);
  }

  // The tool's structured result, or its failure.
  Result<Json> Call(const std::string& tool, const Json& args) {
    const mcp::Tool* t = registry_.FindTool(tool);
    if (!t) return Status::NotFound("no tool " + tool);
    auto r = t->handler(args, ctx_);
    if (!r.ok()) return r.status();
    if (r->is_error || !r->structured) return Status::Internal("no structured result");
    return *r->structured;
  }

  TempDir dir_;
  std::shared_ptr<Vfs> vfs_;
  mcp::Registry registry_;
  mcp::CallContext ctx_;
};

TEST_F(VfsTools, EveryToolHasSchemas) {
  const std::vector<std::string> names = {
      "vfs_buckets", "vfs_mkdir", "vfs_write",  "vfs_read",    "vfs_ls",     "vfs_stat", "vfs_rm",
      "vfs_mv",      "vfs_cp",    "vfs_commit", "vfs_history", "vfs_export", "vfs_pin"};
  EXPECT_EQ(registry_.tools().size(), names.size());
  for (const auto& n : names) {
    const mcp::Tool* t = registry_.FindTool(n);
    ASSERT_NE(t, nullptr) << n;
    EXPECT_EQ(t->input_schema["type"], "object") << n;
    ASSERT_TRUE(t->output_schema) << n;
    EXPECT_EQ((*t->output_schema)["type"], "object") << n;
    EXPECT_FALSE(t->description.empty()) << n;
    EXPECT_TRUE(t->annotations.contains("readOnlyHint")) << n;
  }
  ASSERT_EQ(registry_.resource_templates().size(), 1u);
  EXPECT_EQ(registry_.resource_templates()[0].uri_template, "vfs://{bucket}/{path}");
}

TEST_F(VfsTools, WriteReadAndTree) {
  auto created = Call("vfs_buckets", {{"action", "create"}, {"bucket", "notes"}});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ((*created)["bucket"]["name"], "notes");
  auto listed = Call("vfs_buckets", Json::object());
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)["buckets"].size(), 1u);

  auto w = Call("vfs_write", {{"bucket", "notes"}, {"path", "/t.txt"}, {"text", "héllo"}});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ((*w)["entry"]["size"], 6);
  const Bytes bin = {0x00, 0xff, 0x10, 0x80};
  ASSERT_TRUE(Call("vfs_write", {{"bucket", "notes"},
                                 {"path", "/d/bin"},
                                 {"base64", multiformats::Base64Encode(bin)},
                                 {"parents", true}})
                  .ok());
  const std::string local = dir_.path() + "/local.txt";
  std::ofstream(local) << std::string(3 << 20, 'z');
  std::vector<double> progress;
  ctx_.progress = [&](double p, std::optional<double>, const std::string&) {
    progress.push_back(p);
  };
  ASSERT_TRUE(
      Call("vfs_write", {{"bucket", "notes"}, {"path", "/big"}, {"local_path", local}}).ok());
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), 3 << 20);

  auto text = Call("vfs_read", {{"bucket", "notes"}, {"path", "/t.txt"}});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ((*text)["encoding"], "text");
  EXPECT_EQ((*text)["text"], "héllo");
  EXPECT_EQ((*text)["truncated"], false);
  auto b = Call("vfs_read", {{"bucket", "notes"}, {"path", "/d/bin"}});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)["encoding"], "base64");
  EXPECT_EQ(*multiformats::Base64Decode((*b)["base64"].get<std::string>()), bin);
  auto part = Call("vfs_read", {{"bucket", "notes"},
                                {"path", "/t.txt"},
                                {"offset", 1},
                                {"length", 2},
                                {"encoding", "base64"}});
  ASSERT_TRUE(part.ok());
  EXPECT_EQ((*part)["base64"], multiformats::Base64Encode(AsBytes("\xc3\xa9")));
  EXPECT_EQ(Call("vfs_read", {{"bucket", "notes"}, {"path", "/d/bin"}, {"encoding", "text"}})
                .status()
                .code(),
            StatusCode::kInvalidArgument);

  ASSERT_TRUE(Call("vfs_mkdir", {{"bucket", "notes"}, {"path", "/x/y"}, {"parents", true}}).ok());
  auto mv = Call("vfs_mv", {{"bucket", "notes"}, {"from", "/t.txt"}, {"to", "/x/y"}});
  ASSERT_TRUE(mv.ok()) << mv.status().ToString();
  EXPECT_EQ((*mv)["entry"]["path"], "/x/y/t.txt");
  ASSERT_TRUE(
      Call("vfs_cp", {{"bucket", "notes"}, {"from", "/x/y/t.txt"}, {"to", "/t2.txt"}}).ok());
  auto ls = Call("vfs_ls", {{"bucket", "notes"}});
  ASSERT_TRUE(ls.ok());
  std::vector<std::string> names;
  for (const auto& e : (*ls)["entries"]) names.push_back(e["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"big", "d", "t2.txt", "x"}));
  auto st = Call("vfs_stat", {{"bucket", "notes"}, {"path", "/big"}});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ((*st)["size"], 3 << 20);
  EXPECT_EQ(Call("vfs_rm", {{"bucket", "notes"}, {"path", "/x"}}).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(Call("vfs_rm", {{"bucket", "notes"}, {"path", "/x"}, {"recursive", true}}).ok());

  // Bad arguments are failures naming the problem, never crashes.
  EXPECT_EQ(Call("vfs_write", {{"bucket", "notes"}, {"path", "/a"}}).status().code(),
            StatusCode::kInvalidArgument);  // no source
  EXPECT_EQ(
      Call("vfs_write", {{"bucket", "notes"}, {"path", "/a"}, {"text", "x"}, {"base64", "eA=="}})
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Call("vfs_write", {{"bucket", "notes"}, {"path", "/a"}, {"base64", "!!"}}).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(Call("vfs_read", {{"bucket", "notes"}, {"path", 7}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Call("vfs_read", {{"bucket", "notes"}, {"path", "/t2.txt"}, {"offset", -1}}).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(Call("vfs_ls", {{"bucket", "notes"}, {"path", "/../.."}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Call("vfs_ls", {{"bucket", "Nope!"}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Call("vfs_stat", {{"bucket", "none"}}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Call("vfs_buckets", {{"action", "explode"}, {"bucket", "notes"}}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(VfsTools, CommitHistoryExportPin) {
  ASSERT_TRUE(vfs_->CreateBucket("b").ok());
  ASSERT_TRUE(Call("vfs_write", {{"bucket", "b"}, {"path", "/f"}, {"text", "v1"}}).ok());
  auto c = Call("vfs_commit", {{"bucket", "b"}, {"message", "one"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)["created"], true);
  auto h = Call("vfs_history", {{"bucket", "b"}});
  ASSERT_TRUE(h.ok());
  ASSERT_EQ((*h)["commits"].size(), 1u);
  EXPECT_EQ((*h)["commits"][0]["message"], "one");

  const std::string out = dir_.path() + "/b.car";
  auto e = Call("vfs_export", {{"bucket", "b"}, {"output_path", out}});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ((*e)["root"], (*c)["commit"]["cid"]);
  EXPECT_GT((*e)["bytes"].get<uint64_t>(), 0u);
  EXPECT_EQ(Call("vfs_export", {{"bucket", "b"}, {"output_path", out}}).status().code(),
            StatusCode::kAlreadyExists);

  auto down = Call("vfs_pin", {{"bucket", "b"}});
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(down.status().message().find("daemon unavailable"), std::string::npos);
  auto spooled = Call("vfs_pin", {{"bucket", "b"}, {"spool", true}});
  ASSERT_TRUE(spooled.ok());
  EXPECT_EQ((*spooled)["spooled"], true);
}

TEST_F(VfsTools, ResourceTemplate) {
  ASSERT_TRUE(vfs_->CreateBucket("b").ok());
  ASSERT_TRUE(
      Call("vfs_write",
           {{"bucket", "b"}, {"path", "/dir/a b.txt"}, {"text", "text body"}, {"parents", true}})
          .ok());
  ASSERT_TRUE(Call("vfs_write", {{"bucket", "b"}, {"path", "/bin"}, {"base64", "AP8="}}).ok());
  const auto& t = registry_.resource_templates()[0];
  auto read = [&](const std::string& bucket, const std::string& path) {
    return t.read("vfs://" + bucket + "/" + path, {{"bucket", bucket}, {"path", path}}, ctx_);
  };
  auto text = read("b", "dir/a%20b.txt");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  ASSERT_EQ(text->size(), 1u);
  EXPECT_EQ((*text)[0].text, "text body");
  auto bin = read("b", "bin");
  ASSERT_TRUE(bin.ok());
  EXPECT_EQ((*bin)[0].blob, "AP8=");
  auto dir = read("b", "dir");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ((*dir)[0].mime_type, "application/json");
  EXPECT_NE((*dir)[0].text->find("a b.txt"), std::string::npos);
  EXPECT_EQ(read("b", "nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(read("b", "../../etc/passwd").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(read("none", "x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(t.complete("bucket", ""), std::vector<std::string>{"b"});
}

}  // namespace
}  // namespace ipfs_kit::vfs
