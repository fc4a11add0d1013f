// /api/vfs/...: a pure function of the request and the Vfs (the endpoint
// table is in vfs_api.h). Long bodies are produced on a detached thread into
// a BodyStream; the thread holds a shared_ptr to the Vfs, so it may outlive
// the server's handle, and stops when the client goes (Write fails).
#include "ipfs_kit/vfs/vfs_api.h"

#include <stdio.h>

#include <array>
#include <charconv>
#include <thread>
#include <vector>

#include "ipfs_kit/vfs/path.h"
#include "ipfs_kit/vfs/vfs_json.h"

namespace ipfs_kit::vfs {
namespace {

constexpr std::array<std::string_view, 12> kOperations = {
    "ls", "stat", "read", "write", "mkdir", "rm", "mv", "cp", "commit", "history", "export", "pin"};

constexpr size_t kStreamChunk = 256 * 1024;

http::Response Error(int status, const std::string& reason, const std::string& details) {
  return http::Response::Json(
      status, DumpJson(Json{{"error", {{"reason", reason}, {"details", details}}}}) + "\n");
}

http::Response ErrorFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kUnsupported:
      return Error(400, "BAD_REQUEST", s.message());
    case StatusCode::kNotFound:
      return Error(404, "NOT_FOUND", s.message());
    case StatusCode::kAlreadyExists:
      return Error(409, "CONFLICT", s.message());
    case StatusCode::kUnavailable:
      return Error(503,
                   s.message().find("daemon unavailable") != std::string::npos
                       ? "DAEMON_UNAVAILABLE"
                       : "SERVICE_UNAVAILABLE",
                   s.message());
    case StatusCode::kPermissionDenied:
      return Error(502, "BAD_GATEWAY", s.message());
    default:
      return Error(500, "INTERNAL_SERVER_ERROR", s.message());
  }
}

http::Response JsonAnswer(int status, const Json& body) {
  return http::Response::Json(status, DumpJson(body) + "\n");
}

bool IsGet(const http::Request& r) { return r.method == "GET" || r.method == "HEAD"; }

http::Response NotAllowed(const http::Request& r, const std::string& allow) {
  http::Response resp =
      Error(405, "METHOD_NOT_ALLOWED",
            r.method + " is not allowed on " + r.path + " (allowed: " + allow + ")");
  resp.Set("Allow", allow);
  return resp;
}

Result<std::optional<uint64_t>> UintParam(const http::Request& r, std::string_view name) {
  auto v = r.Query(name);
  if (!v) return std::optional<uint64_t>();
  uint64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (v->empty() || ec != std::errc() || end != v->data() + v->size()) {
    return Status::InvalidArgument("parameter " + std::string(name) +
                                   " must be a non-negative integer");
  }
  return std::optional<uint64_t>(out);
}

Result<bool> BoolParam(const http::Request& r, std::string_view name, bool fallback) {
  auto v = r.Query(name);
  if (!v) return fallback;
  if (*v == "" || *v == "1" || *v == "true" || *v == "yes") return true;
  if (*v == "0" || *v == "false" || *v == "no") return false;
  return Status::InvalidArgument("parameter " + std::string(name) + " must be true or false");
}

Result<std::string> RequiredParam(const http::Request& r, std::string_view name) {
  auto v = r.Query(name);
  if (!v) return Status::InvalidArgument("missing parameter " + std::string(name));
  return std::string(*v);
}

// A JSON body's string member, or the query parameter of the same name.
Result<std::string> BodyOrQuery(const http::Request& r, const std::string& name) {
  if (auto q = r.Query(name)) return std::string(*q);
  if (r.body.empty()) return std::string();
  Json j = Json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("body must be a JSON object");
  }
  if (!j.contains(name)) return std::string();
  if (!j[name].is_string()) return Status::InvalidArgument(name + " must be a string");
  return j[name].get<std::string>();
}

// A FILE* whose writes become chunks of a BodyStream (glibc fopencookie).
FILE* OpenStreamFile(http::BodyStream* stream) {
  cookie_io_functions_t fns{};
  fns.write = [](void* cookie, const char* buf, size_t n) -> ssize_t {
    auto* s = static_cast<http::BodyStream*>(cookie);
    return s->Write(std::string(buf, n)) ? static_cast<ssize_t>(n) : 0;  // 0: error
  };
  FILE* f = ::fopencookie(stream, "w", fns);
  if (f) ::setvbuf(f, nullptr, _IOFBF, kStreamChunk);
  return f;
}

