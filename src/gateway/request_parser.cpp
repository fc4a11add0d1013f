// Request parsing for the gateway: content path, query parameters, Accept.
//
// The content path is re-split from the raw target, not taken from
// Request::path, because the server percent-decodes the whole path and "%2F"
// would then be indistinguishable from a separator. Each segment is decoded on
// its own and refused if it could escape or confuse a path ("", ".", "..",
// '/', NUL), so nothing downstream has to re-check.
#include <algorithm>
#include <charconv>
#include <cstring>

#include "ipfs_kit/gateway/request.h"
#include "text.h"

namespace ipfs_kit::gateway {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Printable for an error message: at most 64 bytes, control bytes as '?'.
std::string Shown(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 64)) out.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
  if (s.size() > 64) out += "...";
  return out;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// One media range of an Accept header.
struct MediaRange {
  std::string type;                                         // lower-case "type/subtype"
  std::vector<std::pair<std::string, std::string>> params;  // names lower-case
  double q = 1.0;
  size_t order = 0;
};

std::vector<MediaRange> ParseAcceptList(std::string_view accept) {
  std::vector<MediaRange> out;
  size_t order = 0;
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view item = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view type = TrimOws(item.substr(0, semi));
    if (type.empty()) continue;
    MediaRange m;
    m.order = order++;
    for (char c : type) m.type.push_back(Lower(c));
    std::string_view rest =
        semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1);
    bool bad_q = false;
    while (!rest.empty()) {
      size_t s2 = rest.find(';');
      std::string_view p = TrimOws(rest.substr(0, s2));
      rest = s2 == std::string_view::npos ? std::string_view() : rest.substr(s2 + 1);
      size_t eq = p.find('=');
      if (eq == std::string_view::npos) continue;
      std::string name;
      for (char c : TrimOws(p.substr(0, eq))) name.push_back(Lower(c));
      std::string_view value = TrimOws(p.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      if (name == "q") {
        // RFC 9110 qvalue: 0, 1, 0.xxx, 1.000. Anything else ignores the entry.
        double q = -1;
        if (value == "0" || value == "1") {
          q = value[0] - '0';
        } else if (value.size() >= 2 && value.size() <= 5 && (value[0] == '0' || value[0] == '1') &&
                   value[1] == '.') {
          q = value[0] - '0';
          double scale = 0.1;
          for (char c : value.substr(2)) {
            if (c < '0' || c > '9') {
              q = -1;
              break;
            }
            q += (c - '0') * scale;
            scale /= 10;
          }
          if (q > 1.0) q = -1;
        }
        if (q < 0) bad_q = true;
        m.q = q;
      } else {
        m.params.emplace_back(std::move(name), std::string(value));
      }
    }
    if (bad_q) continue;
    out.push_back(std::move(m));
  }
  // Highest q first; equal q keeps the client's order.
  std::stable_sort(out.begin(), out.end(),
                   [](const MediaRange& a, const MediaRange& b) { return a.q > b.q; });
  return out;
}

// Applies the parameters of an application/vnd.ipld.car media range; false
// when one of them asks for something this gateway cannot produce.
bool ApplyCarMediaParams(const MediaRange& m, CarParams* car) {
  CarParams c = *car;
  for (const auto& [name, value] : m.params) {
    if (name == "version") {
      if (value != "1") return false;
    } else if (name == "order") {
      if (value == "dfs") {
        c.order_unknown_requested = false;
      } else if (value == "unk") {
        c.order_unknown_requested = true;
      } else {
        return false;
      }
    } else if (name == "dups") {
      if (value == "y") {
        c.dups = true;
      } else if (value == "n") {
        c.dups = false;
      } else {
        return false;
      }
    }
  }
  *car = c;
  return true;
}

// IPLD / IPFS media types this gateway recognizes but does not produce.
bool IsUnsupportedIpldType(std::string_view type) {
  static constexpr std::string_view kTypes[] = {
      "application/vnd.ipld.dag-json",
      "application/vnd.ipld.dag-cbor",
      "application/json",
      "application/cbor",
      "application/x-tar",
      "application/vnd.ipfs.ipns-record",
  };
  return std::find(std::begin(kTypes), std::end(kTypes), type) != std::end(kTypes);
}

