#include "bleota/smp/crc16.hpp"

namespace bleota::smp {

// Bitwise: SMP serial packets are small and the console is far slower than this loop.
uint16_t Crc16Xmodem(ConstByteSpan data, uint16_t crc) {
  for (uint8_t byte : data) {
    crc = static_cast<uint16_t>(crc ^ (byte << 8));
    for (int bit = 0; bit < 8; ++bit) {
      crc = static_cast<uint16_t>((crc & 0x8000u) ? (crc << 1) ^ 0x1021u : crc << 1);
    }
  }
  return crc;
}

}  // namespace bleota::smp
