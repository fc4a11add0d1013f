#include "ipfs_kit/mcp_server/ipfs_tools.h"

#include <chrono>
#include <thread>

#include "ipfs_kit/http/message.h"
#include "ipfs_kit/mcp/tool_helpers.h"
#include "ipfs_kit/multiformats/multibase.h"
#include "ipfs_kit/ops/routing_view.h"
#include "text_util.h"

namespace ipfs_kit::mcp_server {
namespace {

using mcp::ArrayOf;
using mcp::Bool;
using mcp::CallContext;
using mcp::Int;
using mcp::Json;
using mcp::kChanges;
using mcp::kReadOnly;
using mcp::MakeTool;
using mcp::ObjectSchema;
using mcp::Str;
using mcp::Tool;
using mcp::ToolResult;
using mcp::Uint;

// Argument types, minimums and enums are checked by the session against each
// tool's input schema before the handler runs (mcp/session.h), so the readers
// below only supply defaults.
std::string ArgString(const Json& args, const char* name, const std::string& fallback = "") {
  auto it = args.find(name);
  return it != args.end() && it->is_string() ? it->get<std::string>() : fallback;
}
int64_t ArgInt(const Json& args, const char* name, int64_t fallback) {
  auto it = args.find(name);
  return it != args.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}
bool ArgBool(const Json& args, const char* name, bool fallback) {
  auto it = args.find(name);
  return it != args.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

Result<ToolResult> Structured(Result<Json> r) {
  if (!r.ok()) return r.status();
  if (!r->is_object()) return ToolResult::Structured(Json{{"result", std::move(*r)}});
  return ToolResult::Structured(std::move(*r));
}

ops::ProgressFn ProgressOf(CallContext& cc) {
  return [&cc](uint64_t done, uint64_t total) {
    cc.progress(static_cast<double>(done),
                total ? std::optional<double>(static_cast<double>(total)) : std::nullopt, "bytes");
  };
}

void RegisterContentTools(mcp::Registry& reg, ServerContext& ctx) {
  {
    Tool t = MakeTool(
        "ipfs_add", "Add content",
        "Adds content and returns its CID (CIDv1, raw leaves, 256 KiB chunks by default, as "
        "`ipfs add --cid-version=1`). Give exactly one of text, base64 or path (a file or "
        "directory on the server's disk). The content is pinned through the daemon (or spooled "
        "until it runs) unless pin is false.",
        ObjectSchema({{"text", Str("UTF-8 text to add")},
                      {"base64", Str("Bytes to add, base64")},
                      {"path", Str("Local file or directory to add (recursively)")},
                      {"cid_version", Json{{"type", "integer"}, {"enum", {0, 1}}}},
                      {"chunker", Str("size-N (default size-262144)")},
                      {"pin", Bool("Pin the result (default true)")},
                      {"name", Str("Pin name")}}),
        ObjectSchema({{"cid", Str("root CID")},
                      {"size", Uint("content bytes")},
                      {"pinned", Bool("a pin was submitted")},
                      {"pin_state", Str("queued (daemon has it) or spooled (daemon down)")}},
                     {"cid", "size"}),
        kChanges);
    t.handler = [&ctx](const Json& args, CallContext& cc) -> Result<ToolResult> {
      int given = args.contains("text") + args.contains("base64") + args.contains("path");
      if (given != 1) {
        return Status::InvalidArgument("give exactly one of text, base64 or path");
      }
      ops::AddOptions o;
      o.cid_version = static_cast<int>(ArgInt(args, "cid_version", 1));
      o.chunker = ArgString(args, "chunker");
      o.pin = ArgBool(args, "pin", true);
      o.pin_name = ArgString(args, "name");
      Result<ops::AddResult> r = Status::Internal("unreachable");
      if (args.contains("path")) {
        r = ctx.content->AddPath(ArgString(args, "path"), o, ProgressOf(cc));
      } else if (args.contains("text")) {
        std::string text = ArgString(args, "text");
        r = ctx.content->AddBytes(AsBytes(text), o, ProgressOf(cc));
      } else {
        ASSIGN_OR_RETURN(Bytes data, multiformats::Base64Decode(ArgString(args, "base64")));
        r = ctx.content->AddBytes(data, o, ProgressOf(cc));
      }
      if (!r.ok()) return r.status();
      Json out = r->ToJson();
      cc.log("info", Json{{"event", "added"},
                          {"cid", out["cid"]},
                          {"size", out["size"]},
                          {"pin_state", out.value("pin_state", "")}});
      return ToolResult::Structured(std::move(out));
    };
    reg.AddTool(std::move(t));
  }
  {
    Tool t = MakeTool(
        "ipfs_cat", "Read a file",
        "Reads a UnixFS file (CID or CID/path) from the local store or the backends the routing "
        "index names, verifying every block. offset/length select a range; encoding text "
        "(UTF-8) or base64 (default: text when the bytes are valid UTF-8). At most 16 MiB per "
        "call.",
        ObjectSchema({{"path", Str("CID, CID/path or /ipfs/CID/path")},
                      {"offset", Uint("first byte (default 0)")},
                      {"length", Uint("bytes to read (default: to the end)")},
                      {"encoding", Json{{"type", "string"}, {"enum", {"text", "base64"}}}}},
                     {"path"}),
        ObjectSchema({{"path", Str("as asked")},
                      {"offset", Uint("")},
                      {"length", Uint("bytes returned")},
                      {"encoding", Str("text or base64")},
                      {"text", Str("the bytes, when encoding is text")},
                      {"base64", Str("the bytes, when encoding is base64")}},
                     {"path", "offset", "length", "encoding"}),
        kReadOnly);
    t.handler = [&ctx](const Json& args, CallContext&) -> Result<ToolResult> {
      std::string path = ArgString(args, "path");
      uint64_t offset = static_cast<uint64_t>(ArgInt(args, "offset", 0));
      std::optional<uint64_t> length;
      if (args.contains("length")) length = static_cast<uint64_t>(ArgInt(args, "length", 0));
      if (length && *length > kMaxInlineBytes) {
        return Status::InvalidArgument("length is over the 16 MiB limit of one call");
      }
      std::string data;
      RETURN_IF_ERROR(ctx.content->Cat(path, offset, length, [&](ByteView b) -> Status {
        if (data.size() + b.size() > kMaxInlineBytes) {
          return Status::InvalidArgument(
              "content is over 16 MiB; read it in parts with offset and length");
        }
        data.append(AsString(b));
        return Status::Ok();
      }));
      std::string encoding = ArgString(args, "encoding");
      if (encoding.empty()) encoding = IsValidUtf8(data) ? "text" : "base64";
      if (encoding != "text" && encoding != "base64") {
        return Status::InvalidArgument("encoding must be text or base64");
      }
      if (encoding == "text" && !IsValidUtf8(data)) {
        return Status::InvalidArgument("the bytes are not valid UTF-8; ask for encoding base64");
      }
      Json out{{"path", path}, {"offset", offset}, {"length", data.size()}, {"encoding", encoding}};
      ToolResult r;
      if (encoding == "text") {
        r.content.push_back(Json{{"type", "text"}, {"text", data}});
        out["text"] = std::move(data);
      } else {
        std::string b64 = multiformats::Base64Encode(AsBytes(data));
        r.content.push_back(Json{{"type", "text"}, {"text", b64}});
        out["base64"] = std::move(b64);
      }
      r.structured = std::move(out);
      return r;
    };
    reg.AddTool(std::move(t));
  }
  {
    Tool t = MakeTool(
        "ipfs_get", "Save to disk",
        "Writes the file or directory at a CID/path to a local path on the "
        "server's disk (which must not exist); built under a temporary name and "
        "renamed when complete.",
        ObjectSchema({{"path", Str("CID, CID/path or /ipfs/CID/path")},
                      {"output", Str("local path to create")}},
                     {"path", "output"}),
        ObjectSchema({{"cid", Str("")}, {"path", Str("written path")}}, {"cid", "path"}), kChanges);
    t.handler = [&ctx](const Json& args, CallContext&) -> Result<ToolResult> {
      return Structured(ctx.content->Get(ArgString(args, "path"), ArgString(args, "output")));
    };
    reg.AddTool(std::move(t));
  }
  {
    Tool t = MakeTool(
        "ipfs_ls", "List a directory",
        "Lists the entries of a UnixFS directory (HAMT shards flattened).",
        ObjectSchema({{"path", Str("CID, CID/path or /ipfs/CID/path")}}, {"path"}),
        ObjectSchema({{"cid", Str("")}, {"type", Str("")}, {"entries", Json{{"type", "array"}}}},
                     {"cid", "entries"}),
        kReadOnly);
    t.handler = [&ctx](const Json& args, CallContext&) -> Result<ToolResult> {
      return Structured(ctx.content->Ls(ArgString(args, "path")));
    };
    reg.AddTool(std::move(t));
  }
  {
    Tool t = MakeTool("ipfs_stat", "Describe a CID",
                      "Type (file, directory, symlink, raw), size and block size of a CID/path.",
                      ObjectSchema({{"path", Str("CID, CID/path or /ipfs/CID/path")}}, {"path"}),
                      ObjectSchema({{"cid", Str("")}, {"type", Str("")}, {"size", Uint("")}},
                                   {"cid", "type", "size"}),
                      kReadOnly);
    t.handler = [&ctx](const Json& args, CallContext&) -> Result<ToolResult> {
      return Structured(ctx.content->Stat(ArgString(args, "path")));
    };
    reg.AddTool(std::move(t));
  }
  {
    Tool t = MakeTool(
        "car_export", "Export a CAR",
        "Writes the whole DAG under a CID/path to a local file as a CARv1 "
        "(depth-first, each block once, every block verified).",
        ObjectSchema({{"path", Str("CID or CID/path")}, {"output", Str("local .car path")}},
                     {"path", "output"}),
        ObjectSchema({{"root", Str("")}, {"path", Str("")}, {"bytes", Uint("")}},
                     {"root", "path", "bytes"}),
        kChanges);
    t.handler = [&ctx](const Json& args, CallContext& cc) -> Result<ToolResult> {
      auto r = ctx.content->CarExport(ArgString(args, "path"), ArgString(args, "output"));
      if (r.ok())
        cc.log("info",
               Json{{"event", "car_exported"}, {"root", (*r)["root"]}, {"bytes", (*r)["bytes"]}});
      return Structured(std::move(r));
    };
    reg.AddTool(std::move(t));
  }
  {
    Tool t = MakeTool(
        "car_import", "Import a CAR",
        "Imports every block of a local CAR (v1 or v2) into the local store, "
        "verifying each, and pins its roots unless pin is false.",
        ObjectSchema({{"path", Str("local .car file")}, {"pin", Bool("default true")}}, {"path"}),
        ObjectSchema(
            {{"roots", Json{{"type", "array"}}}, {"blocks", Uint("")}, {"bytes", Uint("")}},
            {"roots", "blocks", "bytes"}),
        kChanges);
    t.handler = [&ctx](const Json& args, CallContext& cc) -> Result<ToolResult> {
      auto r = ctx.content->CarImport(ArgString(args, "path"), ArgBool(args, "pin", true));
      if (r.ok())
        cc.log(
            "info",
            Json{{"event", "car_imported"}, {"roots", (*r)["roots"]}, {"blocks", (*r)["blocks"]}});
      return Structured(std::move(r));
    };
    reg.AddTool(std::move(t));
  }
}

// Polls a pin request until it is pinned or failed (or `timeout_s` passes),
// reporting each status change as progress.
Result<Json> WaitForPin(ServerContext& ctx, Json status, int64_t timeout_s, CallContext& cc) {
  std::string id = status.value("requestid", "");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  std::string last;
  int step = 0;
  for (;;) {
    std::string s = status.value("status", "");
    if (s != last) {
      cc.progress(++step, std::nullopt, "pin " + s);
      cc.log("info", Json{{"event", "pin_status"}, {"requestid", id}, {"status", s}});
      last = s;
    }
    if (s == "pinned" || s == "failed") return status;
    if (cc.cancelled() || std::chrono::steady_clock::now() >= deadline) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    ASSIGN_OR_RETURN(status, ctx.management->PinStatus(id));
  }
}

void RegisterManagementTools(mcp::Registry& reg, ServerContext& ctx) {
  const Json pin_status_out = ObjectSchema({{"requestid", Str("")},
                                            {"status", Str("queued, pinning, pinned or failed")},
                                            {"created", Str("")},
                                            {"pin", Json{{"type", "object"}}}},
                                           {"requestid", "status"});
  {
    Tool t = MakeTool(
        "pin_add", "Pin a CID",
        "Asks the daemon to pin a CID on its backends (Pinning Service API). With wait, "
        "returns once the pin is pinned or failed (or timeout_s passes), sending progress "
        "notifications as its status changes.",
        ObjectSchema({{"cid", Str("CID to pin")},
                      {"name", Str("pin name")},
                      {"replication_min", Uint("copies wanted at least (default: daemon's)")},
                      {"replication_max", Uint("copies at most")},
                      {"backends", Json{{"type", "array"}, {"items", {{"type", "string"}}}}},
                      {"wait", Bool("wait until pinned or failed")},
                      {"timeout_s", Int("how long to wait (default 60)", 1)}},
                     {"cid"}),
        pin_status_out, kChanges);
    t.handler = [&ctx](const Json& args, CallContext& cc) -> Result<ToolResult> {
      ops::PinRequest r;
      r.cid = ArgString(args, "cid");
      r.name = ArgString(args, "name");
      r.replication_min = static_cast<int>(ArgInt(args, "replication_min", 0));
      r.replication_max = static_cast<int>(ArgInt(args, "replication_max", 0));
      if (auto it = args.find("backends"); it != args.end() && it->is_array()) {
        for (const auto& b : *it) {
          if (b.is_string()) r.backends.push_back(b.get<std::string>());
        }
      }
      ASSIGN_OR_RETURN(Json status, ctx.management->PinAdd(r));
      if (ArgBool(args, "wait", false)) {
        ASSIGN_OR_RETURN(status,
                         WaitForPin(ctx, std::move(status), ArgInt(args, "timeout_s", 60), cc));
      }
      return ToolResult::Structured(std::move(status));
    };
    reg.AddTool(std::move(t));
  }
  {
    Tool t = MakeTool(
        "pin_rm", "Unpin", "Removes a pin request (by request id), or every request for a CID.",
        ObjectSchema({{"id", Str("request id or CID")}}, {"id"}),
        ObjectSchema({{"removed", Json{{"type", "array"}}}}, {"removed"}), mcp::kDestroys);
    t.handler = [&ctx](const Json& args, CallContext&) -> Result<ToolResult> {
      return Structured(ctx.management->PinRm(ArgString(args, "id")));
    };
    reg.AddTool(std::move(t));
  }
  {
    Tool t = MakeTool("pin_ls", "List pins",
                      "Lists pin requests (Pinning Service API GET /pins): filter by status "
                      "(comma-separated queued,pinning,pinned,failed), cid, name; newest first.",
                      ObjectSchema({{"status", Str("e.g. pinned or queued,pinning")},
                                    {"cid", Str("comma-separated CIDs")},
                                    {"name", Str("exact name")},
                                    {"limit", Int("1-1000 (default 10)", 1)}}),
                      ObjectSchema({{"count", Uint("")}, {"results", Json{{"type", "array"}}}},
                                   {"count", "results"}),
                      kReadOnly);
    t.handler = [&ctx](const Json& args, CallContext&) -> Result<ToolResult> {
      std::string q;
      auto add = [&q](const char* k, const std::string& v) {
        if (v.empty()) return;
        q += (q.empty() ? "" : "&") + std::string(k) + "=" + http::PercentEncode(v);
      };
      add("status", ArgString(args, "status"));
      add("cid", ArgString(args, "cid"));
      add("name", ArgString(args, "name"));
      if (args.contains("limit")) add("limit", std::to_string(ArgInt(args, "limit", 10)));
      return Structured(ctx.management->PinLs(q));
    };
    reg.AddTool(std::move(t));
  }
  {
    Tool t = MakeTool("pin_status", "Pin status",
                      "The status of a pin request (by request id), or of every request for a "
                      "CID ({cid, results}).",
                      ObjectSchema({{"id", Str("request id or CID")}}, {"id"}), ObjectSchema({}),
                      kReadOnly);
    t.handler = [&ctx](const Json& args, CallContext&) -> Result<ToolResult> {
      return Structured(ctx.management->PinStatus(ArgString(args, "id")));
    };
    reg.AddTool(std::move(t));
  }
  {
    Tool t =
        MakeTool("backend_list", "List backends",
                 "The daemon's storage backends with their configuration (secrets masked), "
                 "capabilities and health.",
                 ObjectSchema({}),
                 ObjectSchema({{"backends", Json{{"type", "array"}}}}, {"backends"}), kReadOnly);
    t.handler = [&ctx](const Json&, CallContext&) -> Result<ToolResult> {
      return Structured(ctx.management->Backends());
    };
    reg.AddTool(std::move(t));
  }
  {
    Tool t =
        MakeTool("backend_health", "Backend health",
                 "Each backend's state (healthy, degraded, unhealthy), reason, latency "
                 "percentiles, error rate, space and pin count, from the daemon's monitor.",
                 ObjectSchema({}),
                 ObjectSchema({{"backends", Json{{"type", "array"}}}}, {"backends"}), kReadOnly);
    t.handler = [&ctx](const Json&, CallContext&) -> Result<ToolResult> {
      return Structured(ctx.management->BackendsHealth());
    };
    reg.AddTool(std::move(t));
  }
  {
    Tool t = MakeTool("daemon_status", "Daemon status",
                      "Whether the daemon runs, its API address, health and replication summary.",
                      ObjectSchema({}),
                      ObjectSchema({{"available", Bool("")}, {"api", Str("")}}, {"available"}),
                      kReadOnly);
    t.handler = [&ctx](const Json&, CallContext&) -> Result<ToolResult> {
      return Structured(ctx.management->DaemonStatus());
    };
    reg.AddTool(std::move(t));
  }
}

void RegisterRoutingTools(mcp::Registry& reg, ServerContext& ctx) {
  {
    Tool t = MakeTool(
        "route_lookup", "Where is a CID",
        "The backends holding a CID, best first, from the routing index (read "
        "directly; works without the daemon).",
        ObjectSchema({{"cid", Str("CID")}}, {"cid"}),
        ObjectSchema(
            {{"cid", Str("")}, {"generation", Uint("")}, {"locations", Json{{"type", "array"}}}},
            {"cid", "locations"}),
        kReadOnly);
    t.handler = [&ctx](const Json& args, CallContext&) -> Result<ToolResult> {
      return Structured(ops::RouteLookupJson(ctx.index_dir, ArgString(args, "cid")));
    };
    reg.AddTool(std::move(t));
  }
  {
    Tool t = MakeTool(
        "route_suggest", "Where to put new content",
        "The backends a new pin of `size` bytes would go to, best first.",
        ObjectSchema({{"size", Uint("bytes (default 0)")}, {"n", Int("how many (default 3)", 1)}}),
        ObjectSchema({{"backends", Json{{"type", "array"}}}}, {"backends"}), kReadOnly);
    t.handler = [&ctx](const Json& args, CallContext&) -> Result<ToolResult> {
      ASSIGN_OR_RETURN(Json arr, ops::RouteSuggestJson(ctx.index_dir, ArgInt(args, "size", 0),
                                                       static_cast<size_t>(ArgInt(args, "n", 3))));
      return ToolResult::Structured(Json{{"backends", std::move(arr)}});
    };
    reg.AddTool(std::move(t));
  }
  {
    Tool t = MakeTool(
        "route_stats", "Routing statistics",
        "Per backend: pins, bytes, state and latency, from the routing index.", ObjectSchema({}),
        ObjectSchema({{"generation", Uint("")}, {"backends", Json{{"type", "array"}}}},
                     {"backends"}),
        kReadOnly);
    t.handler = [&ctx](const Json&, CallContext&) -> Result<ToolResult> {
      return Structured(ops::RouteStatsJson(ctx.index_dir));
    };
    reg.AddTool(std::move(t));
  }
}

void RegisterIpfsResource(mcp::Registry& reg, ServerContext& ctx) {
  mcp::ResourceTemplate t;
  t.uri_template = "ipfs://{cid}";
  t.name = "ipfs";
  t.title = "IPFS content";
  t.description =
      "A file (its bytes: text when UTF-8, else a base64 blob) or directory (a JSON listing) "
      "by CID; ipfs://CID/path reaches inside directories. Verified block by block.";
  t.read = [&ctx](const std::string& uri, const std::map<std::string, std::string>&,
                  CallContext&) -> Result<std::vector<mcp::ResourceContent>> {
    std::string path = uri.substr(std::string("ipfs://").size());
    ASSIGN_OR_RETURN(ops::Content::Resolved resolved, ctx.content->Resolve(path));
    ASSIGN_OR_RETURN(Json stat, ctx.content->Stat(resolved));
    mcp::ResourceContent c;
    c.uri = uri;
    if (stat.value("type", "") == "directory") {
      ASSIGN_OR_RETURN(Json ls, ctx.content->Ls(resolved));
      c.mime_type = "application/json";
      c.text = ls.dump(-1, ' ', false, Json::error_handler_t::replace);
      return std::vector<mcp::ResourceContent>{c};
    }
    std::string data;
    RETURN_IF_ERROR(ctx.content->Cat(resolved, 0, std::nullopt, [&](ByteView b) -> Status {
      if (data.size() + b.size() > kMaxInlineBytes) {
        return Status::InvalidArgument("content is over 16 MiB; use ipfs_cat with offset/length");
      }
      data.append(AsString(b));
      return Status::Ok();
    }));
    c.mime_type = MimeTypeFor(path, data);
    if (IsValidUtf8(data)) {
      c.text = std::move(data);
    } else {
      c.blob = multiformats::Base64Encode(AsBytes(data));
    }
    return std::vector<mcp::ResourceContent>{c};
  };
  reg.AddResourceTemplate(std::move(t));
}

}  // namespace

void RegisterIpfsTools(mcp::Registry& registry, ServerContext& ctx) {
  RegisterContentTools(registry, ctx);
  RegisterManagementTools(registry, ctx);
  RegisterRoutingTools(registry, ctx);
  RegisterIpfsResource(registry, ctx);
}

}  // namespace ipfs_kit::mcp_server