// Runs `produce` on its own thread writing into a new BodyStream.
std::shared_ptr<http::BodyStream> StartStream(std::function<Status(http::BodyStream&)> produce) {
  auto stream = std::make_shared<http::BodyStream>();
  std::thread([stream, produce = std::move(produce)] {
    Status s = produce(*stream);
    if (s.ok()) {
      stream->Close();
    } else {
      stream->Abort();  // the head is sent: a truncated body is the only signal left
    }
  }).detach();
  return stream;
}

// ---- bucket collection and bucket

http::Response Buckets(Vfs& vfs, const http::Request& r) {
  if (IsGet(r)) {
    auto list = vfs.ListBuckets();
    if (!list.ok()) return ErrorFor(list.status());
    Json arr = Json::array();
    for (const auto& b : *list) arr.push_back(BucketJson(b));
    return JsonAnswer(200, Json{{"buckets", arr}});
  }
  if (r.method == "POST") {
    auto name = BodyOrQuery(r, "name");
    if (!name.ok()) return ErrorFor(name.status());
    if (name->empty())
      return Error(400, "BAD_REQUEST", "missing bucket name (?name= or {\"name\"})");
    auto b = vfs.CreateBucket(*name);
    if (!b.ok()) return ErrorFor(b.status());
    return JsonAnswer(201, BucketJson(*b));
  }
  return NotAllowed(r, "GET, POST");
}

http::Response Bucket(Vfs& vfs, const http::Request& r, const std::string& bucket) {
  if (IsGet(r)) {
    auto b = vfs.GetBucket(bucket);
    if (!b.ok()) return ErrorFor(b.status());
    return JsonAnswer(200, BucketJson(*b));
  }
  if (r.method == "POST") {
    auto b = vfs.CreateBucket(bucket);
    if (!b.ok()) return ErrorFor(b.status());
    return JsonAnswer(201, BucketJson(*b));
  }
  if (r.method == "DELETE") {
    Status s = vfs.DeleteBucket(bucket);
    if (!s.ok()) return ErrorFor(s);
    return JsonAnswer(200, Json{{"deleted", bucket}});
  }
  return NotAllowed(r, "GET, POST, DELETE");
}

// ---- operations

http::Response Read(const std::shared_ptr<Vfs>& vfs, const http::Request& r,
                    const std::string& bucket) {
  auto path = RequiredParam(r, "path");
  if (!path.ok()) return ErrorFor(path.status());
  auto offset = UintParam(r, "offset");
  if (!offset.ok()) return ErrorFor(offset.status());
  auto length = UintParam(r, "length");
  if (!length.ok()) return ErrorFor(length.status());
  // Checked first so that errors get their status, not a truncated body.
  auto st = vfs->Stat(bucket, *path);
  if (!st.ok()) return ErrorFor(st.status());
  if (st->type != EntryType::kFile) {
    return Error(400, "BAD_REQUEST",
                 st->path + " is a " + EntryTypeName(st->type) + ", not a file");
  }
  const uint64_t from = offset->value_or(0);
  if (from > st->size) {
    return Error(400, "BAD_REQUEST",
                 "offset " + std::to_string(from) + " is past the end of " + st->path + " (" +
                     std::to_string(st->size) + " bytes)");
  }
  const uint64_t want = std::min(st->size - from, length->value_or(UINT64_MAX));
  http::Response resp;
  resp.status = 200;
  resp.Set("Content-Type", "application/octet-stream");
  resp.Set("ETag", "\"" + st->cid.ToString() + "\"");
  resp.Set("X-Ipfs-Kit-Cid", st->cid.ToString());
  if (r.method == "HEAD") return resp;
  if (want <= kMaxInlineBytes) {
    Status s = vfs->Read(bucket, *path, from, want, [&](ByteView b) {
      resp.body.append(AsString(b));
      return Status::Ok();
    });
    if (!s.ok()) return ErrorFor(s);
    return resp;
  }
  resp.stream = StartStream([vfs, bucket, p = *path, from, want](http::BodyStream& out) {
    return vfs->Read(bucket, p, from, want, [&out](ByteView b) {
      for (size_t off = 0; off < b.size(); off += kStreamChunk) {
        size_t n = std::min(kStreamChunk, b.size() - off);
        if (!out.Write(std::string(AsString(b.subspan(off, n))))) {
          return Status::Unavailable("client went away");
        }
      }
      return Status::Ok();
    });
  });
  return resp;
}

