// CRC16-XMODEM (CCITT poly 0x1021, init 0, no reflection, no final xor): the check of an SMP
// packet in the serial transport. Integrity against line noise only, not a security check.
#pragma once

#include <cstdint>

#include "bleota/bytes.hpp"

namespace bleota::smp {

// Continues `crc` over `data`; start with 0. Crc16Xmodem("123456789") == 0x31C3.
uint16_t Crc16Xmodem(ConstByteSpan data, uint16_t crc = 0);

}  // namespace bleota::smp
