// `ipfs-kit vfs ...`: VFS buckets (docs/vfs.md). Argument parsing and output
// only; the work is vfs::Vfs. Changes print the bucket's new root CID (or
// JSON with --json); `pin` spools the request when the daemon is down, as
// `add` does.
#include <unistd.h>

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "ipfs_kit/vfs/vfs.h"
#include "ipfs_kit/vfs/vfs_json.h"

namespace ipfs_kit::cli {
namespace {

struct VfsFlags {
  std::string bucket, path, from, to, message, local, root, out, name;
  bool json = false, parents = false, recursive = false, append = false, truncate = false;
  bool no_create = false, force = false, no_spool = false, long_list = false;
  uint64_t offset = 0, length = 0, limit = 0;
  CLI::Option *offset_opt = nullptr, *length_opt = nullptr;
};

Result<std::unique_ptr<vfs::Vfs>> OpenVfs() { return vfs::Vfs::Open(RepoPath()); }

Status PrintJson(const nlohmann::json& j) { return WriteStdout(vfs::DumpJson(j) + "\n"); }

Status PrintChange(const Result<vfs::Change>& c, const VfsFlags& f) {
  if (!c.ok()) return c.status();
  if (f.json) return PrintJson(vfs::ChangeJson(*c));
  return WriteStdout(c->root.ToString() + "\n");
}

std::string FormatTime(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string BucketLine(const vfs::BucketInfo& b) {
  std::string last = b.last_commit ? "commit #" + std::to_string(b.last_commit->seq) + " " +
                                         FormatTime(b.last_commit->time_ms)
                                   : "no commit";
  return b.name + "  " + b.root.ToString() + "  " + (b.dirty ? "dirty" : "clean") + "  " + last +
         "\n";
}

Status BucketList(bool as_json, bool summary) {
  ASSIGN_OR_RETURN(auto v, OpenVfs());
  ASSIGN_OR_RETURN(std::vector<vfs::BucketInfo> list, v->ListBuckets());
  if (as_json) {
    if (summary) return PrintJson(vfs::StatusJson(list));
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& b : list) arr.push_back(vfs::BucketJson(b));
    return PrintJson(nlohmann::json{{"buckets", arr}});
  }
  std::string out;
  for (const auto& b : list) out += BucketLine(b);
  if (summary && list.empty()) out = "no buckets\n";
  return WriteStdout(out);
}

Status Write(const VfsFlags& f) {
  ASSIGN_OR_RETURN(auto v, OpenVfs());
  vfs::WriteOptions o;
  o.parents = f.parents;
  o.create = !f.no_create;
  o.append = f.append;
  o.truncate = f.truncate;
  if (f.offset_opt->count()) o.offset = f.offset;
  vfs::WriteSource src = f.local.empty() || f.local == "-"
                             ? vfs::WriteSource::FromFd(STDIN_FILENO)
                             : vfs::WriteSource::FromLocalPath(f.local);
  return PrintChange(v->Write(f.bucket, f.path, src, o), f);
}

Status Read(const VfsFlags& f) {
  ASSIGN_OR_RETURN(auto v, OpenVfs());
  std::optional<uint64_t> length;
  if (f.length_opt->count()) length = f.length;
  return v->Read(f.bucket, f.path, f.offset, length, [](ByteView b) { return WriteStdout(b); });
}

Status Ls(const VfsFlags& f) {
  ASSIGN_OR_RETURN(auto v, OpenVfs());
  ASSIGN_OR_RETURN(std::vector<vfs::EntryInfo> entries, v->Ls(f.bucket, f.path));
  if (f.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& e : entries) arr.push_back(vfs::EntryJson(e));
    return PrintJson(nlohmann::json{{"entries", arr}});
  }
  std::string out;
  for (const auto& e : entries) {
    if (f.long_list) {
      out += std::string(vfs::EntryTypeName(e.type)) + "\t" + std::to_string(e.size) + "\t" +
             e.cid.ToString() + "\t";
    }
    out += e.name + (e.type == vfs::EntryType::kDirectory ? "/" : "") + "\n";
  }
  return WriteStdout(out);
}

Status Stat(const VfsFlags& f) {
  ASSIGN_OR_RETURN(auto v, OpenVfs());
  ASSIGN_OR_RETURN(vfs::EntryInfo e, v->Stat(f.bucket, f.path));
  if (f.json) return PrintJson(vfs::EntryJson(e));
  // The shape of Kubo's `ipfs files stat`.
  return WriteStdout(e.cid.ToString() + "\nSize: " + std::to_string(e.size) +
                     "\nCumulativeSize: " + std::to_string(e.cumulative_size) + "\nChildBlocks: " +
                     std::to_string(e.blocks) + "\nType: " + vfs::EntryTypeName(e.type) + "\n");
}

Status Commit(const VfsFlags& f) {
  ASSIGN_OR_RETURN(auto v, OpenVfs());
  ASSIGN_OR_RETURN(vfs::CommitOutcome c, v->Commit(f.bucket, f.message));
  if (f.json) {
    return PrintJson(nlohmann::json{{"commit", vfs::CommitJson(c.commit)}, {"created", c.created}});
  }
  if (!c.created) std::cerr << "nothing changed since commit #" << c.commit.seq << "\n";
  return WriteStdout(c.commit.cid.ToString() + "\n");
}

Status History(const VfsFlags& f) {
  ASSIGN_OR_RETURN(auto v, OpenVfs());
  ASSIGN_OR_RETURN(std::vector<vfs::CommitRecord> h, v->History(f.bucket, f.limit));
  if (f.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& c : h) arr.push_back(vfs::CommitJson(c));
    return PrintJson(nlohmann::json{{"commits", arr}});
  }
  std::string out;
  for (const auto& c : h) {
    out += "#" + std::to_string(c.seq) + "  " + FormatTime(c.time_ms) + "  " + c.cid.ToString() +
           (c.message.empty() ? "" : "  " + c.message) + "\n";
  }
  return WriteStdout(out);
}

