// Split-block bloom filter. Spec: parquet-format BloomFilter.md; see the header.
#include "split_block_bloom.h"

#include <bit>
#include <cmath>
#include <string>

#include <xxhash.h>

namespace ipfs_kit::parquet {

namespace {

constexpr uint32_t kSalt[8] = {0x47b6137bU, 0x44974d91U, 0x8824ad5bU, 0xa2b7289dU,
                               0x705495c7U, 0x2df1424bU, 0x9efc4947U, 0x5c6bfb31U};

inline uint32_t LoadWord(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

inline void StoreWord(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

inline size_t BlockIndex(uint64_t hash, size_t num_blocks) {
  return static_cast<size_t>(((hash >> 32) * static_cast<uint64_t>(num_blocks)) >> 32);
}

// Bit set in word i of the block for key.
inline uint32_t MaskBit(uint32_t key, int i) { return uint32_t{1} << ((key * kSalt[i]) >> 27); }

size_t ClampToPowerOfTwo(uint64_t bytes) {
  if (bytes <= SplitBlockBloomFilter::kMinBytes) return SplitBlockBloomFilter::kMinBytes;
  if (bytes >= SplitBlockBloomFilter::kMaxBytes) return SplitBlockBloomFilter::kMaxBytes;
  return static_cast<size_t>(std::bit_ceil(bytes));
}

}  // namespace

double SplitBlockBloomFilter::OptimalNumBits(uint64_t ndv, double fpp) {
  if (std::isnan(fpp)) fpp = 0.01;
  if (fpp < 1e-10) fpp = 1e-10;
  if (fpp > 0.99) fpp = 0.99;
  return -8.0 * static_cast<double>(ndv) / std::log(1.0 - std::pow(fpp, 1.0 / 8.0));
}

size_t SplitBlockBloomFilter::OptimalNumBytes(uint64_t ndv, double fpp) {
  double bits = OptimalNumBits(ndv, fpp);
  double bytes = std::ceil(bits / 8.0);
  if (!(bytes < static_cast<double>(kMaxBytes))) return kMaxBytes;
  return ClampToPowerOfTwo(static_cast<uint64_t>(bytes));
}

SplitBlockBloomFilter SplitBlockBloomFilter::WithNdvFpp(uint64_t ndv, double fpp) {
  return SplitBlockBloomFilter(Bytes(OptimalNumBytes(ndv, fpp), 0));
}

SplitBlockBloomFilter SplitBlockBloomFilter::WithNumBytes(size_t num_bytes) {
  return SplitBlockBloomFilter(Bytes(ClampToPowerOfTwo(num_bytes), 0));
}

Result<SplitBlockBloomFilter> SplitBlockBloomFilter::FromBytes(ByteView bitset) {
  if (bitset.size() < kMinBytes || bitset.size() > kMaxBytes ||
      bitset.size() % kBytesPerBlock != 0) {
    return Status::Corruption("bloom filter bitset of " + std::to_string(bitset.size()) +
                              " bytes is not a multiple of 32 between 32 bytes and 128 MiB");
  }
  return SplitBlockBloomFilter(Bytes(bitset.begin(), bitset.end()));
}

void SplitBlockBloomFilter::InsertHash(uint64_t hash) {
  uint8_t* block = bits_.data() + BlockIndex(hash, num_blocks()) * kBytesPerBlock;
  uint32_t key = static_cast<uint32_t>(hash);
  for (int i = 0; i < 8; ++i) {
    uint8_t* w = block + 4 * i;
    StoreWord(w, LoadWord(w) | MaskBit(key, i));
  }
}

bool SplitBlockBloomFilter::MayContainHash(uint64_t hash) const {
  const uint8_t* block = bits_.data() + BlockIndex(hash, num_blocks()) * kBytesPerBlock;
  uint32_t key = static_cast<uint32_t>(hash);
  for (int i = 0; i < 8; ++i) {
    if ((LoadWord(block + 4 * i) & MaskBit(key, i)) == 0) return false;
  }
  return true;
}

uint64_t SplitBlockBloomFilter::Hash(ByteView plain_value_bytes) {
  return XXH64(plain_value_bytes.data(), plain_value_bytes.size(), 0);
}

uint64_t SplitBlockBloomFilter::HashInt32(int32_t v) {
  uint8_t b[4];
  StoreWord(b, static_cast<uint32_t>(v));
  return Hash(ByteView(b, 4));
}

uint64_t SplitBlockBloomFilter::HashInt64(int64_t v) {
  uint8_t b[8];
  StoreWord(b, static_cast<uint32_t>(static_cast<uint64_t>(v)));
  StoreWord(b + 4, static_cast<uint32_t>(static_cast<uint64_t>(v) >> 32));
  return Hash(ByteView(b, 8));
}

uint64_t SplitBlockBloomFilter::HashFloat(float v) {
  return HashInt32(std::bit_cast<int32_t>(v));
}

uint64_t SplitBlockBloomFilter::HashDouble(double v) {
  return HashInt64(std::bit_cast<int64_t>(v));
}

}  // namespace ipfs_kit::parquet
