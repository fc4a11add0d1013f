// UnixFS HAMT-sharded directories, bit-compatible with Kubo (go-unixfs/boxo)
// and the JS importer: fanout 256, murmur3-x64-64 of the entry name (the
// first 8 bytes of murmur3-x64-128, big-endian), 8 bits per level taken from
// the most significant end, link names "<2 hex upper>" for sub-shards and
// "<2 hex upper><name>" for entries, bitfield as the minimal big-endian bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"
#include "ipfs_kit/multiformats/cid.h"
#include "ipfs_kit/unixfs/unixfs_data.h"

namespace ipfs_kit::unixfs {

inline constexpr uint64_t kDefaultHamtFanout = 256;

// murmur3 x64 128-bit, seed 0; returns (h1, h2).
std::pair<uint64_t, uint64_t> Murmur3X64_128(ByteView data);
// The 8-byte hash Kubo uses for HAMT keys (h1, big-endian).
Bytes HamtHashKey(ByteView name);

struct HamtEntry {
  std::string name;
  multiformats::Cid cid;
  uint64_t tsize = 0;  // cumulative size of the child DAG
};

// Called for every shard node built (children before parents); the root last.
using EmitBlock = std::function<Status(const multiformats::Cid& cid, const Bytes& block)>;

struct BuiltNode {
  multiformats::Cid cid;
  uint64_t tsize = 0;  // block size + sum of link Tsizes
};

// Builds a sharded directory from `entries` (names unique). `root_meta`
// carries mode/mtime for the root shard only.
Result<BuiltNode> BuildHamt(const std::vector<HamtEntry>& entries, int cid_version,
                            const UnixfsData* root_meta, const EmitBlock& emit);

// The link-name prefix of slot `idx`: two upper-case hex digits.
std::string HamtSlotLabel(uint32_t idx);

// Index of `name` at HAMT depth `depth` (0-based) for a fanout of 2^bits.
uint32_t HamtIndex(ByteView name, int depth, int bits);

}  // namespace ipfs_kit::unixfs
