#include "bleota/smp/base64.hpp"

namespace bleota::smp {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

int Base64Value(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

Result<size_t> Base64Encode(ConstByteSpan in, std::span<char> out) {
  if (out.size() < Base64EncodedSize(in.size())) return StatusCode::kResourceExhausted;
  size_t o = 0;
  for (size_t i = 0; i < in.size(); i += 3) {
    const size_t n = in.size() - i < 3 ? in.size() - i : 3;
    const uint32_t group = (static_cast<uint32_t>(in[i]) << 16) |
                           (n > 1 ? static_cast<uint32_t>(in[i + 1]) << 8 : 0u) |
                           (n > 2 ? static_cast<uint32_t>(in[i + 2]) : 0u);
    out[o++] = kAlphabet[(group >> 18) & 0x3F];
    out[o++] = kAlphabet[(group >> 12) & 0x3F];
    out[o++] = n > 1 ? kAlphabet[(group >> 6) & 0x3F] : '=';
    out[o++] = n > 2 ? kAlphabet[group & 0x3F] : '=';
  }
  return o;
}

size_t Base64DecodeQuad(const uint8_t quad[4], uint8_t bytes[3]) {
  const int a = Base64Value(quad[0]);
  const int b = Base64Value(quad[1]);
  if (a < 0 || b < 0) return 0;
  size_t count = 3;
  int c = 0;
  int d = 0;
  if (quad[2] == '=') {
    if (quad[3] != '=') return 0;
    count = 1;
  } else {
    c = Base64Value(quad[2]);
    if (c < 0) return 0;
    if (quad[3] == '=') {
      count = 2;
    } else {
      d = Base64Value(quad[3]);
      if (d < 0) return 0;
    }
  }
  const uint32_t group = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
                         (static_cast<uint32_t>(c) << 6) | static_cast<uint32_t>(d);
  // Canonical only: the bits below the last byte must be zero, so each byte string has one text.
  if (count == 1 && (group & 0xFFFF) != 0) return 0;
  if (count == 2 && (group & 0xFF) != 0) return 0;
  bytes[0] = static_cast<uint8_t>(group >> 16);
  bytes[1] = static_cast<uint8_t>(group >> 8);
  bytes[2] = static_cast<uint8_t>(group);
  return count;
}

Result<size_t> Base64Decode(std::span<const char> in, ByteSpan out) {
  if (in.size() % 4 != 0) return StatusCode::kInvalidArgument;
  size_t o = 0;
  for (size_t i = 0; i < in.size(); i += 4) {
    uint8_t quad[4];
    for (size_t k = 0; k < 4; ++k) quad[k] = static_cast<uint8_t>(in[i + k]);
    uint8_t bytes[3];
    const size_t n = Base64DecodeQuad(quad, bytes);
    if (n == 0 || (n < 3 && i + 4 != in.size())) return StatusCode::kInvalidArgument;
    if (out.size() - o < n) return StatusCode::kResourceExhausted;
    for (size_t k = 0; k < n; ++k) out[o++] = bytes[k];
  }
  return o;
}

}  // namespace bleota::smp
