// MCP tools and the resource template of the VFS (docs/vfs.md has their
// arguments and results):
//   vfs_buckets (list / get / create / delete), vfs_mkdir, vfs_write (text,
//   base64 or a local path), vfs_read (text or base64, offset/length),
//   vfs_ls, vfs_stat, vfs_rm, vfs_mv, vfs_cp (also from /ipfs/CID[/path]),
//   vfs_commit, vfs_history, vfs_export (CAR to a local path), vfs_pin;
//   resource template vfs://{bucket}/{path} (a file's bytes: text when
//   UTF-8, else a base64 blob; a directory: a JSON listing).
//
// Each tool has an input and an output schema and answers with structured
// content. A failed operation is an isError result whose text names the
// problem ("daemon unavailable: ..." for vfs_pin with the daemon down unless
// spool is true). Long writes and exports send progress notifications.
//
// Threading: the handlers may run on many threads at once (Vfs is
// thread-safe); they hold `vfs` for as long as the registry lives.
#pragma once

#include <memory>

#include "ipfs_kit/mcp/registry.h"
#include "ipfs_kit/vfs/vfs.h"

namespace ipfs_kit::vfs {

void RegisterVfsTools(mcp::Registry& registry, std::shared_ptr<Vfs> vfs);

}  // namespace ipfs_kit::vfs