http::Response Export(const std::shared_ptr<Vfs>& vfs, const http::Request& r,
                      const std::string& bucket) {
  std::string ref(r.Query("root").value_or(""));
  auto root = vfs->ExportRoot(bucket, ref);
  if (!root.ok()) return ErrorFor(root.status());
  auto have = vfs->repo().blocks().Has(*root);
  if (!have.ok()) return ErrorFor(have.status());
  if (!*have) return Error(404, "NOT_FOUND", "root block " + root->ToString() + " is not stored");
  http::Response resp;
  resp.status = 200;
  resp.Set("Content-Type", "application/vnd.ipld.car; version=1");
  resp.Set("Content-Disposition",
           "attachment; filename=\"" + bucket + "-" + root->ToString() + ".car\"");
  resp.Set("X-Ipfs-Kit-Cid", root->ToString());
  if (r.method == "HEAD") return resp;
  resp.stream = StartStream([vfs, cid = *root](http::BodyStream& out) -> Status {
    FILE* f = OpenStreamFile(&out);
    if (!f) return Status::IOError("fopencookie failed");
    Status s = vfs->ExportCar(cid, f);
    if (std::fclose(f) != 0 && s.ok()) s = Status::IOError("client went away");
    return s;
  });
  return resp;
}

http::Response Operation(const std::shared_ptr<Vfs>& vfs, const http::Request& r,
                         const std::string& bucket, const std::string& op) {
  auto fail = [](const Status& s) { return ErrorFor(s); };
  auto change = [&](const Result<Change>& c, int status) {
    return c.ok() ? JsonAnswer(status, ChangeJson(*c)) : fail(c.status());
  };
  const bool get = IsGet(r), post = r.method == "POST";
  if (op == "ls" || op == "stat" || op == "history") {
    if (!get) return NotAllowed(r, "GET, HEAD");
    if (op == "history") {
      auto limit = UintParam(r, "limit");
      if (!limit.ok()) return fail(limit.status());
      auto h = vfs->History(bucket, limit->value_or(0));
      if (!h.ok()) return fail(h.status());
      Json arr = Json::array();
      for (const auto& c : *h) arr.push_back(CommitJson(c));
      return JsonAnswer(200, Json{{"bucket", bucket}, {"commits", arr}});
    }
    std::string path(r.Query("path").value_or("/"));
    if (op == "stat") {
      auto st = vfs->Stat(bucket, path);
      return st.ok() ? JsonAnswer(200, EntryJson(*st)) : fail(st.status());
    }
    auto ls = vfs->Ls(bucket, path);
    if (!ls.ok()) return fail(ls.status());
    Json arr = Json::array();
    for (const auto& e : *ls) arr.push_back(EntryJson(e));
    return JsonAnswer(200, Json{{"bucket", bucket}, {"path", path}, {"entries", arr}});
  }
  if (op == "read") return get ? Read(vfs, r, bucket) : NotAllowed(r, "GET, HEAD");
  if (op == "export") return get ? Export(vfs, r, bucket) : NotAllowed(r, "GET, HEAD");
  if (op == "write") {
    if (!post && r.method != "PUT") return NotAllowed(r, "PUT, POST");
    auto path = RequiredParam(r, "path");
    if (!path.ok()) return fail(path.status());
    WriteOptions o;
    auto parents = BoolParam(r, "parents", false);
    auto create = BoolParam(r, "create", true);
    auto append = BoolParam(r, "append", false);
    auto truncate = BoolParam(r, "truncate", false);
    auto offset = UintParam(r, "offset");
    for (const Status* s : {&parents.status(), &create.status(), &append.status(),
                            &truncate.status(), &offset.status()}) {
      if (!s->ok()) return fail(*s);
    }
    o.parents = *parents;
    o.create = *create;
    o.append = *append;
    o.truncate = *truncate;
    o.offset = *offset;
    return change(vfs->Write(bucket, *path, WriteSource::FromBytes(AsBytes(r.body)), o), 200);
  }
  if (op == "mkdir") {
    if (!post) return NotAllowed(r, "POST");
    auto path = RequiredParam(r, "path");
    if (!path.ok()) return fail(path.status());
    auto parents = BoolParam(r, "parents", false);
    if (!parents.ok()) return fail(parents.status());
    return change(vfs->Mkdir(bucket, *path, *parents), 201);
  }
  if (op == "rm") {
    if (!post && r.method != "DELETE") return NotAllowed(r, "POST, DELETE");
    auto path = RequiredParam(r, "path");
    if (!path.ok()) return fail(path.status());
    auto recursive = BoolParam(r, "recursive", false);
    if (!recursive.ok()) return fail(recursive.status());
    return change(vfs->Rm(bucket, *path, *recursive), 200);
  }
  if (op == "mv" || op == "cp") {
    if (!post) return NotAllowed(r, "POST");
    auto from = RequiredParam(r, "from");
    if (!from.ok()) return fail(from.status());
    auto to = RequiredParam(r, "to");
    if (!to.ok()) return fail(to.status());
    if (op == "mv") return change(vfs->Mv(bucket, *from, *to), 200);
    auto parents = BoolParam(r, "parents", false);
    if (!parents.ok()) return fail(parents.status());
    return change(vfs->Cp(bucket, *from, *to, *parents), 201);
  }
  if (op == "commit") {
    if (!post) return NotAllowed(r, "POST");
    auto message = BodyOrQuery(r, "message");
    if (!message.ok()) return fail(message.status());
    auto c = vfs->Commit(bucket, *message);
    if (!c.ok()) return fail(c.status());
    return JsonAnswer(c->created ? 201 : 200,
                      Json{{"commit", CommitJson(c->commit)}, {"created", c->created}});
  }
  if (op == "pin") {
    if (!post) return NotAllowed(r, "POST");
    auto spool = BoolParam(r, "spool", false);
    if (!spool.ok()) return fail(spool.status());
    std::string name(r.Query("name").value_or(""));
    auto p = vfs->Pin(bucket, name, *spool ? PinWhenDown::kSpool : PinWhenDown::kFail);
    if (!p.ok()) return fail(p.status());
    return JsonAnswer(p->spooled ? 202 : 200, PinJson(*p));
  }
  return Error(404, "NOT_FOUND", "no such VFS operation: " + op);
}

}  // namespace

