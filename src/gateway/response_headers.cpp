#include "response_headers.h"

#include "text.h"

#include <algorithm>
#include <charconv>

namespace ipfs_kit::gateway {

using multiformats::Cid;

namespace {

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string Base32(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuv";
  std::string out;
  do {
    out.push_back(kDigits[v & 31]);
    v >>= 5;
  } while (v != 0);
  std::reverse(out.begin(), out.end());
  return out;
}

std::string_view StripWeak(std::string_view tag) {
  if (tag.size() >= 2 && (tag[0] == 'W' || tag[0] == 'w') && tag[1] == '/') tag.remove_prefix(2);
  return tag;
}

std::optional<uint64_t> ParseU64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

bool ValidUtf8Text(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c < 0x80) {
      if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') return false;
      if (c == 0x7f) return false;
      ++i;
      continue;
    }
    size_t n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0) return false;
    if (i + n > s.size()) return true;  // cut at the sniff limit: fine
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

// Built by appending: GCC 12 reports a false -Wrestrict on "literal" + string.
static std::string Quoted(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
  std::string out;
  out.reserve(a.size() + b.size() + c.size() + 2);
  out.push_back('"');
  out.append(a);
  out.append(b);
  out.append(c);
  out.push_back('"');
  return out;
}

std::string RawEtag(const Cid& cid) { return Quoted(cid.ToString(), ".raw"); }

std::string CarEtag(const Cid& terminal, const GatewayRequest& r) {
  std::string data = r.content_path;
  data += "|scope=";
  data += DagScopeName(r.car.scope);
  if (r.car.scope == DagScope::kEntity && r.car.entity_bytes) {
    data += "|bytes=" + std::to_string(r.car.entity_bytes->from) + ":" +
            (r.car.entity_bytes->to ? std::to_string(*r.car.entity_bytes->to) : "*");
  }
  if (r.car.dups) data += "|dups";
  return Quoted(terminal.ToString(), ".car.", Base32(Fnv1a64(data)));
}

std::string FileEtag(const Cid& cid) { return Quoted(cid.ToString()); }

std::string ListingEtag(const Cid& cid) {
  // The version changes when the listing's HTML does.
  return Quoted("DirIndex-gw1_CID-", cid.ToString());
}

std::string CarContentType(const CarParams& p) {
  return std::string("application/vnd.ipld.car; version=1; order=dfs; dups=") +
         (p.dups ? "y" : "n");
}

bool EtagMatches(std::string_view header, std::string_view etag) {
  std::string_view want = StripWeak(etag);
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view tag = TrimOws(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (tag == "*") return true;
    if (!tag.empty() && StripWeak(tag) == want) return true;
  }
  return false;
}

RangeKind ParseRange(std::string_view header, uint64_t size, ByteRange* out) {
  header = TrimOws(header);
  constexpr std::string_view kUnit = "bytes=";
  if (header.substr(0, kUnit.size()) != kUnit) return RangeKind::kNone;
  std::string_view spec = TrimOws(header.substr(kUnit.size()));
  if (spec.find(',') != std::string_view::npos) return RangeKind::kNone;  // several: send all
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeKind::kNone;
  std::string_view a = TrimOws(spec.substr(0, dash)), b = TrimOws(spec.substr(dash + 1));
  if (a.empty()) {
    // "-N": the last N bytes.
    auto n = ParseU64(b);
    if (!n) return RangeKind::kNone;
    if (*n == 0 || size == 0) return RangeKind::kUnsatisfiable;
    out->first = *n >= size ? 0 : size - *n;
    out->last = size - 1;
    return RangeKind::kSatisfiable;
  }
  auto first = ParseU64(a);
  if (!first) return RangeKind::kNone;
  uint64_t last = size == 0 ? 0 : size - 1;
  if (!b.empty()) {
    auto l = ParseU64(b);
    if (!l || *l < *first) return RangeKind::kNone;
    last = std::min(last, *l);
  }
  if (*first >= size) return RangeKind::kUnsatisfiable;
  out->first = *first;
  out->last = last;
  return RangeKind::kSatisfiable;
}

std::optional<std::string_view> TypeFromExtension(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 >= name.size()) return std::nullopt;
  std::string ext;
  for (char c : name.substr(dot + 1)) ext.push_back(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  static constexpr std::pair<std::string_view, std::string_view> kTable[] = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"json", "application/json"},
      {"txt", "text/plain; charset=utf-8"},
      {"md", "text/markdown; charset=utf-8"},
      {"csv", "text/csv; charset=utf-8"},
      {"xml", "application/xml"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"ico", "image/x-icon"},
      {"pdf", "application/pdf"},
      {"wasm", "application/wasm"},
      {"mp4", "video/mp4"},
      {"webm", "video/webm"},
      {"mp3", "audio/mpeg"},
      {"ogg", "audio/ogg"},
      {"wav", "audio/wav"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"zip", "application/zip"},
      {"gz", "application/gzip"},
      {"tar", "application/x-tar"},
      {"car", "application/vnd.ipld.car"},
  };
  for (const auto& [e, type] : kTable) {
    if (e == ext) return type;
  }
  return std::nullopt;
}

std::string_view SniffType(std::string_view head) {
  auto starts = [&](std::string_view p) { return head.substr(0, p.size()) == p; };
  if (starts("\x89PNG\r\n\x1a\n")) return "image/png";
  if (starts("\xff\xd8\xff")) return "image/jpeg";
  if (starts("GIF87a") || starts("GIF89a")) return "image/gif";
  if (starts("RIFF") && head.size() >= 12 && head.substr(8, 4) == "WEBP") return "image/webp";
  if (starts("%PDF-")) return "application/pdf";
  std::string_view t = head;
  while (!t.empty() &&
         (t.front() == ' ' || t.front() == '\n' || t.front() == '\r' || t.front() == '\t')) {
    t.remove_prefix(1);
  }
  auto istarts = [&](std::string_view p) {
    if (t.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i) {
      char c = t[i];
      if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
      if (c != p[i]) return false;
    }
    return true;
  };
  if (istarts("<!doctype html") || istarts("<html") || istarts("<head") || istarts("<body")) {
    return "text/html; charset=utf-8";
  }
  if (!head.empty() && ValidUtf8Text(head)) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::string ContentDisposition(bool attachment, std::string_view filename) {
  std::string ascii;
  bool plain = true;
  for (unsigned char c : filename) {
    if (c < 0x20 || c == 0x7f || c >= 0x80) {
      plain = false;
      ascii.push_back('_');
    } else if (c == '"' || c == '\\') {
      ascii.push_back('\\');
      ascii.push_back(static_cast<char>(c));
    } else {
      ascii.push_back(static_cast<char>(c));
    }
  }
  std::string out = attachment ? "attachment" : "inline";
  out += "; filename=\"" + ascii + "\"";
  if (!plain) out += "; filename*=UTF-8''" + http::PercentEncode(filename);
  return out;
}


}  // namespace ipfs_kit::gateway
