#include "ipfs_kit/multiformats/multibase.h"

#include <array>
#include <string>

namespace ipfs_kit::multiformats {
namespace {

constexpr std::string_view kB16Lower = "0123456789abcdef";
constexpr std::string_view kB16Upper = "0123456789ABCDEF";
constexpr std::string_view kB32Lower = "abcdefghijklmnopqrstuvwxyz234567";
constexpr std::string_view kB32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kB36Lower = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kB36Upper = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::string_view kB58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kB64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Reverse lookup table: 0xff for characters outside the alphabet.
struct Table {
  std::array<uint8_t, 256> v;
  explicit constexpr Table(std::string_view alphabet) : v() {
    for (auto& x : v) x = 0xff;
    for (size_t i = 0; i < alphabet.size(); ++i) v[static_cast<uint8_t>(alphabet[i])] = i;
  }
};

std::string InvalidChar(std::string_view base, char c, size_t pos) {
  std::string shown = (c >= 0x20 && c < 0x7f) ? std::string("'") + c + "'"
                                               : "byte 0x" + HexEncode(AsBytes({&c, 1}));
  return "invalid " + std::string(base) + " character " + shown + " at position " +
         std::to_string(pos);
}

// RFC 4648 style codec for power-of-two bases, without padding.
std::string EncodeBits(ByteView data, std::string_view alphabet, int bits) {
  std::string out;
  out.reserve((data.size() * 8 + bits - 1) / bits);
  uint32_t buffer = 0;
  int have = 0;
  const uint32_t mask = (1u << bits) - 1;
  for (uint8_t b : data) {
    buffer = (buffer << 8) | b;
    have += 8;
    while (have >= bits) {
      have -= bits;
      out.push_back(alphabet[(buffer >> have) & mask]);
    }
  }
  if (have > 0) out.push_back(alphabet[(buffer << (bits - have)) & mask]);
  return out;
}

Result<Bytes> DecodeBits(std::string_view text, const Table& table, int bits,
                         std::string_view name) {
  Bytes out;
  out.reserve(text.size() * bits / 8);
  uint32_t buffer = 0;
  int have = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    uint8_t v = table.v[static_cast<uint8_t>(text[i])];
    if (v == 0xff) return Status::InvalidArgument(InvalidChar(name, text[i], i));
    buffer = (buffer << bits) | v;
    have += bits;
    if (have >= 8) {
      have -= 8;
      out.push_back(static_cast<uint8_t>(buffer >> have));
    }
  }
  // Leftover bits must be fewer than one character and all zero; otherwise the
  // text is not the canonical encoding of any byte string.
  if (have >= bits || (buffer & ((1u << have) - 1)) != 0) {
    return Status::InvalidArgument("invalid " + std::string(name) + " length or trailing bits");
  }
  return out;
}

// Big-number conversion for base36 / base58 (leading zero bytes become
// leading zero digits).
std::string EncodeBigBase(ByteView data, std::string_view alphabet) {
  const uint32_t base = alphabet.size();
  size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  std::vector<uint8_t> digits;  // little-endian in `base`
  digits.reserve(data.size() * 2);
  for (size_t i = zeros; i < data.size(); ++i) {
    uint32_t carry = data[i];
    for (auto& d : digits) {
      carry += static_cast<uint32_t>(d) << 8;
      d = carry % base;
      carry /= base;
    }
    while (carry > 0) {
      digits.push_back(carry % base);
      carry /= base;
    }
  }
  std::string out(zeros, alphabet[0]);
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(alphabet[*it]);
  return out;
}

Result<Bytes> DecodeBigBase(std::string_view text, const Table& table, uint32_t base,
                            std::string_view name) {
  size_t zeros = 0;
  while (zeros < text.size() && table.v[static_cast<uint8_t>(text[zeros])] == 0) ++zeros;
  std::vector<uint8_t> bytes;  // little-endian base 256
  bytes.reserve(text.size());
  for (size_t i = zeros; i < text.size(); ++i) {
    uint8_t v = table.v[static_cast<uint8_t>(text[i])];
    if (v == 0xff) return Status::InvalidArgument(InvalidChar(name, text[i], i));
    uint32_t carry = v;
    for (auto& b : bytes) {
      carry += static_cast<uint32_t>(b) * base;
      b = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push_back(carry & 0xff);
      carry >>= 8;
    }
  }
  Bytes out(zeros, 0);
  out.insert(out.end(), bytes.rbegin(), bytes.rend());
  return out;
}

const Table kT16Lower(kB16Lower), kT16Upper(kB16Upper), kT32Lower(kB32Lower),
    kT32Upper(kB32Upper), kT36Lower(kB36Lower), kT36Upper(kB36Upper), kT58(kB58), kT64(kB64),
    kT64Url(kB64Url);

// Longest text we decode: CIDs and keys are short; this bounds the quadratic
// big-base conversion on hostile input.
constexpr size_t kMaxBigBaseText = 4096;

}  // namespace

char MultibasePrefix(Multibase base) {
  switch (base) {
    case Multibase::kBase16: return 'f';
    case Multibase::kBase16Upper: return 'F';
    case Multibase::kBase32: return 'b';
    case Multibase::kBase32Upper: return 'B';
    case Multibase::kBase36: return 'k';
    case Multibase::kBase36Upper: return 'K';
    case Multibase::kBase58Btc: return 'z';
    case Multibase::kBase64: return 'm';
    case Multibase::kBase64Url: return 'u';
  }
  return '?';
}