std::optional<RequestError> ParseFormat(std::string_view v, GatewayRequest* out) {
  if (v == "raw") {
    out->format = ResponseFormat::kRaw;
  } else if (v == "car") {
    out->format = ResponseFormat::kCar;
  } else if (v == "tar" || v == "dag-json" || v == "dag-cbor" || v == "json" || v == "cbor" ||
             v == "ipns-record") {
    return RequestError{501, "format=" + std::string(v) + " is not supported by this gateway"};
  } else {
    return RequestError{400, "unknown format \"" + Shown(v) + "\" (want raw or car)"};
  }
  out->format_from_query = true;
  return std::nullopt;
}

std::optional<RequestError> ParseCarQuery(
    const std::vector<std::pair<std::string, std::string>>& query, CarParams* car) {
  for (const auto& [name, value] : query) {
    if (name == "car-version") {
      if (value != "1") return RequestError{400, "car-version must be 1 (CARv1 only)"};
    } else if (name == "car-order") {
      if (value == "dfs") {
        car->order_unknown_requested = false;
      } else if (value == "unk") {
        car->order_unknown_requested = true;
      } else {
        return RequestError{400, "car-order must be dfs or unk"};
      }
    } else if (name == "car-dups") {
      if (value == "y") {
        car->dups = true;
      } else if (value == "n") {
        car->dups = false;
      } else {
        return RequestError{400, "car-dups must be y or n"};
      }
    } else if (name == "dag-scope") {
      if (value == "all") {
        car->scope = DagScope::kAll;
      } else if (value == "entity") {
        car->scope = DagScope::kEntity;
      } else if (value == "block") {
        car->scope = DagScope::kBlock;
      } else {
        return RequestError{400, "dag-scope must be block, entity or all"};
      }
    } else if (name == "entity-bytes") {
      auto eb = ParseEntityBytes(value);
      if (!eb) {
        return RequestError{400, "invalid entity-bytes \"" + Shown(value) +
                                     "\" (want from:to, integers or '*' for to, from <= to)"};
      }
      car->entity_bytes = *eb;
    }
  }
  return std::nullopt;
}

std::optional<RequestError> ParsePath(std::string_view raw, GatewayRequest* out) {
  if (raw.size() > kMaxContentPathBytes) {
    return RequestError{
        400, "content path longer than " + std::to_string(kMaxContentPathBytes) + " bytes"};
  }
  constexpr std::string_view kPrefix = "/ipfs/";
  if (raw.substr(0, kPrefix.size()) != kPrefix) {
    if (raw == "/ipfs") return RequestError{400, "missing CID after /ipfs/"};
    return RequestError{404, "not a gateway path (want /ipfs/{cid}[/path])"};
  }
  std::string_view rest = raw.substr(kPrefix.size());
  size_t slash = rest.find('/');
  std::string_view cid_text = rest.substr(0, slash);
  if (cid_text.empty()) return RequestError{400, "missing CID after /ipfs/"};
  auto cid_decoded = http::PercentDecode(cid_text, false);
  if (!cid_decoded) return RequestError{400, "bad percent-escape in the CID"};
  auto cid = multiformats::Cid::Parse(*cid_decoded);
  if (!cid.ok()) {
    return RequestError{400,
                        "invalid CID \"" + Shown(*cid_decoded) + "\": " + cid.status().message()};
  }
  out->root = *cid;
  out->content_path = std::string(raw);
  if (slash == std::string_view::npos) return std::nullopt;
  rest = rest.substr(slash + 1);
  if (rest.empty()) out->trailing_slash = true;
  while (!rest.empty()) {
    size_t s = rest.find('/');
    std::string_view seg = rest.substr(0, s);
    bool last = s == std::string_view::npos;
    rest = last ? std::string_view() : rest.substr(s + 1);
    if (seg.empty()) {
      // "a//b" and "a/" followed by more: an empty segment is never a name.
      return RequestError{400, "empty segment in content path"};
    }
    auto decoded = http::PercentDecode(seg, false);
    if (!decoded) return RequestError{400, "bad percent-escape in content path"};
    if (*decoded == "." || *decoded == "..") {
      return RequestError{400, "path segment \"" + *decoded + "\" is not allowed"};
    }
    if (decoded->find('/') != std::string::npos) {
      return RequestError{400, "path segment holds an encoded '/'"};
    }
    if (decoded->find('\0') != std::string::npos) {
      return RequestError{400, "path segment holds a NUL byte"};
    }
    if (decoded->size() > kMaxSegmentBytes) {
      return RequestError{
          400, "path segment longer than " + std::to_string(kMaxSegmentBytes) + " bytes"};
    }
    if (out->segments.size() >= kMaxSegments) {
      return RequestError{400, "more than " + std::to_string(kMaxSegments) + " path segments"};
    }
    out->segments.push_back(std::move(*decoded));
    if (!last && rest.empty()) out->trailing_slash = true;
  }
  return std::nullopt;
}

}  // namespace

