// Base64 (RFC 4648 standard alphabet, '=' padding) for the SMP serial transport.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "bleota/bytes.hpp"
#include "bleota/result.hpp"

namespace bleota::smp {

constexpr size_t Base64EncodedSize(size_t byte_count) { return (byte_count + 2) / 3 * 4; }

// Encodes `in` into `out` with padding; returns the number of characters written.
// kResourceExhausted when `out` is smaller than Base64EncodedSize(in.size()).
Result<size_t> Base64Encode(ConstByteSpan in, std::span<char> out);

// Decodes exactly the canonical encoding: a multiple of 4 characters, '=' only as the last one or
// two characters, unused bits of the last character zero. Returns the number of bytes written.
// kInvalidArgument on any other input, kResourceExhausted when `out` is too small.
Result<size_t> Base64Decode(std::span<const char> in, ByteSpan out);

// The 6-bit value of a base64 character, or -1 for any other character (including '=').
int Base64Value(uint8_t c);

// Decodes one group of 4 characters into 1-3 bytes (with the rules of Base64Decode for a final
// group); returns the byte count, or 0 for an invalid group.
size_t Base64DecodeQuad(const uint8_t quad[4], uint8_t bytes[3]);

}  // namespace bleota::smp
