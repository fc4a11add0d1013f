#include "ipfs_kit/vfs/vfs_json.h"

#include "ipfs_kit/vfs/path.h"

namespace ipfs_kit::vfs {

Json EntryJson(const EntryInfo& e) {
  return Json{{"path", SanitizeUtf8(e.path)},
              {"name", SanitizeUtf8(e.name)},
              {"cid", e.cid.ToString()},
              {"type", EntryTypeName(e.type)},
              {"size", e.size},
              {"cumulative_size", e.cumulative_size},
              {"blocks", e.blocks}};
}

Json CommitJson(const CommitRecord& c) {
  return Json{{"seq", c.seq},
              {"cid", c.cid.ToString()},
              {"time_ms", c.time_ms},
              {"message", SanitizeUtf8(c.message)},
              {"parent", c.parent ? Json(c.parent->ToString()) : Json(nullptr)}};
}

Json BucketJson(const BucketInfo& b) {
  return Json{{"name", b.name},
              {"root", b.root.ToString()},
              {"dirty", b.dirty},
              {"updated_ms", b.updated_ms},
              {"last_commit", b.last_commit ? CommitJson(*b.last_commit) : Json(nullptr)}};
}

Json ChangeJson(const Change& c) {
  Json j{{"root", c.root.ToString()}};
  if (c.entry) j["entry"] = EntryJson(*c.entry);
  return j;
}

Json PinJson(const PinOutcome& p) {
  return Json{{"cid", p.cid.ToString()},
              {"status", p.status},
              {"request_id", p.request_id},
              {"spooled", p.spooled}};
}

Json StatusJson(const std::vector<BucketInfo>& buckets) {
  Json list = Json::array();
  size_t dirty = 0;
  for (const auto& b : buckets) {
    list.push_back(BucketJson(b));
    if (b.dirty) ++dirty;
  }
  return Json{{"bucket_count", buckets.size()}, {"dirty_count", dirty}, {"buckets", list}};
}

namespace {

Json Object(Json properties, Json required) {
  return Json{
      {"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}

Json Str() { return Json{{"type", "string"}}; }
Json Int() { return Json{{"type", "integer"}, {"minimum", 0}}; }

}  // namespace

Json EntrySchema() {
  return Object(
      {{"path", Str()},
       {"name", Str()},
       {"cid", Str()},
       {"type", {{"type", "string"}, {"enum", {"file", "directory", "symlink", "other"}}}},
       {"size", Int()},
       {"cumulative_size", Int()},
       {"blocks", Int()}},
      {"path", "name", "cid", "type", "size", "cumulative_size", "blocks"});
}

Json CommitSchema() {
  return Object({{"seq", Int()},
                 {"cid", Str()},
                 {"time_ms", {{"type", "integer"}}},
                 {"message", Str()},
                 {"parent", {{"type", {"string", "null"}}}}},
                {"seq", "cid", "time_ms", "message", "parent"});
}

Json BucketSchema() {
  Json last = CommitSchema();
  last["type"] = {"object", "null"};
  return Object({{"name", Str()},
                 {"root", Str()},
                 {"dirty", {{"type", "boolean"}}},
                 {"updated_ms", {{"type", "integer"}}},
                 {"last_commit", last}},
                {"name", "root", "dirty", "updated_ms", "last_commit"});
}

Json ChangeSchema() { return Object({{"root", Str()}, {"entry", EntrySchema()}}, {"root"}); }

Json PinSchema() {
  return Object({{"cid", Str()},
                 {"status", Str()},
                 {"request_id", Str()},
                 {"spooled", {{"type", "boolean"}}}},
                {"cid", "status", "request_id", "spooled"});
}

std::string DumpJson(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace ipfs_kit::vfs
