#include "bleota/crc32.hpp"

namespace bleota {

// Bitwise: no 1 KiB table in the bootloader; records are a few dozen bytes.
uint32_t Crc32(ConstByteSpan data, uint32_t crc) {
  crc = ~crc;
  for (uint8_t byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

}  // namespace bleota
