// Fuzzes the daemon's parsers of outside bytes: config.json (ParseConfig),
// a backend's JSON (ParseBackendConfig, from POST /backends/{name}), the
// body of POST /pins (ParsePinRequest) and RFC 3339 timestamps (?before=).
// Each must answer OK or a clear error, never crash or hang; what parses
// must survive a round trip.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "../src/daemon/api.h"
#include "ipfs_kit/backends/backend_config.h"
#include "ipfs_kit/daemon/config.h"

namespace d = ipfs_kit::daemon;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto cfg = d::ParseConfig(in, "fuzz");
  if (cfg.ok()) {
    auto again = d::ParseConfig(d::ConfigToJson(*cfg), "fuzz");
    if (!again.ok() || d::ConfigToJson(*again) != d::ConfigToJson(*cfg)) std::abort();
  } else if (cfg.status().message().empty()) {
    std::abort();
  }
  auto b = ipfs_kit::backends::ParseBackendConfig(in, "backend");
  if (b.ok()) {
    auto again = ipfs_kit::backends::ParseBackendConfig(
        ipfs_kit::backends::BackendConfigToJson(*b, false), "backend");
    if (!again.ok() || again->name != b->name || again->params != b->params) std::abort();
  }
  auto pin =
      d::ParsePinRequest(in, d::PinDefaults{}, [](const std::string& n) { return n == "local"; });
  if (pin.ok() && (pin->cid.empty() || pin->replication_max < pin->replication_min)) std::abort();
  auto t = d::ParseTime(std::string(in.substr(0, 64)));
  if (t && d::ParseTime(d::FormatTime(*t)) != t && *t >= 0) std::abort();
  return 0;
}
