// Numbers on the command line: decimal or 0x-prefixed hex, as imgtool's BasedIntParamType.
#pragma once

#include <cstdint>
#include <string_view>

namespace bleota::host {

// Parses an unsigned number no larger than `max`. `field` names the option in errors:
// "--slot-size: '0x4000g' is not a number" / "--align: 64 is out of range (max 32)".
// Throws HostError(kUsage).
uint64_t ParseUnsigned(std::string_view text, std::string_view field, uint64_t max);

inline uint32_t ParseU32(std::string_view text, std::string_view field) {
  return static_cast<uint32_t>(ParseUnsigned(text, field, UINT32_MAX));
}

}  // namespace bleota::host
