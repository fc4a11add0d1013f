// The management API (docs/daemon-api.md): a pure handler from http::Request
// to http::Response over the daemon's Context. The Pinning Service API
// (/pins) lives in pinning_service_api.cpp.
#pragma once

#include "context.h"
#include "ipfs_kit/http/message.h"
#include "ipfs_kit/http/server.h"

namespace ipfs_kit::daemon {

// Answers one request (possibly later, from another thread: POST /pins
// answers after its group commit).
void HandleApi(Context& ctx, http::Request req, http::Responder respond);

// Helpers shared by the API files.
http::Response ApiError(int status, const std::string& reason, const std::string& details);
bool Authorized(const Context& ctx, const http::Request& req);
void HandlePins(Context& ctx, http::Request req, http::Responder respond);

// The body of POST /pins (a Pin object plus the documented extensions),
// validated; kInvalidArgument naming the field. Pure: fuzzed by
// fuzz/daemon_input_fuzzer.cpp.
struct PinDefaults {
  int replication_min = 1;
  int replication_max = 1;
};
Result<state::PinRecord> ParsePinRequest(std::string_view body, const PinDefaults& defaults,
                                         const std::function<bool(const std::string&)>& backend_exists);

}  // namespace ipfs_kit::daemon
