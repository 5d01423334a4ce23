// Byte spans and little-endian field access: every on-flash and on-wire format is little-endian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace bleota {

using ByteSpan = std::span<uint8_t>;
using ConstByteSpan = std::span<const uint8_t>;

constexpr uint16_t LoadLe16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
constexpr uint32_t LoadLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
constexpr void StoreLe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
constexpr void StoreLe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

// Overflow-safe range check: [offset, offset+length) lies inside [0, limit).
constexpr bool RangeWithin(uint32_t offset, uint32_t length, uint32_t limit) {
  return offset <= limit && length <= limit - offset;
}

constexpr uint32_t AlignUp(uint32_t value, uint32_t align) {
  return align == 0 ? value : ((value + align - 1) / align) * align;
}

}  // namespace bleota