Status Export(const VfsFlags& f) {
  ASSIGN_OR_RETURN(auto v, OpenVfs());
  ASSIGN_OR_RETURN(multiformats::Cid root, v->ExportRoot(f.bucket, f.root));
  if (f.out == "-") {
    if (::isatty(STDOUT_FILENO)) {
      return Status::InvalidArgument("refusing to write a CAR to a terminal: use -o FILE");
    }
    RETURN_IF_ERROR(v->ExportCar(root, stdout));
    return std::fflush(stdout) == 0 ? Status::Ok() : Status::IOError("cannot write to stdout");
  }
  RETURN_IF_ERROR(v->ExportCarToFile(root, f.out, f.force));
  if (f.json) return PrintJson(nlohmann::json{{"root", root.ToString()}, {"output_path", f.out}});
  return WriteStdout(root.ToString() + "\n");
}

Status Pin(const VfsFlags& f) {
  ASSIGN_OR_RETURN(auto v, OpenVfs());
  ASSIGN_OR_RETURN(
      vfs::PinOutcome p,
      v->Pin(f.bucket, f.name, f.no_spool ? vfs::PinWhenDown::kFail : vfs::PinWhenDown::kSpool));
  if (f.json) return PrintJson(vfs::PinJson(p));
  if (p.spooled) {
    std::cerr << "daemon unavailable: the pin is spooled and taken in when the daemon starts\n";
  }
  return WriteStdout(p.cid.ToString() + "  " + p.status + "\n");
}

}  // namespace

