#include "ipfs_kit/ops/content.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "ipfs_kit/car/car.h"
#include "ipfs_kit/client/pin_submit.h"
#include "ipfs_kit/client/routed_blockstore.h"
#include "ipfs_kit/unixfs/exporter.h"
#include "ipfs_kit/unixfs/importer.h"

namespace ipfs_kit::ops {
namespace {

using multiformats::Cid;
using nlohmann::json;

Result<unixfs::ImportOptions> ImportOptionsFor(const AddOptions& o) {
  unixfs::ImportOptions io;
  if (o.cid_version != 0 && o.cid_version != 1) {
    return Status::InvalidArgument("cid_version must be 0 or 1, not " +
                                   std::to_string(o.cid_version));
  }
  io.cid_version = o.cid_version;
  io.raw_leaves = o.cid_version == 1;
  if (!o.chunker.empty()) {
    ASSIGN_OR_RETURN(io.chunk_size, unixfs::ParseChunker(o.chunker));
  }
  io.wrap = o.wrap;
  io.recursive = true;
  return io;
}

// Closes a descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

json AddResult::ToJson() const {
  json j{{"cid", cid.ToString()}, {"size", size}};
  j["pinned"] = !pin_state.empty();
  if (!pin_state.empty()) j["pin_state"] = pin_state;
  return j;
}

Result<Cid> RootOf(std::string_view path) {
  std::string_view p = path;
  if (p.rfind("/ipfs/", 0) == 0) p.remove_prefix(6);
  auto root = Cid::Parse(p.substr(0, p.find('/')));
  if (!root.ok()) {
    return Status::InvalidArgument("'" + std::string(path.substr(0, 200)) +
                                   "' does not start with a CID: " + root.status().message());
  }
  return root;
}

Result<std::unique_ptr<Content>> Content::Open(const std::string& repo_path) {
  ASSIGN_OR_RETURN(auto repo, repo::Repo::Open(repo_path));
  return std::unique_ptr<Content>(new Content(std::move(repo)));
}

Result<AddResult> Content::Pin(AddResult r, const AddOptions& options) {
  RETURN_IF_ERROR(repo_->blocks().Sync());
  if (!options.pin) return r;
  RETURN_IF_ERROR(repo_->AddPin(r.cid, options.pin_name));
  ASSIGN_OR_RETURN(auto how,
                   client::SubmitPinOrSpool(repo_->path(), r.cid.ToString(), options.pin_name));
  r.pin_state = client::PinSubmissionName(how);
  return r;
}

Result<AddResult> Content::AddBytes(ByteView data, const AddOptions& options,
                                    const ProgressFn& progress) {
  ASSIGN_OR_RETURN(auto io, ImportOptionsFor(options));
  // The importer reads from a descriptor: an anonymous memory file holds the bytes.
  Fd f{::memfd_create("ipfs-kit-add", MFD_CLOEXEC)};
  if (f.fd < 0) return Status::IOError("memfd_create failed");
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(f.fd, data.data() + done, data.size() - done);
    if (n <= 0) return Status::IOError("writing the bytes to add failed");
    done += static_cast<size_t>(n);
  }
  if (::lseek(f.fd, 0, SEEK_SET) != 0) return Status::IOError("lseek failed");
  std::function<void(uint64_t)> on_bytes;
  if (progress) on_bytes = [&](uint64_t n) { progress(n, data.size()); };
  AddResult r;
  if (options.wrap) {
    return Status::InvalidArgument("wrap needs a named file; add a path instead");
  }
  ASSIGN_OR_RETURN(auto file, unixfs::ImportFile(f.fd, io, &repo_->blocks(), on_bytes));
  r.cid = file.cid;
  r.size = file.content;
  return Pin(std::move(r), options);
}

Result<AddResult> Content::AddPath(const std::string& path, const AddOptions& options,
                                   const ProgressFn& progress) {
  ASSIGN_OR_RETURN(auto io, ImportOptionsFor(options));
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) return Status::NotFound("no such file: " + path);
  uint64_t total = std::filesystem::is_regular_file(st) ? std::filesystem::file_size(path, ec) : 0;
  unixfs::ImportCallbacks cb;
  AddResult r;
  cb.on_entry = [&](const unixfs::AddedEntry& e) { r.size = e.size; };
  if (progress) cb.on_bytes = [&](uint64_t n) { progress(n, total); };
  unixfs::Importer importer(&repo_->blocks(), io, cb);
  RETURN_IF_ERROR(importer.AddPath(path));
  ASSIGN_OR_RETURN(r.cid, importer.Finish());
  return Pin(std::move(r), options);
}

Result<std::unique_ptr<blockstore::Blockstore>> Content::StoreFor(std::string_view path) {
  ASSIGN_OR_RETURN(Cid root, RootOf(path));
  return client::OpenRoutedBlockstore(repo_->path(), repo_->blocks(), root);
}

Result<Content::Resolved> Content::Resolve(std::string_view path) {
  Resolved r;
  ASSIGN_OR_RETURN(r.store, StoreFor(path));
  r.exporter = std::make_unique<unixfs::Exporter>(*r.store);
  ASSIGN_OR_RETURN(r.cid, r.exporter->Resolve(path));
  return r;
}

Status Content::Cat(std::string_view path, uint64_t offset, std::optional<uint64_t> length,
                    const std::function<Status(ByteView)>& sink) {
  ASSIGN_OR_RETURN(Resolved r, Resolve(path));
  return Cat(r, offset, length, sink);
}

Status Content::Cat(Resolved& r, uint64_t offset, std::optional<uint64_t> length,
                    const std::function<Status(ByteView)>& sink) {
  return r.exporter->Cat(r.cid, offset, length, sink);
}

