// CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320): integrity of boot state records, where a
// torn write must be told apart from a complete one. Not a security check.
#pragma once

#include <cstdint>

#include "bleota/bytes.hpp"

namespace bleota {

uint32_t Crc32(ConstByteSpan data, uint32_t crc = 0);

}  // namespace bleota
