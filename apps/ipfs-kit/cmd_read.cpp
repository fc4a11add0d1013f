// `cat`, `get`, `ls`: read UnixFS content from the local repository, and
// when it is not there from the backends the routing index names (never
// through the daemon). Every block is verified against its CID before its
// bytes are used.
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "ipfs_kit/client/routed_blockstore.h"
#include "ipfs_kit/unixfs/exporter.h"

namespace ipfs_kit::cli {
namespace {

// The block source for one path argument: the local store, backed by the
// backends holding the path's root CID.
Result<std::unique_ptr<blockstore::Blockstore>> StoreFor(repo::Repo& repo,
                                                         const std::string& path) {
  std::string p = path;
  if (p.rfind("/ipfs/", 0) == 0) p = p.substr(6);
  auto root = multiformats::Cid::Parse(p.substr(0, p.find('/')));
  if (!root.ok())
    return client::OpenRoutedBlockstore(repo.path(), repo.blocks(), multiformats::Cid());
  return client::OpenRoutedBlockstore(repo.path(), repo.blocks(), *root);
}

Status RunCat(const std::vector<std::string>& paths, uint64_t offset,
              std::optional<uint64_t> length) {
  ASSIGN_OR_RETURN(auto repo, OpenRepo());
  Bytes buf;
  buf.reserve(1 << 20);
  for (const auto& p : paths) {
    ASSIGN_OR_RETURN(auto store, StoreFor(*repo, p));
    unixfs::Exporter ex(*store);
    ASSIGN_OR_RETURN(multiformats::Cid cid, ex.Resolve(p));
    RETURN_IF_ERROR(ex.Cat(cid, offset, length, [&](ByteView b) -> Status {
      // Small pieces are gathered; large ones go straight out (after what
      // was gathered), saving a copy.
      if (b.size() >= (64 << 10) || buf.size() + b.size() > (1 << 20)) {
        RETURN_IF_ERROR(WriteStdout(buf));
        buf.clear();
      }
      if (b.size() >= (64 << 10)) return WriteStdout(b);
      Append(buf, b);
      return Status::Ok();
    }));
  }
  return WriteStdout(buf);
}

Status RunGet(const std::string& path, std::string out) {
  ASSIGN_OR_RETURN(auto repo, OpenRepo());
  ASSIGN_OR_RETURN(auto store, StoreFor(*repo, path));
  unixfs::Exporter ex(*store);
  ASSIGN_OR_RETURN(multiformats::Cid cid, ex.Resolve(path));
  if (out.empty()) {
    // Kubo names the output after the last path component (or the CID).
    std::string p = path;
    while (!p.empty() && p.back() == '/') p.pop_back();
    out = p.substr(p.find_last_of('/') == std::string::npos ? 0 : p.find_last_of('/') + 1);
    RETURN_IF_ERROR(unixfs::ValidateEntryName(out));
  }
  RETURN_IF_ERROR(ex.Get(cid, out));
  return WriteStdout("Saving file(s) to " + out + "\n");
}

Status RunLs(const std::vector<std::string>& paths, bool json) {
  ASSIGN_OR_RETURN(auto repo, OpenRepo());
  for (const auto& p : paths) {
    ASSIGN_OR_RETURN(auto store, StoreFor(*repo, p));
    unixfs::Exporter ex(*store);
    ASSIGN_OR_RETURN(multiformats::Cid cid, ex.Resolve(p));
    ASSIGN_OR_RETURN(unixfs::NodeInfo info, ex.Stat(cid));
    std::vector<unixfs::DirEntry> entries;
    if (info.kind == unixfs::EntryKind::kDirectory) {
      ASSIGN_OR_RETURN(entries, ex.List(cid));
    }
    if (paths.size() > 1 && !json) RETURN_IF_ERROR(WriteStdout(p + ":\n"));
    nlohmann::json links = nlohmann::json::array();
    std::string text;
    for (const auto& e : entries) {
      ASSIGN_OR_RETURN(unixfs::NodeInfo ci, ex.Stat(e.cid));
      bool dir = ci.kind == unixfs::EntryKind::kDirectory;
      if (json) {
        links.push_back({{"Name", e.name},
                         {"Hash", e.cid.ToString()},
                         {"Size", ci.size},
                         {"Type", unixfs::EntryKindName(ci.kind)},
                         {"Target", ci.symlink_target}});
      } else {
        text += e.cid.ToString() + " " + (dir ? "-" : std::to_string(ci.size)) + " " + e.name +
                (dir ? "/" : "") + "\n";
      }
    }
    if (json) {
      text = nlohmann::json{{"Hash", cid.ToString()}, {"Links", links}}.dump() + "\n";
    } else if (paths.size() > 1) {
      text += "\n";
    }
    RETURN_IF_ERROR(WriteStdout(text));
  }
  return Status::Ok();
}

}  // namespace

void RegisterRead(CLI::App& app) {
  {
    struct F {
      std::vector<std::string> paths;
      int64_t offset = 0;
      int64_t length = 0;
      CLI::Option* length_opt = nullptr;
    };
    auto f = std::make_shared<F>();
    auto* cmd = app.add_subcommand("cat", "Write the bytes of a file (CID or CID/path) to stdout");
    cmd->add_option("paths", f->paths, "CID or CID/path")->required();
    cmd->add_option("-o,--offset", f->offset, "Byte offset to start at");
    f->length_opt = cmd->add_option("-l,--length", f->length, "Maximum number of bytes to write");
    SetAction(cmd, [f] {
      if (f->offset < 0) return Status::InvalidArgument("--offset must not be negative");
      std::optional<uint64_t> len;
      if (f->length_opt->count()) {
        if (f->length < 0) return Status::InvalidArgument("--length must not be negative");
        len = static_cast<uint64_t>(f->length);
      }
      return RunCat(f->paths, static_cast<uint64_t>(f->offset), len);
    });
  }
  {
    struct F {
      std::string path, out;
    };
    auto f = std::make_shared<F>();
    auto* cmd = app.add_subcommand("get", "Write a file or directory tree to disk");
    cmd->add_option("path", f->path, "CID or CID/path")->required();
    cmd->add_option("-o,--output", f->out,
                    "Output path (must not exist; default: the last path component)");
    SetAction(cmd, [f] { return RunGet(f->path, f->out); });
  }
  {
    struct F {
      std::vector<std::string> paths;
      bool json = false;
    };
    auto f = std::make_shared<F>();
    auto* cmd = app.add_subcommand("ls", "List a directory: <cid> <size> <name>");
    cmd->add_option("paths", f->paths, "CID or CID/path of a directory")->required();
    cmd->add_flag("--json", f->json, "JSON output");
    SetAction(cmd, [f] { return RunLs(f->paths, f->json); });
  }
}

}  // namespace ipfs_kit::cli
