// Small text helpers of the MCP server's features.
#pragma once

#include <string>
#include <string_view>

namespace ipfs_kit::mcp_server {

// RFC 3629 UTF-8 (no overlongs, no surrogates, at most U+10FFFF). JSON text
// must be valid UTF-8; other bytes go out base64.
bool IsValidUtf8(std::string_view s);

// A media type from the path's extension, else "text/plain; charset=utf-8"
// for valid UTF-8 and "application/octet-stream" for other bytes.
std::string MimeTypeFor(std::string_view path, std::string_view data);

}  // namespace ipfs_kit::mcp_server
