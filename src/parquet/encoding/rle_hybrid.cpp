// RLE / bit-packed hybrid encoder and bounded decoder. Format: rle_hybrid.h.
#include "rle_hybrid.h"

#include <algorithm>
#include <string>

#include "bit_util.h"

namespace ipfs_kit::parquet {

namespace {

// A bit-packed run's header must fit in the one byte reserved for it:
// (groups << 1) | 1 < 128.
constexpr uint64_t kMaxGroupsPerLiteralRun = 63;
// Longest RLE run emitted before a new one is started (keeps the header well
// inside 32 bits).
constexpr uint64_t kMaxRepeatRun = uint64_t{1} << 30;

}  // namespace

int RleBitWidth(uint64_t max_value) { return bit_util::BitWidth(max_value); }

// ---------------------------------------------------------------------------
// Encoder

RleBitPackedEncoder::RleBitPackedEncoder(int bit_width)
    : bit_width_(std::clamp(bit_width, 0, 32)),
      mask_(bit_width_ == 32 ? 0xffffffffu : (1u << bit_width_) - 1) {}

void RleBitPackedEncoder::Put(uint32_t v) {
  v &= mask_;
  ++num_values_;
  if (v == current_value_) {
    ++repeat_count_;
    if (repeat_count_ > 8) {
      // Continuation of an RLE run: nothing is buffered.
      if (repeat_count_ >= kMaxRepeatRun) FlushRepeatedRun();
      return;
    }
  } else {
    if (repeat_count_ >= 8) FlushRepeatedRun();
    repeat_count_ = 1;
    current_value_ = v;
  }
  buffered_[num_buffered_++] = v;
  if (num_buffered_ == 8) FlushBuffered(false);
}

void RleBitPackedEncoder::FlushBuffered(bool done) {
  if (repeat_count_ >= 8) {
    // The 8 buffered values start an RLE run; close any open bit-packed run.
    num_buffered_ = 0;
    if (literal_count_ != 0) FlushLiteralRun(true);
    return;
  }
  literal_count_ += static_cast<uint64_t>(num_buffered_);
  uint64_t groups = (literal_count_ + 7) / 8;
  FlushLiteralRun(done || groups >= kMaxGroupsPerLiteralRun);
  repeat_count_ = 0;
}

void RleBitPackedEncoder::FlushLiteralRun(bool update_indicator) {
  if (literal_indicator_ == kNoIndicator) {
    literal_indicator_ = out_.size();
    out_.push_back(0);  // header byte, filled in when the run closes
  }
  // num_buffered_ is 0 or 8 here, so the run stays byte aligned.
  bit_util::BitWriter w(&out_);
  for (int i = 0; i < num_buffered_; ++i) w.Put(buffered_[i], bit_width_);
  w.Flush();
  num_buffered_ = 0;
  if (update_indicator) {
    uint64_t groups = (literal_count_ + 7) / 8;
    out_[literal_indicator_] = static_cast<uint8_t>((groups << 1) | 1);
    literal_indicator_ = kNoIndicator;
    literal_count_ = 0;
  }
}

void RleBitPackedEncoder::FlushRepeatedRun() {
  bit_util::PutUleb128(repeat_count_ << 1, &out_);
  bit_util::StoreLE(current_value_, static_cast<size_t>((bit_width_ + 7) / 8), &out_);
  num_buffered_ = 0;
  repeat_count_ = 0;
}

Bytes RleBitPackedEncoder::Finish() {
  if (literal_count_ > 0 || repeat_count_ > 0 || num_buffered_ > 0) {
    bool all_repeat = literal_count_ == 0 &&
                      (repeat_count_ == static_cast<uint64_t>(num_buffered_) || num_buffered_ == 0);
    if (repeat_count_ > 0 && all_repeat) {
      FlushRepeatedRun();
    } else {
      // Pad the last group to 8 values with zeros.
      if (num_buffered_ != 0) {
        while (num_buffered_ < 8) buffered_[num_buffered_++] = 0;
      }
      literal_count_ += static_cast<uint64_t>(num_buffered_);
      FlushLiteralRun(true);
      repeat_count_ = 0;
    }
  }
  Bytes result;
  result.swap(out_);
  num_values_ = 0;
  num_buffered_ = 0;
  current_value_ = 0;
  repeat_count_ = 0;
  literal_count_ = 0;
  literal_indicator_ = kNoIndicator;
  return result;
}

// ---------------------------------------------------------------------------
// Decoder

RleBitPackedDecoder::RleBitPackedDecoder(ByteView data, int bit_width)
    : data_(data), bit_width_(bit_width) {
  if (bit_width < 0 || bit_width > 32) {
    error_ = Status::InvalidArgument("RLE/bit-packed bit width " + std::to_string(bit_width) +
                                     " is outside 0..32");
  }
}

Status RleBitPackedDecoder::Fail(Status s) {
  error_ = s;
  return s;
}

Status RleBitPackedDecoder::NextRun() {
  size_t header_at = pos_;
  uint64_t header = 0;
  if (!bit_util::GetUleb128(data_, &pos_, &header, 5) || header > 0xffffffffu) {
    return Fail(Status::Corruption("RLE/bit-packed run header at offset " +
                                   std::to_string(header_at) + " is truncated or too long"));
  }
  size_t remaining = data_.size() - pos_;
  if (header & 1) {
    uint64_t groups = header >> 1;
    uint64_t bytes = groups * static_cast<uint64_t>(bit_width_);
    if (bytes > remaining) {
      return Fail(Status::Corruption("bit-packed run at offset " + std::to_string(header_at) +
                                     " claims " + std::to_string(groups) + " groups (" +
                                     std::to_string(bytes) + " bytes) but only " +
                                     std::to_string(remaining) + " bytes remain"));
    }
    is_rle_ = false;
    packed_ = data_.data() + pos_;
    packed_bit_ = 0;
    run_remaining_ = groups * 8;
    pos_ += static_cast<size_t>(bytes);
  } else {
    size_t value_bytes = static_cast<size_t>((bit_width_ + 7) / 8);
    if (value_bytes > remaining) {
      return Fail(Status::Corruption("RLE run at offset " + std::to_string(header_at) +
                                     " is truncated: its value needs " +
                                     std::to_string(value_bytes) + " bytes"));
    }
    uint64_t value = bit_util::LoadLE(data_.data() + pos_, value_bytes);
    if (bit_width_ < 32 && (value >> bit_width_) != 0) {
      return Fail(Status::Corruption("RLE run at offset " + std::to_string(header_at) +
                                     " has value " + std::to_string(value) +
                                     " wider than bit width " + std::to_string(bit_width_)));
    }
    is_rle_ = true;
    rle_value_ = static_cast<uint32_t>(value);
    run_remaining_ = header >> 1;
    pos_ += value_bytes;
  }
  return Status::Ok();
}

Status RleBitPackedDecoder::Get(size_t n, uint32_t* out) {
  if (!error_.ok()) return error_;
  size_t done = 0;
  while (done < n) {
    if (run_remaining_ == 0) {
      if (pos_ >= data_.size()) {
        return Fail(Status::Corruption("RLE/bit-packed data ended after " + std::to_string(done) +
                                       " of " + std::to_string(n) + " requested values"));
      }
      RETURN_IF_ERROR(NextRun());
      continue;
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(run_remaining_, n - done));
    if (is_rle_) {
      std::fill(out + done, out + done + take, rle_value_);
    } else {
      for (size_t i = 0; i < take; ++i) {
        out[done + i] = static_cast<uint32_t>(bit_util::UnpackAt(packed_, packed_bit_, bit_width_));
        packed_bit_ += static_cast<uint64_t>(bit_width_);
      }
    }
    run_remaining_ -= take;
    done += take;
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Length prefix (v1 data page levels)

Result<ByteView> ReadLengthPrefixed(ByteView page, size_t* consumed) {
  if (page.size() < 4) {
    return Status::Corruption("level data length prefix is truncated: " +
                              std::to_string(page.size()) + " bytes");
  }
  uint64_t len = bit_util::LoadLE(page.data(), 4);
  if (len > page.size() - 4) {
    return Status::Corruption("level data length " + std::to_string(len) + " exceeds the " +
                              std::to_string(page.size() - 4) + " bytes left in the page");
  }
  *consumed = 4 + static_cast<size_t>(len);
  return page.subspan(4, static_cast<size_t>(len));
}

void AppendLengthPrefixed(ByteView rle, Bytes* out) {
  bit_util::StoreLE(rle.size(), 4, out);
  Append(*out, rle);
}

}  // namespace ipfs_kit::parquet
