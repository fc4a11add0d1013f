// `block get|put|stat|rm`: raw block access, as `ipfs block`.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "ipfs_kit/dagpb/dag_pb.h"

namespace ipfs_kit::cli {
namespace {

// Reads a whole input ('-' = stdin) up to the block size limit.
Result<Bytes> ReadInput(const std::string& path) {
  int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  Bytes out;
  uint8_t buf[65536];
  Status st;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      st = Status::IOError("read " + path + ": " + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
    if (out.size() > blockstore::kMaxBlockSize) {
      st = Status::InvalidArgument(path + ": block larger than the 2 MiB limit");
      break;
    }
  }
  if (fd != STDIN_FILENO) ::close(fd);
  if (!st.ok()) return st;
  return out;
}

}  // namespace

void RegisterBlock(CLI::App& app) {
  auto* block = app.add_subcommand("block", "Raw block operations");
  block->require_subcommand(1);
  {
    auto cid = std::make_shared<std::string>();
    auto* cmd = block->add_subcommand("get", "Write a block's bytes (verified) to stdout");
    cmd->add_option("cid", *cid, "CID of the block")->required();
    SetAction(cmd, [cid] {
      ASSIGN_OR_RETURN(auto c, multiformats::Cid::Parse(*cid));
      ASSIGN_OR_RETURN(auto repo, OpenRepo());
      ASSIGN_OR_RETURN(Bytes b, blockstore::GetVerified(repo->blocks(), c));
      return WriteStdout(b);
    });
  }
  {
    struct F {
      std::vector<std::string> files;
      std::string codec = "raw", mhtype = "sha2-256";
      int version = 1;
      bool pin = false;
    };
    auto f = std::make_shared<F>();
    auto* cmd = block->add_subcommand("put", "Store files (or stdin) as single blocks; print CIDs");
    cmd->add_option("files", f->files, "Files to store; '-' or nothing reads stdin");
    cmd->add_option("--cid-codec", f->codec,
                    "Codec of the CID: raw (default), dag-pb, dag-cbor, dag-json");
    cmd->add_option("--mhtype", f->mhtype, "Multihash: sha2-256 (default), sha2-512, identity");
    cmd->add_option("--cid-version", f->version, "CID version (dag-pb with sha2-256 may use 0)");
    cmd->add_flag("--pin", f->pin, "Pin the block locally");
    SetAction(cmd, [f]() -> Status {
      ASSIGN_OR_RETURN(uint64_t codec, multiformats::CodecFromName(f->codec));
      ASSIGN_OR_RETURN(uint64_t mh, multiformats::MultihashCodeFromName(f->mhtype));
      if (f->version != 0 && f->version != 1)
        return Status::InvalidArgument("--cid-version must be 0 or 1");
      if (f->files.empty()) f->files.push_back("-");
      ASSIGN_OR_RETURN(auto repo, OpenRepo());
      for (const auto& path : f->files) {
        ASSIGN_OR_RETURN(Bytes data, ReadInput(path));
        if (codec == multiformats::kCodecDagPb) {
          // A dag-pb CID must name dag-pb bytes, or readers fail on it later.
          auto node = dagpb::Decode(data);
          if (!node.ok()) return node.status().WithContext(path + " is not valid dag-pb");
        }
        ASSIGN_OR_RETURN(multiformats::Multihash h, multiformats::ComputeMultihash(mh, data));
        multiformats::Cid cid(1, codec, h);
        if (f->version == 0) {
          ASSIGN_OR_RETURN(cid, cid.ToV0());
        }
        RETURN_IF_ERROR(repo->blocks().Put(cid, data));
        RETURN_IF_ERROR(repo->blocks().Sync());
        if (f->pin) RETURN_IF_ERROR(repo->AddPin(cid, ""));
        RETURN_IF_ERROR(WriteStdout(cid.ToString() + "\n"));
      }
      return Status::Ok();
    });
  }
  {
    struct F {
      std::string cid;
      bool json = false;
    };
    auto f = std::make_shared<F>();
    auto* cmd = block->add_subcommand("stat", "Print a block's CID and size");
    cmd->add_option("cid", f->cid, "CID of the block")->required();
    cmd->add_flag("--json", f->json, "JSON output");
    SetAction(cmd, [f]() -> Status {
      ASSIGN_OR_RETURN(auto c, multiformats::Cid::Parse(f->cid));
      ASSIGN_OR_RETURN(auto repo, OpenRepo());
      ASSIGN_OR_RETURN(Bytes b, blockstore::GetVerified(repo->blocks(), c));
      if (f->json) {
        return WriteStdout(nlohmann::json{{"Key", c.ToString()}, {"Size", b.size()}}.dump() + "\n");
      }
      return WriteStdout("Key: " + c.ToString() + "\nSize: " + std::to_string(b.size()) + "\n");
    });
  }
  {
    struct F {
      std::vector<std::string> cids;
      bool force = false, quiet = false;
    };
    auto f = std::make_shared<F>();
    auto* cmd = block->add_subcommand("rm", "Remove blocks from the local store");
    cmd->add_option("cids", f->cids, "CIDs of the blocks")->required();
    cmd->add_flag("-f,--force", f->force, "Ignore blocks that do not exist");
    cmd->add_flag("-q,--quiet", f->quiet, "Print nothing on success");
    SetAction(cmd, [f]() -> Status {
      ASSIGN_OR_RETURN(auto repo, OpenRepo());
      Status first;
      for (const auto& s : f->cids) {
        ASSIGN_OR_RETURN(auto c, multiformats::Cid::Parse(s));
        Status st = repo->blocks().Delete(c);
        if (st.code() == StatusCode::kNotFound && f->force) continue;
        if (!st.ok()) {
          if (first.ok()) first = st;
          std::fprintf(stderr, "cannot remove %s: %s\n", s.c_str(), st.message().c_str());
          continue;
        }
        if (!f->quiet) RETURN_IF_ERROR(WriteStdout("removed " + c.ToString() + "\n"));
      }
      return first;
    });
  }
}

}  // namespace ipfs_kit::cli
