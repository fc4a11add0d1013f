// `dag export` / `dag import`: CAR files, as `ipfs dag export|import`.
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "ipfs_kit/car/car.h"

namespace ipfs_kit::cli {
namespace {

Status RunExport(const std::string& cid_text) {
  ASSIGN_OR_RETURN(auto cid, multiformats::Cid::Parse(cid_text));
  ASSIGN_OR_RETURN(auto repo, OpenRepo());
  // Check the root exists before writing anything, so a bad CID gives no
  // partial output.
  ASSIGN_OR_RETURN(bool has, repo->blocks().Has(cid));
  if (!has) return Status::NotFound("block " + cid.ToString() + " not found in the local store");
  ASSIGN_OR_RETURN(auto writer, car::CarWriter::Create(stdout, {cid}));
  RETURN_IF_ERROR(car::ExportDag(repo->blocks(), cid, *writer));
  return writer->Finish();
}

Status RunImport(const std::vector<std::string>& files, bool pin_roots, bool stats, bool json) {
  ASSIGN_OR_RETURN(auto repo, OpenRepo());
  uint64_t blocks = 0, bytes = 0;
  std::vector<multiformats::Cid> roots;
  for (const auto& path : files) {
    ASSIGN_OR_RETURN(auto reader, car::CarReader::Open(path));
    for (const auto& r : reader->roots()) roots.push_back(r);
    car::Block b;
    for (;;) {
      auto more = reader->Next(&b);
      if (!more.ok()) return more.status();
      if (!*more) break;
      // Blocks are verified by the reader before they get here.
      RETURN_IF_ERROR(repo->blocks().Put(b.cid, b.data));
      ++blocks;
      bytes += b.data.size();
    }
  }
  // Everything is stored and durable before any root is pinned.
  RETURN_IF_ERROR(repo->blocks().Sync());
  for (const auto& r : roots) {
    if (pin_roots) {
      ASSIGN_OR_RETURN(bool has, repo->blocks().Has(r));
      if (!has) {
        return Status::NotFound("root " + r.ToString() + " is not in the CAR; not pinned");
      }
      RETURN_IF_ERROR(repo->AddPin(r, ""));
    }
    std::string line =
        json ? nlohmann::json{{"Root", {{"Cid", r.ToString()}, {"PinErrorMsg", ""}}}}.dump()
             : "Pinned root\t" + r.ToString() + "\tsuccess";
    if (pin_roots) RETURN_IF_ERROR(WriteStdout(line + "\n"));
  }
  if (stats) {
    RETURN_IF_ERROR(WriteStdout("Imported " + std::to_string(blocks) + " blocks (" +
                                std::to_string(bytes) + " bytes)\n"));
  }
  return Status::Ok();
}

}  // namespace

void RegisterDag(CLI::App& app) {
  auto* dag = app.add_subcommand("dag", "DAG operations (CAR import/export)");
  dag->require_subcommand(1);
  {
    auto cid = std::make_shared<std::string>();
    auto* cmd = dag->add_subcommand("export", "Write the DAG under CID as a CAR v1 to stdout");
    cmd->add_option("cid", *cid, "Root CID")->required();
    SetAction(cmd, [cid] {
      if (::isatty(STDOUT_FILENO)) {
        return Status::InvalidArgument("refusing to write a CAR to a terminal; redirect stdout");
      }
      return RunExport(*cid);
    });
  }
  {
    struct F {
      std::vector<std::string> files;
      bool pin_roots = true, stats = false, json = false;
    };
    auto f = std::make_shared<F>();
    auto* cmd =
        dag->add_subcommand("import", "Import CAR v1/v2 files (every block verified); pin roots");
    cmd->add_option("files", f->files, "CAR files ('-' for stdin)")->required();
    cmd->add_flag("--pin-roots", f->pin_roots,
                  "Pin the roots after all blocks are stored (default true)");
    cmd->add_flag("--stats", f->stats, "Print block count and bytes");
    cmd->add_flag("--json", f->json, "JSON output");
    SetAction(cmd, [f] { return RunImport(f->files, f->pin_roots, f->stats, f->json); });
  }
}

}  // namespace ipfs_kit::cli