Result<VfsApiRoute> ParseVfsApiPath(std::string_view path) {
  constexpr std::string_view kPrefix = "/api/vfs";
  if (path.substr(0, kPrefix.size()) != kPrefix ||
      (path.size() > kPrefix.size() && path[kPrefix.size()] != '/')) {
    return Status::NotFound("not a VFS endpoint");
  }
  std::string_view rest = path.substr(kPrefix.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);  // one trailing slash
  std::vector<std::string_view> parts;
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the '/'
    size_t slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    if (parts.size() > 4)
      return Status::NotFound("no VFS endpoint " + std::string(path.substr(0, 200)));
  }
  VfsApiRoute route;
  if (parts.size() == 1 && parts[0] == "status") return route;
  if (parts.empty() || parts[0] != "buckets") {
    return Status::NotFound("no VFS endpoint " + std::string(path.substr(0, 200)));
  }
  if (parts.size() == 1) {
    route.kind = VfsApiRoute::Kind::kBuckets;
    return route;
  }
  RETURN_IF_ERROR(ValidateBucketName(parts[1]));
  route.bucket = std::string(parts[1]);
  if (parts.size() == 2) {
    route.kind = VfsApiRoute::Kind::kBucket;
    return route;
  }
  if (parts.size() == 3) {
    for (std::string_view op : kOperations) {
      if (parts[2] == op) {
        route.kind = VfsApiRoute::Kind::kOperation;
        route.operation = std::string(op);
        return route;
      }
    }
  }
  return Status::NotFound("no VFS endpoint " + std::string(path.substr(0, 200)) +
                          " (operations: ls, stat, read, write, mkdir, rm, mv, cp, commit, "
                          "history, export, pin)");
}

Result<nlohmann::json> VfsStatusJson(Vfs& vfs) {
  ASSIGN_OR_RETURN(std::vector<BucketInfo> buckets, vfs.ListBuckets());
  return StatusJson(buckets);
}

void HandleVfsApi(const std::shared_ptr<Vfs>& vfs, const http::Request& request,
                  http::Response* response) {
  auto route = ParseVfsApiPath(request.path);
  if (!route.ok()) {
    *response = ErrorFor(route.status());
    return;
  }
  switch (route->kind) {
    case VfsApiRoute::Kind::kStatus: {
      if (!IsGet(request)) {
        *response = NotAllowed(request, "GET, HEAD");
        return;
      }
      auto j = VfsStatusJson(*vfs);
      *response = j.ok() ? JsonAnswer(200, *j) : ErrorFor(j.status());
      return;
    }
    case VfsApiRoute::Kind::kBuckets:
      *response = Buckets(*vfs, request);
      return;
    case VfsApiRoute::Kind::kBucket:
      *response = Bucket(*vfs, request, route->bucket);
      return;
    case VfsApiRoute::Kind::kOperation:
      *response = Operation(vfs, request, route->bucket, route->operation);
      return;
  }
}

}  // namespace ipfs_kit::vfs