void RegisterVfs(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "vfs", "VFS buckets: named mutable UnixFS trees with commits (like `ipfs files`)");
  cmd->require_subcommand(1);
  auto f = std::make_shared<VfsFlags>();
  auto json_flag = [f](CLI::App* c) { c->add_flag("--json", f->json, "JSON output"); };
  auto bucket_arg = [f](CLI::App* c) {
    c->add_option("bucket", f->bucket, "Bucket name")->required();
  };
  auto path_arg = [f](CLI::App* c, bool required) {
    auto* o = c->add_option("path", f->path, "Absolute path in the bucket (/a/b)");
    if (required) {
      o->required();
    } else {
      f->path = "/";
    }
  };

  auto* bucket = cmd->add_subcommand("bucket", "Create, list or remove buckets");
  bucket->require_subcommand(1);
  auto* create = bucket->add_subcommand("create", "Create an empty bucket");
  bucket_arg(create);
  json_flag(create);
  SetAction(create, [f]() -> Status {
    ASSIGN_OR_RETURN(auto v, OpenVfs());
    ASSIGN_OR_RETURN(vfs::BucketInfo b, v->CreateBucket(f->bucket));
    return f->json ? PrintJson(vfs::BucketJson(b)) : WriteStdout(b.root.ToString() + "\n");
  });
  auto* bls = bucket->add_subcommand("ls", "List buckets: name, root, dirty/clean, last commit");
  json_flag(bls);
  SetAction(bls, [f] { return BucketList(f->json, false); });
  auto* brm = bucket->add_subcommand("rm", "Remove a bucket (its root and history; blocks stay)");
  bucket_arg(brm);
  SetAction(brm, [f]() -> Status {
    ASSIGN_OR_RETURN(auto v, OpenVfs());
    return v->DeleteBucket(f->bucket);
  });
  auto* status = cmd->add_subcommand("status", "Summary of every bucket");
  json_flag(status);
  SetAction(status, [f] { return BucketList(f->json, true); });

  auto* mkdir = cmd->add_subcommand("mkdir", "Make a directory");
  bucket_arg(mkdir);
  path_arg(mkdir, true);
  mkdir->add_flag("-p,--parents", f->parents, "Make parents; no error if it exists");
  json_flag(mkdir);
  SetAction(mkdir, [f]() -> Status {
    ASSIGN_OR_RETURN(auto v, OpenVfs());
    return PrintChange(v->Mkdir(f->bucket, f->path, f->parents), *f);
  });

  auto* write = cmd->add_subcommand("write", "Write a file from --from FILE or stdin");
  bucket_arg(write);
  path_arg(write, true);
  write->add_option("--from", f->local, "Local file to import (default: stdin)");
  write->add_flag("-p,--parents", f->parents, "Make missing parent directories");
  write->add_flag("--append", f->append, "Append to the file");
  f->offset_opt = write->add_option("--offset", f->offset, "Write at this byte offset");
  write->add_flag("--truncate", f->truncate, "With --offset: drop what follows the new bytes");
  write->add_flag("--no-create", f->no_create, "Fail if the file does not exist");
  json_flag(write);
  SetAction(write, [f] { return Write(*f); });

  auto* read = cmd->add_subcommand("read", "Print a file's bytes");
  bucket_arg(read);
  path_arg(read, true);
  read->add_option("--offset", f->offset, "First byte");
  f->length_opt = read->add_option("--length", f->length, "Bytes to read");
  SetAction(read, [f] { return Read(*f); });

  auto* ls = cmd->add_subcommand("ls", "List a directory (default /)");
  bucket_arg(ls);
  path_arg(ls, false);
  ls->add_flag("-l", f->long_list, "Type, size and CID too");
  json_flag(ls);
  SetAction(ls, [f] { return Ls(*f); });

  auto* stat = cmd->add_subcommand("stat", "CID, size, cumulative size and type of an entry");
  bucket_arg(stat);
  path_arg(stat, false);
  json_flag(stat);
  SetAction(stat, [f] { return Stat(*f); });

  auto* rm = cmd->add_subcommand("rm", "Remove a file, or a directory with -r");
  bucket_arg(rm);
  path_arg(rm, true);
  rm->add_flag("-r,--recursive", f->recursive, "Remove directories");
  json_flag(rm);
  SetAction(rm, [f]() -> Status {
    ASSIGN_OR_RETURN(auto v, OpenVfs());
    return PrintChange(v->Rm(f->bucket, f->path, f->recursive), *f);
  });

  for (const char* name : {"mv", "cp"}) {
    const bool copy = std::string(name) == "cp";
    auto* c = cmd->add_subcommand(
        name, copy ? "Copy FROM (a path or /ipfs/CID[/path]) to TO" : "Move or rename FROM to TO");
    bucket_arg(c);
    c->add_option("from", f->from, copy ? "Path in the bucket or /ipfs/CID[/path]" : "Path")
        ->required();
    c->add_option("to", f->to, "Destination path (into it when it is a directory)")->required();
    if (copy) c->add_flag("-p,--parents", f->parents, "Make missing parent directories");
    json_flag(c);
    SetAction(c, [f, copy]() -> Status {
      ASSIGN_OR_RETURN(auto v, OpenVfs());
      return PrintChange(
          copy ? v->Cp(f->bucket, f->from, f->to, f->parents) : v->Mv(f->bucket, f->from, f->to),
          *f);
    });
  }

  auto* commit = cmd->add_subcommand("commit", "Record the current root in the history");
  bucket_arg(commit);
  commit->add_option("-m,--message", f->message, "Commit message");
  json_flag(commit);
  SetAction(commit, [f] { return Commit(*f); });

  auto* history = cmd->add_subcommand("history", "Commits, newest first");
  bucket_arg(history);
  history->add_option("-n,--limit", f->limit, "At most N commits");
  json_flag(history);
  SetAction(history, [f] { return History(*f); });

  auto* exp = cmd->add_subcommand("export", "Write the bucket's root (or --root CID) as a CAR");
  bucket_arg(exp);
  exp->add_option("-o,--output", f->out, "Output .car file ('-' for stdout)")->required();
  exp->add_option("--root", f->root, "A commit's CID (default: the current root)");
  exp->add_flag("-f,--force", f->force, "Replace an existing output file");
  json_flag(exp);
  SetAction(exp, [f] { return Export(*f); });

  auto* pin = cmd->add_subcommand(
      "pin", "Pin the last commit through the daemon (spooled when it is down)");
  bucket_arg(pin);
  pin->add_option("--name", f->name, "Pin name (default vfs:BUCKET)");
  pin->add_flag("--no-spool", f->no_spool, "Fail instead of spooling when the daemon is down");
  json_flag(pin);
  SetAction(pin, [f] { return Pin(*f); });
}

}  // namespace ipfs_kit::cli
