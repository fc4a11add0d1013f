// HTTP request and response values shared by the server, the handlers and the
// client. Pure data: no I/O here (DESIGN §12, Asio's HTTP example).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ipfs_kit::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // upper case, as sent: GET, POST, ...
  std::string target;  // as sent: "/pins?cid=bafy...&limit=10"
  std::string path;    // target before '?', percent-decoded
  // Query parameters in order, names and values percent-decoded ('+' is a
  // space). A name may repeat.
  std::vector<std::pair<std::string, std::string>> query;
  HeaderList headers;  // names lower-cased, in order
  std::string body;
  std::string remote;  // "127.0.0.1:53211"

  // First header / query value with this (lower-case) name.
  std::optional<std::string_view> Header(std::string_view name) const;
  std::optional<std::string_view> Query(std::string_view name) const;
};

struct Response {
  int status = 200;
  HeaderList headers;  // Content-Length is set by the server
  std::string body;

  Response& Set(std::string name, std::string value);
  // A JSON body with Content-Type application/json.
  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body);
};

// Percent-decoding of a path or query component; kInvalid-style failure is
// reported by returning nullopt (a '%' not followed by two hex digits).
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);
// Percent-encodes everything except RFC 3986 unreserved characters (and '/'
// when keep_slash).
std::string PercentEncode(std::string_view s, bool keep_slash = false);
// Splits "a=1&b=x%20y" into decoded pairs; nullopt on a bad escape.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view q);

}  // namespace ipfs_kit::http
