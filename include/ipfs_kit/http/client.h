// HTTP client (libcurl): one call per request, safe from any thread.
//
// Errors: a connection refused, a DNS failure or a timeout is kUnavailable
// naming the URL and curl's reason; any HTTP answer (4xx and 5xx included) is
// a ClientResponse, so callers decide what a status means.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "ipfs_kit/base/status.h"
#include "ipfs_kit/http/message.h"

namespace ipfs_kit::http {

// AWS Signature V4 through curl's signer (CURLOPT_AWS_SIGV4). The caller
// sets x-amz-content-sha256 and gives the query already sorted and
// percent-encoded (curl 7.88 does neither; DESIGN §13).
struct SigV4 {
  std::string provider = "aws:amz:us-east-1:s3";
  std::string access_key;
  std::string secret_key;
};

// A multipart/form-data part (the Kubo RPC API takes files this way).
struct FormPart {
  std::string name = "file";
  std::string filename;
  std::string content_type = "application/octet-stream";
  std::string data;
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  HeaderList headers;
  std::string body;
  std::vector<FormPart> form;  // non-empty: sent as multipart/form-data instead of body
  std::optional<SigV4> sigv4;
  std::string bearer_token;  // non-empty: Authorization: Bearer ...
  int timeout_ms = 30000;
  int connect_timeout_ms = 5000;
  size_t max_response_bytes = 64 << 20;  // larger answers fail with kInvalidArgument
  // When set, the body is streamed to this callback instead of collected in
  // ClientResponse::body; returning false aborts the transfer (kInvalidArgument).
  std::function<bool(std::string_view chunk)> on_body;
};

struct ClientResponse {
  int status = 0;
  HeaderList headers;  // names lower-cased
  std::string body;
  std::optional<std::string_view> Header(std::string_view name) const;
};

Result<ClientResponse> Fetch(const ClientRequest& request);

}  // namespace ipfs_kit::http