std::string_view MultibaseName(Multibase base) {
  switch (base) {
    case Multibase::kBase16: return "base16";
    case Multibase::kBase16Upper: return "base16upper";
    case Multibase::kBase32: return "base32";
    case Multibase::kBase32Upper: return "base32upper";
    case Multibase::kBase36: return "base36";
    case Multibase::kBase36Upper: return "base36upper";
    case Multibase::kBase58Btc: return "base58btc";
    case Multibase::kBase64: return "base64";
    case Multibase::kBase64Url: return "base64url";
  }
  return "";
}

Result<Multibase> MultibaseFromName(std::string_view name) {
  for (auto b : {Multibase::kBase16, Multibase::kBase16Upper, Multibase::kBase32,
                 Multibase::kBase32Upper, Multibase::kBase36, Multibase::kBase36Upper,
                 Multibase::kBase58Btc, Multibase::kBase64, Multibase::kBase64Url}) {
    if (MultibaseName(b) == name) return b;
  }
  if (name.size() == 1) return MultibaseFromPrefix(name[0]);
  return Status::InvalidArgument("unknown multibase: " + std::string(name) +
                                 " (supported: base16, base16upper, base32, base32upper, base36, "
                                 "base36upper, base58btc, base64, base64url)");
}

Result<Multibase> MultibaseFromPrefix(char prefix) {
  switch (prefix) {
    case 'f': return Multibase::kBase16;
    case 'F': return Multibase::kBase16Upper;
    case 'b': return Multibase::kBase32;
    case 'B': return Multibase::kBase32Upper;
    case 'k': return Multibase::kBase36;
    case 'K': return Multibase::kBase36Upper;
    case 'z': return Multibase::kBase58Btc;
    case 'm': return Multibase::kBase64;
    case 'u': return Multibase::kBase64Url;
  }
  std::string shown = (prefix >= 0x20 && prefix < 0x7f) ? std::string("'") + prefix + "'"
                                                         : "byte 0x" + HexEncode(AsBytes({&prefix, 1}));
  return Status::InvalidArgument("unsupported multibase prefix " + shown);
}

std::string EncodeBase(Multibase base, ByteView data) {
  switch (base) {
    case Multibase::kBase16: return EncodeBits(data, kB16Lower, 4);
    case Multibase::kBase16Upper: return EncodeBits(data, kB16Upper, 4);
    case Multibase::kBase32: return EncodeBits(data, kB32Lower, 5);
    case Multibase::kBase32Upper: return EncodeBits(data, kB32Upper, 5);
    case Multibase::kBase36: return EncodeBigBase(data, kB36Lower);
    case Multibase::kBase36Upper: return EncodeBigBase(data, kB36Upper);
    case Multibase::kBase58Btc: return EncodeBigBase(data, kB58);
    case Multibase::kBase64: return EncodeBits(data, kB64, 6);
    case Multibase::kBase64Url: return EncodeBits(data, kB64Url, 6);
  }
  return "";
}

Result<Bytes> DecodeBase(Multibase base, std::string_view text) {
  switch (base) {
    case Multibase::kBase16: return DecodeBits(text, kT16Lower, 4, "base16");
    case Multibase::kBase16Upper: return DecodeBits(text, kT16Upper, 4, "base16upper");
    case Multibase::kBase32: return DecodeBits(text, kT32Lower, 5, "base32");
    case Multibase::kBase32Upper: return DecodeBits(text, kT32Upper, 5, "base32upper");
    case Multibase::kBase64: return DecodeBits(text, kT64, 6, "base64");
    case Multibase::kBase64Url: return DecodeBits(text, kT64Url, 6, "base64url");
    case Multibase::kBase36:
    case Multibase::kBase36Upper:
    case Multibase::kBase58Btc:
      break;
  }
  if (text.size() > kMaxBigBaseText) {
    return Status::InvalidArgument("multibase text too long (" + std::to_string(text.size()) +
                                   " characters)");
  }
  if (base == Multibase::kBase58Btc) return DecodeBigBase(text, kT58, 58, "base58btc");
  if (base == Multibase::kBase36) return DecodeBigBase(text, kT36Lower, 36, "base36");
  return DecodeBigBase(text, kT36Upper, 36, "base36upper");
}

std::string MultibaseEncode(Multibase base, ByteView data) {
  std::string out(1, MultibasePrefix(base));
  out += EncodeBase(base, data);
  return out;
}

Result<Bytes> MultibaseDecode(std::string_view text, Multibase* base) {
  if (text.empty()) return Status::InvalidArgument("empty multibase string");
  ASSIGN_OR_RETURN(Multibase b, MultibaseFromPrefix(text[0]));
  if (base) *base = b;
  return DecodeBase(b, text.substr(1));
}

std::string Base64Encode(ByteView data) {
  std::string out = EncodeBase(Multibase::kBase64, data);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

Result<Bytes> Base64Decode(std::string_view text) {
  size_t pads = 0;
  while (!text.empty() && text.back() == '=' && pads < 2) {
    text.remove_suffix(1);
    ++pads;
  }
  if (pads > 0 && (text.size() + pads) % 4 != 0) {
    return Status::InvalidArgument("base64: bad padding");
  }
  auto r = DecodeBase(Multibase::kBase64, text);
  if (!r.ok()) return Status::InvalidArgument("base64: " + r.status().message());
  return r;
}

}  // namespace ipfs_kit::multiformats