const char* DagScopeName(DagScope s) {
  switch (s) {
    case DagScope::kAll:
      return "all";
    case DagScope::kEntity:
      return "entity";
    case DagScope::kBlock:
      return "block";
  }
  return "all";
}

std::optional<EntityBytes> ParseEntityBytes(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto from = ParseInt(s.substr(0, colon));
  if (!from) return std::nullopt;
  EntityBytes eb;
  eb.from = *from;
  std::string_view to = s.substr(colon + 1);
  if (to != "*") {
    auto t = ParseInt(to);
    if (!t) return std::nullopt;
    // Same sign: from must not be past to. Mixed signs depend on the
    // entity's size and are resolved when it is known.
    if ((*from >= 0) == (*t >= 0) && *from > *t) return std::nullopt;
    eb.to = *t;
  }
  return eb;
}

std::optional<ResponseFormat> NegotiateAccept(std::string_view accept, CarParams* car) {
  std::vector<MediaRange> list = ParseAcceptList(accept);
  if (list.empty()) return ResponseFormat::kPlain;  // nothing usable listed: the default
  for (const MediaRange& m : list) {
    if (m.q <= 0) continue;
    if (m.type == "application/vnd.ipld.raw") return ResponseFormat::kRaw;
    if (m.type == "application/vnd.ipld.car") {
      if (ApplyCarMediaParams(m, car)) return ResponseFormat::kCar;
      continue;
    }
    if (IsUnsupportedIpldType(m.type)) continue;
    // text/html, */*, application/octet-stream, image/*...: the plain
    // response, whose own type depends on the content.
    return ResponseFormat::kPlain;
  }
  return std::nullopt;
}

std::optional<RequestError> ParseGatewayRequest(const http::Request& in, GatewayRequest* out) {
  *out = GatewayRequest();
  if (in.method == "HEAD") {
    out->head = true;
  } else if (in.method != "GET") {
    return RequestError{405, "method " + Shown(in.method) + " not allowed (GET or HEAD)"};
  }
  std::string_view target = in.target;
  if (target.empty()) target = in.path;  // values built by hand (tests)
  size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  std::string_view raw_query =
      q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (size_t hash = raw_query.find('#'); hash != std::string_view::npos)
    raw_query = raw_query.substr(0, hash);
  if (auto err = ParsePath(raw_path, out)) return err;
  out->raw_query = std::string(raw_query);

  std::vector<std::pair<std::string, std::string>> query;
  if (q != std::string_view::npos) {
    auto parsed = http::ParseQuery(raw_query);
    if (!parsed) return RequestError{400, "bad percent-escape in the query string"};
    query = std::move(*parsed);
  } else if (in.target.empty()) {
    query = in.query;
  }
  auto first = [&](std::string_view name) -> std::optional<std::string_view> {
    for (const auto& [k, v] : query) {
      if (k == name) return std::string_view(v);
    }
    return std::nullopt;
  };

  // ?format= wins over Accept (path-gateway spec).
  auto format = first("format");
  if (format && !format->empty()) {
    if (auto err = ParseFormat(*format, out)) return err;
  } else if (auto accept = in.Header("accept"); accept && !TrimOws(*accept).empty()) {
    auto chosen = NegotiateAccept(*accept, &out->car);
    if (!chosen) {
      return RequestError{406, "no acceptable response type in Accept \"" + Shown(*accept) +
                                   "\" (this gateway serves application/vnd.ipld.raw, "
                                   "application/vnd.ipld.car;version=1 and UnixFS content)"};
    }
    out->format = *chosen;
  }
  if (out->format == ResponseFormat::kCar) {
    if (auto err = ParseCarQuery(query, &out->car)) return err;
  }

  if (auto f = first("filename")) {
    if (f->empty() || f->size() > kMaxSegmentBytes) {
      return RequestError{400, "filename must be 1 to 255 bytes"};
    }
    out->filename = std::string(*f);
  }
  if (auto d = first("download")) out->download = *d == "true";
  if (auto h = in.Header("if-none-match")) out->if_none_match = std::string(*h);
  if (auto h = in.Header("range")) out->range = std::string(*h);
  if (auto h = in.Header("if-range")) out->if_range = std::string(*h);
  return std::nullopt;
}

}  // namespace ipfs_kit::gateway
