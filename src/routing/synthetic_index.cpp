// Deterministic synthetic indexes for tests and benchmarks.
#include <random>

#include "ipfs_kit/multiformats/cid.h"
#include "ipfs_kit/routing/index.h"

namespace ipfs_kit::routing {

Result<uint64_t> GenerateSyntheticIndex(const std::string& index_dir, size_t pins,
                                        size_t locations_per_pin, size_t backends, uint32_t seed,
                                        IndexWriterOptions options) {
  if (backends == 0) return Status::InvalidArgument("need at least one backend");
  std::mt19937_64 rng(seed);
  static const char* kTypes[] = {"local", "s3", "kubo", "pinning-service", "ipfs-cluster", "gateway"};
  static const char* kStates[] = {"healthy", "healthy", "healthy", "degraded", "unhealthy"};
  std::vector<BackendRow> bs;
  const int64_t t0 = 1735689600000;  // 2025-01-01
  for (size_t i = 0; i < backends; ++i) {
    BackendRow b;
    b.name = "backend-" + std::to_string(i);
    b.type = kTypes[i % 6];
    b.state = kStates[i % 5];
    if (b.state != "healthy") b.reason = b.state == "degraded" ? "p99 latency above 2 s" : "connection refused";
    b.latency_ms_p50 = 1 + static_cast<double>(rng() % 5000) / 100;
    b.latency_ms_p99 = b.latency_ms_p50 * 4;
    b.error_rate = static_cast<double>(rng() % 100) / 1000;
    b.bytes_free = static_cast<int64_t>(rng() % (int64_t{1} << 42));
    b.priority = static_cast<int32_t>(rng() % 10);
    b.checked_at_ms = t0;
    bs.push_back(std::move(b));
  }
  std::vector<PinRow> ps;
  std::vector<LocationRow> ls;
  ps.reserve(pins);
  ls.reserve(pins * locations_per_pin);
  static const char* kStatus[] = {"pinned", "pinned", "pinned", "pinning", "queued", "failed"};
  for (size_t i = 0; i < pins; ++i) {
    // A real CIDv1 (raw, sha2-256) of a counter: realistic length and spread.
    uint64_t x = rng();
    Bytes data(8);
    for (int k = 0; k < 8; ++k) data[k] = static_cast<uint8_t>(x >> (8 * k));
    PinRow p;
    p.cid = multiformats::Cid::Sha256(1, multiformats::kCodecRaw, data).ToString();
    if (rng() % 4 == 0) p.name = "file-" + std::to_string(i) + ".bin";
    p.size_bytes = static_cast<int64_t>(rng() % (int64_t{1} << 34));
    p.pin_type = rng() % 10 == 0 ? "direct" : "recursive";
    p.status = kStatus[rng() % 6];
    p.replication_min = 2;
    p.replication_max = 3;
    p.created_at_ms = t0 + static_cast<int64_t>(rng() % 31536000000ull);
    p.updated_at_ms = p.created_at_ms + static_cast<int64_t>(rng() % 86400000);
    size_t first = rng() % backends;
    size_t k = std::min(locations_per_pin, backends);
    for (size_t j = 0; j < k; ++j) {
      LocationRow l;
      l.cid = p.cid;
      l.backend = bs[(first + j) % backends].name;
      l.state = rng() % 20 == 0 ? "failed" : "pinned";
      l.size_bytes = p.size_bytes;
      if (rng() % 3) l.verified_at_ms = p.updated_at_ms + static_cast<int64_t>(rng() % 86400000);
      bs[(first + j) % backends].pin_count++;
      bs[(first + j) % backends].bytes_used += p.size_bytes;
      ls.push_back(std::move(l));
    }
    p.replicas = static_cast<int32_t>(k);
    ps.push_back(std::move(p));
  }
  IndexWriter w(index_dir, options);
  return w.Publish(std::move(ps), std::move(ls), std::move(bs));
}

}  // namespace ipfs_kit::routing