Result<json> Content::Stat(std::string_view path) {
  ASSIGN_OR_RETURN(Resolved r, Resolve(path));
  return Stat(r);
}

Result<json> Content::Stat(Resolved& r) {
  unixfs::Exporter& ex = *r.exporter;
  const Cid& cid = r.cid;
  ASSIGN_OR_RETURN(unixfs::NodeInfo info, ex.Stat(cid));
  json j{{"cid", cid.ToString()}, {"type", unixfs::EntryKindName(info.kind)}, {"size", info.size}};
  ASSIGN_OR_RETURN(uint64_t block_size, r.store->Size(cid));
  j["block_size"] = block_size;
  if (info.mode) j["mode"] = *info.mode;
  if (info.mtime) j["mtime"] = info.mtime->seconds;
  if (info.kind == unixfs::EntryKind::kSymlink) j["target"] = info.symlink_target;
  if (info.kind == unixfs::EntryKind::kDirectory) {
    ASSIGN_OR_RETURN(auto entries, ex.List(cid));
    j["entries"] = entries.size();
  }
  return j;
}

Result<json> Content::Ls(std::string_view path) {
  ASSIGN_OR_RETURN(Resolved r, Resolve(path));
  return Ls(r);
}

Result<json> Content::Ls(Resolved& r) {
  unixfs::Exporter& ex = *r.exporter;
  const Cid& cid = r.cid;
  ASSIGN_OR_RETURN(unixfs::NodeInfo info, ex.Stat(cid));
  json entries = json::array();
  if (info.kind == unixfs::EntryKind::kDirectory) {
    ASSIGN_OR_RETURN(auto list, ex.List(cid));
    for (const auto& e : list) {
      json item{{"name", e.name}, {"cid", e.cid.ToString()}, {"tsize", e.tsize}};
      auto child = ex.Stat(e.cid);
      if (child.ok()) {
        item["type"] = unixfs::EntryKindName(child->kind);
        item["size"] = child->size;
      }
      entries.push_back(std::move(item));
    }
  } else {
    entries.push_back(json{{"name", ""},
                           {"cid", cid.ToString()},
                           {"type", unixfs::EntryKindName(info.kind)},
                           {"size", info.size}});
  }
  return json{{"cid", cid.ToString()},
              {"type", unixfs::EntryKindName(info.kind)},
              {"entries", std::move(entries)}};
}

Result<json> Content::Get(std::string_view path, const std::string& out_path) {
  if (out_path.empty()) return Status::InvalidArgument("an output path is required");
  ASSIGN_OR_RETURN(Resolved r, Resolve(path));
  RETURN_IF_ERROR(r.exporter->Get(r.cid, out_path));
  return json{{"cid", r.cid.ToString()}, {"path", out_path}};
}

Result<json> Content::CarExport(std::string_view path, const std::string& out_path) {
  if (out_path.empty()) return Status::InvalidArgument("an output path is required");
  std::error_code ec;
  if (std::filesystem::exists(out_path, ec)) {
    return Status::AlreadyExists("output file exists: " + out_path);
  }
  ASSIGN_OR_RETURN(Resolved r, Resolve(path));
  const Cid& cid = r.cid;
  blockstore::Blockstore* store = r.store.get();
  std::string tmp = out_path + ".tmp-" + std::to_string(::getpid());
  FILE* f = std::fopen(tmp.c_str(), "wbx");
  if (f == nullptr) return Status::IOError("cannot create " + tmp);
  auto fail = [&](Status s) {
    std::fclose(f);
    std::remove(tmp.c_str());
    return s;
  };
  auto writer = car::CarWriter::Create(f, {cid});
  if (!writer.ok()) return fail(writer.status());
  if (Status s = car::ExportDag(*store, cid, **writer); !s.ok()) return fail(s);
  if (Status s = (*writer)->Finish(); !s.ok()) return fail(s);
  if (std::fflush(f) != 0 || ::fsync(fileno(f)) != 0)
    return fail(Status::IOError("writing " + tmp));
  std::fclose(f);
  uint64_t size = std::filesystem::file_size(tmp, ec);
  if (::rename(tmp.c_str(), out_path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::IOError("cannot rename the CAR into " + out_path);
  }
  return json{{"root", cid.ToString()}, {"path", out_path}, {"bytes", size}};
}

Result<json> Content::CarImport(const std::string& car_path, bool pin) {
  ASSIGN_OR_RETURN(auto reader, car::CarReader::Open(car_path));
  uint64_t blocks = 0, bytes = 0;
  car::Block b;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, reader->Next(&b));
    if (!more) break;
    RETURN_IF_ERROR(repo_->blocks().Put(b.cid, b.data));
    ++blocks;
    bytes += b.data.size();
  }
  RETURN_IF_ERROR(repo_->blocks().Sync());
  json roots = json::array();
  for (const auto& r : reader->roots()) {
    json item{{"cid", r.ToString()}};
    if (pin) {
      ASSIGN_OR_RETURN(bool has, repo_->blocks().Has(r));
      if (!has) return Status::NotFound("root " + r.ToString() + " is not in the CAR; not pinned");
      RETURN_IF_ERROR(repo_->AddPin(r, ""));
      ASSIGN_OR_RETURN(auto how, client::SubmitPinOrSpool(repo_->path(), r.ToString(), ""));
      item["pin_state"] = client::PinSubmissionName(how);
    }
    roots.push_back(std::move(item));
  }
  return json{{"roots", std::move(roots)}, {"blocks", blocks}, {"bytes", bytes}};
}

}  // namespace ipfs_kit::ops
