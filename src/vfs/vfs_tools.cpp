// The vfs_* MCP tools and the vfs://{bucket}/{path} resource template: each
// handler checks its arguments, calls the Vfs and answers its JSON form
// (vfs_json.h) as structured content.
#include "ipfs_kit/vfs/vfs_tools.h"

#include <sys/stat.h>

#include <algorithm>

#include "ipfs_kit/http/message.h"
#include "ipfs_kit/mcp/tool_helpers.h"
#include "ipfs_kit/multiformats/multibase.h"
#include "ipfs_kit/vfs/path.h"
#include "ipfs_kit/vfs/vfs_api.h"
#include "ipfs_kit/vfs/vfs_json.h"

namespace ipfs_kit::vfs {
namespace {

using mcp::CallContext;
using mcp::Tool;
using mcp::ToolResult;
using mcp::ArrayOf;
using mcp::Bool;
using mcp::kChanges;
using mcp::kDestroys;
using mcp::kReadOnly;
using mcp::MakeTool;
using mcp::ObjectSchema;
using mcp::OptBool;
using mcp::OptString;
using mcp::OptUint;
using mcp::ReqString;
using mcp::Str;
using mcp::Uint;

// ---- schemas and arguments: mcp/tool_helpers.h; every VFS tool names its bucket.

Json Input(Json properties, std::vector<std::string> required) {
  properties["bucket"] = Str("bucket name: [a-z0-9][a-z0-9._-]{0,62}");
  required.insert(required.begin(), "bucket");
  return ObjectSchema(std::move(properties), std::move(required), /*closed=*/true);
}
Json Output(Json properties, std::vector<std::string> required) {
  return ObjectSchema(std::move(properties), std::move(required));
}

// Progress in bytes, at most every 1 MiB (and at the end).
ProgressFn BytesProgress(CallContext& ctx, std::optional<uint64_t> total) {
  auto last = std::make_shared<uint64_t>(0);
  return [&ctx, total, last](uint64_t n) {
    if (n < *last + (1 << 20) && (!total || n < *total)) return;
    *last = n;
    ctx.progress(static_cast<double>(n),
                 total ? std::optional<double>(static_cast<double>(*total)) : std::nullopt,
                 "bytes");
  };
}

// ---- tools

void AddBuckets(mcp::Registry& reg, const std::shared_ptr<Vfs>& vfs) {
  Json input = Json{{"type", "object"},
                    {"properties",
                     {{"action",
                       {{"type", "string"},
                        {"enum", {"list", "get", "create", "delete"}},
                        {"description", "list (default), get, create or delete"}}},
                      {"bucket", Str("bucket name (get, create, delete)")}}},
                    {"additionalProperties", false}};
  Tool t = MakeTool("vfs_buckets", "VFS buckets",
                    "Lists, shows, creates or deletes VFS buckets (named mutable UnixFS trees). "
                    "Deleting removes a bucket's root and history, not its blocks.",
                    input,
                    Output({{"buckets", ArrayOf(BucketSchema())},
                            {"bucket", BucketSchema()},
                            {"deleted", Str("name of the deleted bucket")}},
                           {}),
                    kDestroys);
  t.handler = [vfs](const Json& args, CallContext&) -> Result<ToolResult> {
    ASSIGN_OR_RETURN(std::optional<std::string> action, OptString(args, "action"));
    const std::string a = action.value_or("list");
    if (a == "list") {
      ASSIGN_OR_RETURN(std::vector<BucketInfo> list, vfs->ListBuckets());
      Json arr = Json::array();
      for (const auto& b : list) arr.push_back(BucketJson(b));
      return ToolResult::Structured(Json{{"buckets", arr}});
    }
    ASSIGN_OR_RETURN(std::string bucket, ReqString(args, "bucket"));
    if (a == "get") {
      ASSIGN_OR_RETURN(BucketInfo b, vfs->GetBucket(bucket));
      return ToolResult::Structured(Json{{"bucket", BucketJson(b)}});
    }
    if (a == "create") {
      ASSIGN_OR_RETURN(BucketInfo b, vfs->CreateBucket(bucket));
      return ToolResult::Structured(Json{{"bucket", BucketJson(b)}});
    }
    if (a == "delete") {
      RETURN_IF_ERROR(vfs->DeleteBucket(bucket));
      return ToolResult::Structured(Json{{"deleted", bucket}});
    }
    return Status::InvalidArgument("action must be list, get, create or delete");
  };
  reg.AddTool(std::move(t));
}

void AddMkdir(mcp::Registry& reg, const std::shared_ptr<Vfs>& vfs) {
  Tool t = MakeTool("vfs_mkdir", "Make a VFS directory", "Creates a directory in a bucket.",
                    Input({{"path", Str("absolute path in the bucket, e.g. /docs/2025")},
                           {"parents", Bool("create missing parents; no error if it exists")}},
                          {"path"}),
                    ChangeSchema(), kChanges);
  t.handler = [vfs](const Json& args, CallContext&) -> Result<ToolResult> {
    ASSIGN_OR_RETURN(std::string bucket, ReqString(args, "bucket"));
    ASSIGN_OR_RETURN(std::string path, ReqString(args, "path"));
    ASSIGN_OR_RETURN(bool parents, OptBool(args, "parents", false));
    ASSIGN_OR_RETURN(Change c, vfs->Mkdir(bucket, path, parents));
    return ToolResult::Structured(ChangeJson(c));
  };
  reg.AddTool(std::move(t));
}

void AddWrite(mcp::Registry& reg, const std::shared_ptr<Vfs>& vfs) {
  Tool t = MakeTool(
      "vfs_write", "Write a VFS file",
      "Writes a file in a bucket from exactly one of text, base64 or local_path (a file on the "
      "server's disk, streamed). By default the content replaces the file; append adds to its "
      "end; offset writes over it from that byte (keeping the rest unless truncate).",
      Input({{"path", Str("absolute path of the file in the bucket")},
             {"text", Str("content as UTF-8 text")},
             {"base64", Str("content as standard base64")},
             {"local_path", Str("a regular file on the server to import")},
             {"parents", Bool("create missing parent directories")},
             {"create", Bool("create the file when missing (default true)")},
             {"append", Bool("append to the file")},
             {"offset", Uint("write at this byte offset (<= the file's size)")},
             {"truncate", Bool("with offset: drop what follows the written bytes")}},
            {"path"}),
      ChangeSchema(), kChanges);
  t.handler = [vfs](const Json& args, CallContext& ctx) -> Result<ToolResult> {
    ASSIGN_OR_RETURN(std::string bucket, ReqString(args, "bucket"));
    ASSIGN_OR_RETURN(std::string path, ReqString(args, "path"));
    ASSIGN_OR_RETURN(std::optional<std::string> text, OptString(args, "text"));
    ASSIGN_OR_RETURN(std::optional<std::string> b64, OptString(args, "base64"));
    ASSIGN_OR_RETURN(std::optional<std::string> local, OptString(args, "local_path"));
    if (int(text.has_value()) + int(b64.has_value()) + int(local.has_value()) != 1) {
      return Status::InvalidArgument("give exactly one of text, base64 or local_path");
    }
    WriteOptions o;
    ASSIGN_OR_RETURN(o.parents, OptBool(args, "parents", false));
    ASSIGN_OR_RETURN(o.create, OptBool(args, "create", true));
    ASSIGN_OR_RETURN(o.append, OptBool(args, "append", false));
    ASSIGN_OR_RETURN(o.truncate, OptBool(args, "truncate", false));
    ASSIGN_OR_RETURN(o.offset, OptUint(args, "offset"));
    Bytes decoded;
    WriteSource source;
    std::optional<uint64_t> total;
    if (text) {
      source = WriteSource::FromBytes(AsBytes(*text));
    } else if (b64) {
      ASSIGN_OR_RETURN(decoded, multiformats::Base64Decode(*b64));
      source = WriteSource::FromBytes(decoded);
    } else {
      struct stat st;
      if (::stat(local->c_str(), &st) == 0) total = static_cast<uint64_t>(st.st_size);
      source = WriteSource::FromLocalPath(*local);
    }
    ASSIGN_OR_RETURN(Change c, vfs->Write(bucket, path, source, o, BytesProgress(ctx, total)));
    return ToolResult::Structured(ChangeJson(c));
  };
  reg.AddTool(std::move(t));
}

void AddRead(mcp::Registry& reg, const std::shared_ptr<Vfs>& vfs) {
  Tool t = MakeTool(
      "vfs_read", "Read a VFS file",
      "Reads a file from a bucket, as text (UTF-8) or base64. Without length at most 16 MiB "
      "come back; truncated and next_offset say when there is more.",
      Input({{"path", Str("absolute path of the file in the bucket")},
             {"offset", Uint("first byte (default 0)")},
             {"length", Uint("bytes to read (default: to the end, at most 16 MiB)")},
             {"encoding",
              {{"type", "string"},
               {"enum", {"auto", "text", "base64"}},
               {"description", "auto (default): text when UTF-8, else base64"}}}},
            {"path"}),
      Output({{"path", Str("")},
              {"cid", Str("the file's CID")},
              {"size", Uint("the file's size")},
              {"offset", Uint("")},
              {"length", Uint("bytes returned")},
              {"encoding", Str("text or base64")},
              {"text", Str("")},
              {"base64", Str("")},
              {"truncated", Bool("more bytes follow")},
              {"next_offset", Uint("where the rest starts, when truncated")}},
             {"path", "cid", "size", "offset", "length", "encoding", "truncated"}),
      kReadOnly);
  t.handler = [vfs](const Json& args, CallContext&) -> Result<ToolResult> {
    ASSIGN_OR_RETURN(std::string bucket, ReqString(args, "bucket"));
    ASSIGN_OR_RETURN(std::string path, ReqString(args, "path"));
    ASSIGN_OR_RETURN(std::optional<uint64_t> offset, OptUint(args, "offset"));
    ASSIGN_OR_RETURN(std::optional<uint64_t> length, OptUint(args, "length"));
    ASSIGN_OR_RETURN(std::optional<std::string> encoding, OptString(args, "encoding"));
    const std::string enc = encoding.value_or("auto");
    if (enc != "auto" && enc != "text" && enc != "base64") {
      return Status::InvalidArgument("encoding must be auto, text or base64");
    }
    ASSIGN_OR_RETURN(EntryInfo st, vfs->Stat(bucket, path));
    if (st.type != EntryType::kFile) {
      return Status::InvalidArgument(st.path + " is a " + EntryTypeName(st.type) + ", not a file");
    }
    const uint64_t from = offset.value_or(0);
    if (length && *length > kMaxInlineBytes) {
      return Status::InvalidArgument("length over 16 MiB; read in parts");
    }
    uint64_t want = length.value_or(kMaxInlineBytes);
    if (from <= st.size) want = std::min(want, st.size - from);
    std::string data;
    RETURN_IF_ERROR(vfs->Read(bucket, path, from, want, [&](ByteView b) {
      data.append(AsString(b));
      return Status::Ok();
    }));
    Json out{{"path", st.path},
             {"cid", st.cid.ToString()},
             {"size", st.size},
             {"offset", from},
             {"length", data.size()}};
    const bool is_text = IsValidUtf8(data);
    if (enc == "text" && !is_text) {
      return Status::InvalidArgument(st.path + " is not valid UTF-8 text; read it as base64");
    }
    if (enc == "base64" || (enc == "auto" && !is_text)) {
      out["encoding"] = "base64";
      out["base64"] = multiformats::Base64Encode(AsBytes(data));
    } else {
      out["encoding"] = "text";
      out["text"] = std::move(data);
    }
    const uint64_t end = from + out["length"].get<uint64_t>();
    out["truncated"] = !length && end < st.size;
    if (out["truncated"].get<bool>()) out["next_offset"] = end;
    return ToolResult::Structured(std::move(out));
  };
  reg.AddTool(std::move(t));
}

void AddLsStat(mcp::Registry& reg, const std::shared_ptr<Vfs>& vfs) {
  Tool ls =
      MakeTool("vfs_ls", "List a VFS directory",
               "Lists a directory of a bucket (name order) with each entry's type, size "
               "and CID; a file lists as itself.",
               Input({{"path", Str("absolute path (default /)")}}, {}),
               Output({{"bucket", Str("")}, {"path", Str("")}, {"entries", ArrayOf(EntrySchema())}},
                      {"bucket", "path", "entries"}),
               kReadOnly);
  ls.handler = [vfs](const Json& args, CallContext&) -> Result<ToolResult> {
    ASSIGN_OR_RETURN(std::string bucket, ReqString(args, "bucket"));
    ASSIGN_OR_RETURN(std::optional<std::string> path, OptString(args, "path"));
    ASSIGN_OR_RETURN(std::vector<EntryInfo> entries, vfs->Ls(bucket, path.value_or("/")));
    Json arr = Json::array();
    for (const auto& e : entries) arr.push_back(EntryJson(e));
    return ToolResult::Structured(
        Json{{"bucket", bucket}, {"path", SanitizeUtf8(path.value_or("/"))}, {"entries", arr}});
  };
  reg.AddTool(std::move(ls));

  Tool stat =
      MakeTool("vfs_stat", "Stat a VFS entry",
               "CID, type, size, cumulative size and link count of an entry of a bucket "
               "(the root by default).",
               Input({{"path", Str("absolute path (default /)")}}, {}), EntrySchema(), kReadOnly);
  stat.handler = [vfs](const Json& args, CallContext&) -> Result<ToolResult> {
    ASSIGN_OR_RETURN(std::string bucket, ReqString(args, "bucket"));
    ASSIGN_OR_RETURN(std::optional<std::string> path, OptString(args, "path"));
    ASSIGN_OR_RETURN(EntryInfo e, vfs->Stat(bucket, path.value_or("/")));
    return ToolResult::Structured(EntryJson(e));
  };
  reg.AddTool(std::move(stat));
}

void AddRmMvCp(mcp::Registry& reg, const std::shared_ptr<Vfs>& vfs) {
  Tool rm = MakeTool(
      "vfs_rm", "Remove a VFS entry",
      "Removes a file, or a directory with recursive, from a bucket.",
      Input({{"path", Str("absolute path")}, {"recursive", Bool("required to remove a directory")}},
            {"path"}),
      ChangeSchema(), kDestroys);
  rm.handler = [vfs](const Json& args, CallContext&) -> Result<ToolResult> {
    ASSIGN_OR_RETURN(std::string bucket, ReqString(args, "bucket"));
    ASSIGN_OR_RETURN(std::string path, ReqString(args, "path"));
    ASSIGN_OR_RETURN(bool recursive, OptBool(args, "recursive", false));
    ASSIGN_OR_RETURN(Change c, vfs->Rm(bucket, path, recursive));
    return ToolResult::Structured(ChangeJson(c));
  };
  reg.AddTool(std::move(rm));

  Tool mv = MakeTool(
      "vfs_mv", "Move a VFS entry",
      "Moves or renames an entry of a bucket; into `to` when it is a directory. "
      "The destination must not exist.",
      Input({{"from", Str("absolute path")}, {"to", Str("absolute path")}}, {"from", "to"}),
      ChangeSchema(), kChanges);
  mv.handler = [vfs](const Json& args, CallContext&) -> Result<ToolResult> {
    ASSIGN_OR_RETURN(std::string bucket, ReqString(args, "bucket"));
    ASSIGN_OR_RETURN(std::string from, ReqString(args, "from"));
    ASSIGN_OR_RETURN(std::string to, ReqString(args, "to"));
    ASSIGN_OR_RETURN(Change c, vfs->Mv(bucket, from, to));
    return ToolResult::Structured(ChangeJson(c));
  };
  reg.AddTool(std::move(mv));

  Json cp_annotations = kChanges;
  cp_annotations["openWorldHint"] = true;  // /ipfs/ sources may come from backends
  Tool cp = MakeTool(
      "vfs_cp", "Copy into a VFS bucket",
      "Copies an entry of the bucket, or /ipfs/CID[/path] (fetched from the backends, verified "
      "and stored locally), to `to` (into it when it is a directory).",
      Input({{"from", Str("absolute path in the bucket, or /ipfs/CID[/path]")},
             {"to", Str("absolute path")},
             {"parents", Bool("create missing parent directories")}},
            {"from", "to"}),
      ChangeSchema(), cp_annotations);
  cp.handler = [vfs](const Json& args, CallContext&) -> Result<ToolResult> {
    ASSIGN_OR_RETURN(std::string bucket, ReqString(args, "bucket"));
    ASSIGN_OR_RETURN(std::string from, ReqString(args, "from"));
    ASSIGN_OR_RETURN(std::string to, ReqString(args, "to"));
    ASSIGN_OR_RETURN(bool parents, OptBool(args, "parents", false));
    ASSIGN_OR_RETURN(Change c, vfs->Cp(bucket, from, to, parents));
    return ToolResult::Structured(ChangeJson(c));
  };
  reg.AddTool(std::move(cp));
}

void AddHistory(mcp::Registry& reg, const std::shared_ptr<Vfs>& vfs) {
  Tool commit =
      MakeTool("vfs_commit", "Commit a VFS bucket",
               "Records the bucket's current root CID in its history with a message. When nothing "
               "changed since the last commit, that commit is returned and created is false.",
               Input({{"message", Str("commit message (<= 1024 bytes)")}}, {}),
               Output({{"commit", CommitSchema()}, {"created", Bool("a new commit was recorded")}},
                      {"commit", "created"}),
               kChanges);
  commit.handler = [vfs](const Json& args, CallContext&) -> Result<ToolResult> {
    ASSIGN_OR_RETURN(std::string bucket, ReqString(args, "bucket"));
    ASSIGN_OR_RETURN(std::optional<std::string> message, OptString(args, "message"));
    ASSIGN_OR_RETURN(CommitOutcome c, vfs->Commit(bucket, message.value_or("")));
    return ToolResult::Structured(Json{{"commit", CommitJson(c.commit)}, {"created", c.created}});
  };
  reg.AddTool(std::move(commit));

  Tool history = MakeTool(
      "vfs_history", "VFS bucket history", "The bucket's commits, newest first.",
      Input({{"limit", Uint("at most this many (default all)")}}, {}),
      Output({{"bucket", Str("")}, {"commits", ArrayOf(CommitSchema())}}, {"bucket", "commits"}),
      kReadOnly);
  history.handler = [vfs](const Json& args, CallContext&) -> Result<ToolResult> {
    ASSIGN_OR_RETURN(std::string bucket, ReqString(args, "bucket"));
    ASSIGN_OR_RETURN(std::optional<uint64_t> limit, OptUint(args, "limit"));
    ASSIGN_OR_RETURN(std::vector<CommitRecord> h, vfs->History(bucket, limit.value_or(0)));
    Json arr = Json::array();
    for (const auto& c : h) arr.push_back(CommitJson(c));
    return ToolResult::Structured(Json{{"bucket", bucket}, {"commits", arr}});
  };
  reg.AddTool(std::move(history));

  Tool exp =
      MakeTool("vfs_export", "Export a VFS bucket to CAR",
               "Writes the bucket's current root (or root: a commit's CID) as a CAR v1 file on the "
               "server's disk, atomically.",
               Input({{"output_path", Str("where to write the .car file")},
                      {"root", Str("a commit's CID (default: the current root)")},
                      {"overwrite", Bool("replace an existing file")}},
                     {"output_path"}),
               Output({{"root", Str("the exported root CID")},
                       {"output_path", Str("")},
                       {"bytes", Uint("size of the CAR file")}},
                      {"root", "output_path", "bytes"}),
               kChanges);
  exp.handler = [vfs](const Json& args, CallContext& ctx) -> Result<ToolResult> {
    ASSIGN_OR_RETURN(std::string bucket, ReqString(args, "bucket"));
    ASSIGN_OR_RETURN(std::string out, ReqString(args, "output_path"));
    ASSIGN_OR_RETURN(std::optional<std::string> root_ref, OptString(args, "root"));
    ASSIGN_OR_RETURN(bool overwrite, OptBool(args, "overwrite", false));
    ASSIGN_OR_RETURN(Cid root, vfs->ExportRoot(bucket, root_ref.value_or("")));
    std::optional<uint64_t> total;
    if (auto st = vfs->Stat(bucket, "/"); st.ok() && st->cid == root) total = st->cumulative_size;
    RETURN_IF_ERROR(vfs->ExportCarToFile(root, out, overwrite, BytesProgress(ctx, total)));
    struct stat st;
    uint64_t bytes = ::stat(out.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    return ToolResult::Structured(
        Json{{"root", root.ToString()}, {"output_path", out}, {"bytes", bytes}});
  };
  reg.AddTool(std::move(exp));

  Json pin_annotations = kChanges;
  pin_annotations["openWorldHint"] = true;
  Tool pin = MakeTool(
      "vfs_pin", "Pin a VFS bucket",
      "Pins the bucket's last commit through the daemon (replicated to the backends). With the "
      "daemon down this fails with \"daemon unavailable\", unless spool is true: then the "
      "request is queued in the repository and taken in when the daemon starts.",
      Input({{"name", Str("pin name (default vfs:<bucket>)")},
             {"spool", Bool("queue the pin when the daemon is down")}},
            {}),
      PinSchema(), pin_annotations);
  pin.handler = [vfs](const Json& args, CallContext&) -> Result<ToolResult> {
    ASSIGN_OR_RETURN(std::string bucket, ReqString(args, "bucket"));
    ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(args, "name"));
    ASSIGN_OR_RETURN(bool spool, OptBool(args, "spool", false));
    ASSIGN_OR_RETURN(PinOutcome p, vfs->Pin(bucket, name.value_or(""),
                                            spool ? PinWhenDown::kSpool : PinWhenDown::kFail));
    return ToolResult::Structured(PinJson(p));
  };
  reg.AddTool(std::move(pin));
}

void AddResource(mcp::Registry& reg, const std::shared_ptr<Vfs>& vfs) {
  mcp::ResourceTemplate t;
  t.uri_template = "vfs://{bucket}/{path}";
  t.name = "vfs";
  t.title = "VFS bucket entry";
  t.description =
      "A file of a VFS bucket (its bytes: text when UTF-8, else a base64 blob; at most 16 MiB) "
      "or a directory (a JSON listing).";
  t.read = [vfs](const std::string& uri, const std::map<std::string, std::string>& vars,
                 CallContext&) -> Result<std::vector<mcp::ResourceContent>> {
    auto b = vars.find("bucket");
    if (b == vars.end()) return Status::NotFound("no bucket in " + uri);
    auto p = vars.find("path");
    std::string raw = p == vars.end() ? "" : p->second;
    std::optional<std::string> decoded = http::PercentDecode(raw, false);
    if (!decoded) return Status::InvalidArgument("bad percent-escape in " + uri);
    const std::string path = "/" + *decoded;
    ASSIGN_OR_RETURN(EntryInfo st, vfs->Stat(b->second, path));
    mcp::ResourceContent c;
    c.uri = uri;
    if (st.type == EntryType::kDirectory) {
      ASSIGN_OR_RETURN(std::vector<EntryInfo> entries, vfs->Ls(b->second, path));
      Json arr = Json::array();
      for (const auto& e : entries) arr.push_back(EntryJson(e));
      c.mime_type = "application/json";
      c.text = DumpJson(Json{{"path", st.path}, {"entries", arr}});
      return std::vector<mcp::ResourceContent>{c};
    }
    if (st.size > kMaxInlineBytes) {
      return Status::InvalidArgument(st.path + " is over 16 MiB; use vfs_read with offset/length");
    }
    std::string data;
    RETURN_IF_ERROR(vfs->Read(b->second, path, 0, std::nullopt, [&](ByteView bytes) {
      data.append(AsString(bytes));
      return Status::Ok();
    }));
    if (IsValidUtf8(data)) {
      c.mime_type = "text/plain; charset=utf-8";
      c.text = std::move(data);
    } else {
      c.mime_type = "application/octet-stream";
      c.blob = multiformats::Base64Encode(AsBytes(data));
    }
    return std::vector<mcp::ResourceContent>{c};
  };
  t.complete = [vfs](const std::string& argument, const std::string& value) {
    std::vector<std::string> out;
    if (argument != "bucket") return out;
    auto list = vfs->ListBuckets();
    if (!list.ok()) return out;
    for (const auto& b : *list) {
      if (b.name.rfind(value, 0) == 0) out.push_back(b.name);
    }
    return out;
  };
  reg.AddResourceTemplate(std::move(t));
}

}  // namespace

void RegisterVfsTools(mcp::Registry& registry, std::shared_ptr<Vfs> vfs) {
  AddBuckets(registry, vfs);
  AddMkdir(registry, vfs);
  AddWrite(registry, vfs);
  AddRead(registry, vfs);
  AddLsStat(registry, vfs);
  AddRmMvCp(registry, vfs);
  AddHistory(registry, vfs);
  AddResource(registry, vfs);
}

}  // namespace ipfs_kit::vfs
