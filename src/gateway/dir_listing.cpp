#include "dir_listing.h"

#include "ipfs_kit/http/message.h"
#include "response_headers.h"

namespace ipfs_kit::gateway {

using multiformats::Cid;

Result<std::vector<ListingEntry>> ListDirectory(BlockSource& source, const DagNode& dir,
                                                size_t max_entries, int max_depth,
                                                bool* truncated) {
  std::vector<ListingEntry> out;
  *truncated = false;
  if (dir.kind != NodeKind::kHamtShard) {
    for (const auto& l : dir.pb.links) {
      if (out.size() >= max_entries) {
        *truncated = true;
        break;
      }
      out.push_back({l.name.value_or(""), l.hash, l.tsize.value_or(0)});
    }
    return out;
  }
  // HAMT: walk shards depth-first in link order; entries are links whose
  // name is longer than the two-hex-digit slot label.
  struct Pending {
    const DagNode* node;  // the root shard
    Cid cid;
    int depth;
  };
  std::vector<Pending> stack{{&dir, dir.cid, 0}};
  while (!stack.empty()) {
    Pending p = std::move(stack.back());
    stack.pop_back();
    if (p.depth > max_depth) return Status::Corruption("HAMT deeper than the limit");
    DagNode loaded;
    const DagNode* n = p.node;
    if (n == nullptr) {
      ASSIGN_OR_RETURN(Bytes b, source.Get(p.cid));
      ASSIGN_OR_RETURN(loaded, DecodeDagNode(p.cid, std::move(b)));
      if (loaded.kind != NodeKind::kHamtShard) {
        return Status::Corruption("HAMT link " + p.cid.ToString() + " is not a shard");
      }
      n = &loaded;
    }
    std::vector<Pending> subs;
    for (const auto& l : n->pb.links) {
      if (!l.name || l.name->size() < 2) {
        return Status::Corruption("HAMT shard " + n->cid.ToString() + " has a malformed link name");
      }
      if (l.name->size() == 2) {
        subs.push_back({nullptr, l.hash, p.depth + 1});
        continue;
      }
      if (out.size() >= max_entries) {
        *truncated = true;
        return out;
      }
      out.push_back({l.name->substr(2), l.hash, l.tsize.value_or(0)});
    }
    for (auto it = subs.rbegin(); it != subs.rend(); ++it) stack.push_back(std::move(*it));
  }
  return out;
}

std::string RenderListing(std::string_view base, const Cid& dir,
                          const std::vector<ListingEntry>& entries, bool truncated) {
  std::string b(base);
  while (!b.empty() && b.back() == '/') b.pop_back();
  std::string html;
  html.reserve(512 + entries.size() * 200);
  html += "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>";
  html += http::MarkupEscape(b);
  html += "</title></head>\n<body>\n<h1>Index of ";
  html += http::MarkupEscape(b);
  html += "</h1>\n<p>CID: <code>" + dir.ToString() + "</code></p>\n<table>\n";
  // The parent, unless this is the root of the content path.
  size_t slash = b.rfind('/');
  if (slash != std::string::npos && slash > std::string_view("/ipfs").size()) {
    html += "<tr><td><a href=\"" + http::MarkupEscape(b.substr(0, slash)) + "/\">..</a></td></tr>\n";
  }
  for (const auto& e : entries) {
    std::string href = b + "/" + http::PercentEncode(e.name);
    html += "<tr><td><a href=\"" + http::MarkupEscape(href) + "\">" + http::MarkupEscape(e.name) +
            "</a></td><td><a href=\"/ipfs/" + e.cid.ToString() + "\"><code>" + e.cid.ToString() +
            "</code></a></td><td>" + std::to_string(e.tsize) + "</td></tr>\n";
  }
  html += "</table>\n";
  if (truncated) html += "<p>(listing truncated)</p>\n";
  html += "</body></html>\n";
  return html;
}

}  // namespace ipfs_kit::gateway
