// The Parquet RLE / bit-packed hybrid encoding (encoding id RLE = 3), used for
// repetition/definition levels, dictionary indices and RLE booleans.
//
//   rle-bit-packed-hybrid := run*
//   run            := bit-packed-run | rle-run
//   bit-packed-run := ULEB128((groups << 1) | 1) <groups * bit_width bytes>
//                     (8 values per group, LSB first)
//   rle-run        := ULEB128(count << 1) <value in ceil(bit_width / 8) bytes, LE>
//
// The stream carries no length and no value count: levels in a v1 data page are
// prefixed with a 4-byte little-endian byte length (use ReadLengthPrefixed /
// AppendLengthPrefixed); v2 data pages give the level byte lengths in the page
// header instead, so the RLE bytes are used as they are. Dictionary indices are
// preceded by one bit-width byte (see dictionary.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"

namespace ipfs_kit::parquet {

// Bits needed to store every value in 0..max_value (0 for max_value == 0), e.g.
// the level bit width for a maximum definition level.
int RleBitWidth(uint64_t max_value);

// Encodes like Apache Arrow's RleEncoder (and so, in practice, like
// parquet-mr): values are buffered in groups of 8; a group whose 8 values are
// equal starts an RLE run that lasts while the value repeats; other groups are
// bit-packed, at most 63 groups per bit-packed run so its header is one byte.
// A trailing partial group is padded with zeros.
class RleBitPackedEncoder {
 public:
  // bit_width must be in 0..32 (it is clamped into that range otherwise).
  explicit RleBitPackedEncoder(int bit_width);

  // v must fit in bit_width bits; higher bits are dropped.
  void Put(uint32_t v);
  // Flushes pending values and returns the encoded bytes. The encoder is left
  // empty and may be reused.
  Bytes Finish();
  // Values Put since construction or the last Finish().
  size_t num_values() const { return num_values_; }

 private:
  void FlushBuffered(bool done);
  void FlushLiteralRun(bool update_indicator);
  void FlushRepeatedRun();

  int bit_width_;
  uint32_t mask_;
  Bytes out_;
  size_t num_values_ = 0;
  uint32_t buffered_[8] = {};
  int num_buffered_ = 0;
  uint32_t current_value_ = 0;
  uint64_t repeat_count_ = 0;
  uint64_t literal_count_ = 0;
  // Offset in out_ of the reserved header byte of the open bit-packed run, or
  // kNoIndicator.
  size_t literal_indicator_ = kNoIndicator;
  static constexpr size_t kNoIndicator = static_cast<size_t>(-1);
};

// Decodes an RLE / bit-packed hybrid stream. Keeps its position between Get()
// calls, so a caller may decode a page's values in several batches. Never reads
// outside `data`; every error is a Corruption (InvalidArgument for a bad
// bit_width) and leaves the decoder failed: later Get() calls return the same
// error.
class RleBitPackedDecoder {
 public:
  // bit_width must be 0..32; otherwise every Get() fails.
  RleBitPackedDecoder(ByteView data, int bit_width);

  // Decodes the next n values into out[0..n). Fails if the stream ends before n
  // values, or a run is malformed (truncated header or body, an RLE value wider
  // than bit_width, a bit-packed run claiming more bytes than remain).
  Status Get(size_t n, uint32_t* out);

  // Bytes of `data` taken by the runs read so far (a run is counted whole as
  // soon as its header is read).
  size_t bytes_consumed() const { return pos_; }

 private:
  Status NextRun();
  Status Fail(Status s);

  ByteView data_;
  int bit_width_;
  size_t pos_ = 0;
  Status error_;
  // Current run.
  bool is_rle_ = false;
  uint64_t run_remaining_ = 0;   // values left in the current run
  uint32_t rle_value_ = 0;
  const uint8_t* packed_ = nullptr;  // bit-packed run body
  uint64_t packed_bit_ = 0;          // next bit to read in packed_
};

// v1 data pages: reads the 4-byte little-endian length that prefixes the level
// data and returns the view of that many following bytes. *consumed is set to
// 4 + length, the offset of what follows the levels in `page`.
Result<ByteView> ReadLengthPrefixed(ByteView page, size_t* consumed);

// Appends the 4-byte little-endian length of `rle` and then `rle` (v1 levels).
void AppendLengthPrefixed(ByteView rle, Bytes* out);

}  // namespace ipfs_kit::parquet
